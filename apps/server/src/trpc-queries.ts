/**
 * The commonest tRPC request, a GET of one query or of a batch of queries as httpBatchLink
 * sends it, answered without `resolveResponse`. That resolver builds a web Request (URL,
 * Headers), a Response and its Headers, and two AbortSignals per call for every request:
 * about half of what a tRPC query cost beyond a REST one (docs/benchmarks.md, API overhead).
 * Here are the same steps for this one shape, in the same order, with tRPC's own helpers
 * (procedure call, error shape, HTTP status, transformer), so the answer is the same bytes.
 * Anything else (mutations, subscriptions, streamed batches, unknown or lazy paths, a
 * content type, an unusual URL) is `undefined` from `planQueries` and goes to resolveResponse;
 * test/trpc-queries.test.ts sends the same requests both ways and compares the answers.
 */
import { getTRPCErrorFromUnknown, getTRPCErrorShape, transformTRPCResponse, TRPCError, type AnyProcedure, type AnyRouter } from '@trpc/server';
import { getHTTPStatusCode, type TRPCRequestInfo } from '@trpc/server/http';
import type { IncomingHttpHeaders } from 'node:http';

export interface QueryPlan {
  isBatchCall: boolean;
  paths: string[];
  procedures: AnyProcedure[];
  /** The `input` search parameter, as tRPC reads it. */
  input: string | null;
}

export interface QueryAnswer {
  status: number;
  /** JSON, sent as `application/json` with tRPC's `Vary: trpc-accept, accept`. */
  body: string;
}

/**
 * Printable ASCII without `#`: a URL that `new URL()` leaves as it is, so URLSearchParams on
 * its query reads what tRPC reads from `url.searchParams`.
 */
const PLAIN_URL = /^[!"$-~]*$/;

/** The plan for a GET of queries (`path`: the route's `:path` parameter); undefined for any other request. */
export function planQueries(router: AnyRouter, path: string, method: string, url: string, headers: IncomingHttpHeaders): QueryPlan | undefined {
  if (method !== 'GET' || headers['content-type'] !== undefined || headers['trpc-accept'] !== undefined) return undefined;
  if (headers.accept?.includes('application/jsonl') || !PLAIN_URL.test(url)) return undefined;
  const query = url.indexOf('?');
  const params = new URLSearchParams(query === -1 ? '' : url.slice(query + 1));
  if (params.has('connectionParams')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path); // tRPC decodes the (already decoded) parameter once more
  } catch {
    return undefined;
  }
  const isBatchCall = params.get('batch') === '1';
  const paths = isBatchCall ? decoded.split(',') : [decoded];
  const all = router._def.procedures as Record<string, AnyProcedure | undefined>;
  const procedures: AnyProcedure[] = [];
  for (const p of paths) {
    const procedure = Object.hasOwn(all, p) ? all[p] : undefined;
    if (typeof procedure !== 'function' || procedure._def.type !== 'query') return undefined;
    procedures.push(procedure);
  }
  return { isBatchCall, paths, procedures, input: params.get('input') };
}

type Config = AnyRouter['_def']['_config'];

/** tRPC's JSON content handler for a GET: every call's raw input by its index. */
async function parseInputs(config: Config, plan: QueryPlan): Promise<Record<number, unknown>> {
  const inputs: unknown = plan.input ? JSON.parse(plan.input) : undefined;
  const result = Object.create(null) as Record<number, unknown>;
  if (inputs === undefined) return result;
  if (!plan.isBatchCall) {
    result[0] = config.transformer.input.deserialize(inputs);
    return result;
  }
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
  }
  for (let index = 0; index < plan.paths.length; index++) {
    const input = (inputs as Record<number, unknown>)[index];
    if (input !== undefined) result[index] = config.transformer.input.deserialize(input);
  }
  return result;
}

