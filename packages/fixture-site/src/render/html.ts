const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A JSON-LD script body; `<` is escaped so a value can never close the script element. */
export function jsonLdScript(value: unknown): string {
  return `<script type="application/ld+json">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}

export function htmlDocument(parts: { title: string; head?: string[]; body: string[] }): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(parts.title)}</title>`,
    ...(parts.head ?? []),
    '</head>',
    '<body>',
    ...parts.body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
