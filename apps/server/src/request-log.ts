import type { FastifyRequest } from 'fastify';

/**
 * Query parameters whose values are secrets: tRPC's `connectionParams` (the dashboard's SSE
 * stream carries its API key there, since EventSource cannot send headers), anything named
 * like a token, and the names the error sentences' sanitiser redacts (`sanitizeErrorMessage`).
 */
const SECRET_PARAMETER = /^(connectionparams|password|passwd|pwd|api_?key|key|secret|signature|sig)$|token/i;

export const REDACTED = '[redacted]';

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** The URL with every secret query value replaced by `[redacted]`; the rest exactly as sent. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return SECRET_PARAMETER.test(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, mark)}?${query}`;
}

/** Fastify's own request serializer, with the URL's secrets redacted. */
export function requestLogSerializer(request: FastifyRequest) {
  const version = request.headers?.['accept-version'];
  return {
    method: request.method,
    url: redactUrl(request.url),
    version: Array.isArray(version) ? version.join(', ') : version,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
