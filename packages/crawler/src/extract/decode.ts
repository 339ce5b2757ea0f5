/** The charset a Content-Type header names, or a `<meta charset>` in the first bytes; else utf-8. */
function charsetOf(contentType: string | undefined, body: Buffer): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  if (fromHeader) return fromHeader;
  const head = body.subarray(0, 1024).toString('latin1');
  return /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ?? 'utf-8';
}

/** One decoder per encoding label (labels are ASCII case-insensitive): decode() keeps no state between calls. */
const decoders = new Map<string, InstanceType<typeof TextDecoder>>();

function decoderFor(label: string): InstanceType<typeof TextDecoder> {
  const key = label.toLowerCase();
  let decoder = decoders.get(key);
  if (!decoder) {
    decoder = new TextDecoder(key); // throws for a label that names no encoding; nothing is cached then
    decoders.set(key, decoder);
  }
  return decoder;
}

export function decodeBody(body: Buffer, contentType: string | undefined): string {
  try {
    return decoderFor(charsetOf(contentType, body)).decode(body);
  } catch {
    return decoderFor('utf-8').decode(body);
  }
}

/** HTML by its Content-Type, or by its first bytes when the server sent none. */
export function isHtml(contentType: string | undefined, body: Buffer): boolean {
  if (contentType) return /\b(text\/html|application\/xhtml\+xml)\b/i.test(contentType);
  return /^\s*(<!doctype html|<html)/i.test(body.subarray(0, 256).toString('latin1'));
}
