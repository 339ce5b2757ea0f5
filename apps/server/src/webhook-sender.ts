import type { WebhookSender } from '@scrape-jobs/api';
import { defaultResolver, OutboundGuard, parseAllowList, parseRetryAfter, type Resolver } from '@scrape-jobs/crawler';
import { request } from 'undici';

const SNIPPET_BYTES = 1000;

/**
 * Sends a webhook the way the crawler fetches a page: the host is resolved and every address
 * checked (private, loopback and metadata addresses refused unless WEBHOOK_ALLOW_HOSTS
 * permits them), the connection is pinned to the checked address (no DNS rebinding), and
 * redirects are not followed (a 3xx is just an unsuccessful answer). A fresh guard per
 * attempt, so DNS changes between retries are seen.
 */
export function createWebhookSender(options: { allowHosts: string | undefined; resolver?: Resolver }): WebhookSender {
  const allow = parseAllowList(options.allowHosts);
  const resolver = options.resolver ?? defaultResolver;
  return async ({ url, headers, body, timeoutMs, signal }) => {
    const guard = new OutboundGuard(allow, resolver, timeoutMs);
    try {
      await guard.admit(new URL(url));
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: guard.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      const snippet = await readSnippet(response.body);
      const retryAfter = response.headers['retry-after'];
      const retryAfterMs =
        response.statusCode === 429 || response.statusCode === 503 ? parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) : undefined;
      return { statusCode: response.statusCode, retryAfterMs, snippet, error: null };
    } catch (error) {
      return { statusCode: null, snippet: null, error: describe(error) };
    } finally {
      await guard.close().catch(() => {});
    }
  };
}

async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= SNIPPET_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
}

function describe(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { code?: string; message?: string } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  const message = e?.message ?? String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