const isObject = (value: unknown): value is Record<string, unknown> => !!value && !Array.isArray(value) && typeof value === 'object';
const isAsyncIterable = (value: unknown) => isObject(value) && Symbol.asyncIterator in value;
const isPromise = (value: unknown) =>
  (isObject(value) || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function' && typeof (value as { catch?: unknown }).catch === 'function';
/** What tRPC refuses to put in a JSON answer (it needs httpBatchStreamLink). */
const isDataStream = (value: unknown) => isObject(value) && (isAsyncIterable(value) || Object.values(value).some(isPromise) || Object.values(value).some(isAsyncIterable));
const streamRefused = () =>
  new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink' });

export async function answerQueries(
  plan: QueryPlan,
  opts: {
    router: AnyRouter;
    /** Aborts when the client goes away; each call gets it (tRPC combines it with a per-call one nobody aborts for a query). */
    signal: AbortSignal;
    createContext: (info: TRPCRequestInfo) => Promise<unknown>;
    onError?: ((opts: { error: TRPCError; path: string | undefined }) => void) | undefined;
  },
): Promise<QueryAnswer> {
  const config = opts.router._def._config;
  // tRPC's memo: the input is parsed on the first read, once, and a failure is every call's.
  let inputs: Record<number, unknown> | undefined;
  let reading: Promise<Record<number, unknown>> | undefined;
  const readInputs = () =>
    (reading ??= parseInputs(config, plan).then(
      (value) => (inputs = value),
      (cause: unknown) => {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
      },
    ));
  const calls = plan.paths.map((path, index) => ({
    batchIndex: index,
    path,
    procedure: plan.procedures[index]!,
    getRawInput: async () => (await readInputs())[index],
    result: () => inputs?.[index],
  }));
  // No URL object is built: `url` may be null in tRPC's type, and our createContext reads only connectionParams.
  const info: TRPCRequestInfo = { accept: null, type: 'query', isBatchCall: plan.isBatchCall, calls, connectionParams: null, signal: opts.signal, url: null };

  let ctx: unknown;
  let ctxError: TRPCError | undefined;
  try {
    ctx = await opts.createContext(info);
  } catch (cause) {
    ctxError = getTRPCErrorFromUnknown(cause);
  }
  const settled = await Promise.all(
    calls.map(async (call): Promise<{ error: TRPCError; data?: never } | { error?: never; data: unknown }> => {
      try {
        if (ctxError) throw ctxError;
        return { data: await call.procedure({ path: call.path, getRawInput: call.getRawInput, ctx, type: 'query', signal: opts.signal, batchIndex: call.batchIndex }) };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        opts.onError?.({ error, path: call.path });
        return { error };
      }
    }),
  );

  try {
    if (!plan.isBatchCall) {
      const [{ error, data }] = settled as [(typeof settled)[number]];
      if (!error && isDataStream(data)) throw streamRefused();
      return answer(config, item(config, ctx, error, data, calls[0]!));
    }
    return answer(
      config,
      settled.map(({ error, data }, index) => item(config, ctx, error ?? (isDataStream(data) ? streamRefused() : undefined), data, calls[index]!)),
    );
  } catch (cause) {
    // resolveResponse's last resort: one error for the whole request, without a path.
    const error = getTRPCErrorFromUnknown(cause);
    opts.onError?.({ error, path: undefined });
    return answer(config, { error: getTRPCErrorShape({ config, ctx, error, input: undefined, path: undefined, type: 'query' }) });
  }
}

type Call = TRPCRequestInfo['calls'][number];

/** One call's part of the answer, before the transformer. */
function item(config: Config, ctx: unknown, error: TRPCError | undefined, data: unknown, call: Call) {
  return error ? { error: getTRPCErrorShape({ config, ctx, error, input: call.result(), path: call.path, type: 'query' }) } : { result: { data } };
}

function answer(config: Config, json: Parameters<typeof getHTTPStatusCode>[0]): QueryAnswer {
  return { status: getHTTPStatusCode(json), body: JSON.stringify(transformTRPCResponse(config, json)) };
}
