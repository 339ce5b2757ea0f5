import { describe, expect, it } from 'vitest';
import { decodeBody, isHtml } from '../src/extract/decode.ts';

describe('decodeBody', () => {
  const latin1 = Buffer.from('<p>caf\xe9</p>', 'latin1');
  const utf8 = Buffer.from('<p>café</p>', 'utf8');

  it('decodes by the Content-Type charset, then by <meta charset>, else as utf-8, one page after another', () => {
    // Pages in different charsets in turn: a decoder kept for one charset must not leak into the next page.
    expect(decodeBody(utf8, 'text/html; charset=utf-8')).toBe('<p>café</p>');
    expect(decodeBody(latin1, 'text/html; charset=ISO-8859-1')).toBe('<p>café</p>');
    expect(decodeBody(utf8, 'text/html; charset=UTF-8')).toBe('<p>café</p>');
    expect(decodeBody(latin1, 'text/html; charset="iso-8859-1"')).toBe('<p>café</p>');
    expect(decodeBody(Buffer.concat([Buffer.from('<meta charset="windows-1252">'), latin1]), 'text/html')).toBe('<meta charset="windows-1252"><p>café</p>');
    expect(decodeBody(utf8, undefined)).toBe('<p>café</p>');
  });

  it('falls back to utf-8 for a charset that names no encoding, every time', () => {
    expect(decodeBody(utf8, 'text/html; charset=no-such-thing')).toBe('<p>café</p>');
    expect(decodeBody(utf8, 'text/html; charset=no-such-thing')).toBe('<p>café</p>');
  });

  it('strips a byte order mark on every call', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    expect(decodeBody(bom, 'text/html; charset=utf-8')).toBe('<p>café</p>');
    expect(decodeBody(bom, 'text/html; charset=utf-8')).toBe('<p>café</p>');
  });
});

describe('isHtml', () => {
  it('goes by the Content-Type, or by the first bytes without one', () => {
    expect(isHtml('text/html; charset=utf-8', Buffer.from('{}'))).toBe(true);
    expect(isHtml('application/pdf', Buffer.from('<html>'))).toBe(false);
    expect(isHtml(undefined, Buffer.from('  <!DOCTYPE html><html>'))).toBe(true);
    expect(isHtml(undefined, Buffer.from('%PDF-1.4'))).toBe(false);
  });
});
