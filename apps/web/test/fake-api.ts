/**
 * A stand-in for the server behind the dashboard's tRPC link, for component tests: it
 * follows the auth contract (AUTH_MODE open/keys, `Authentication required`, `Invalid API
 * key`, FORBIDDEN by the domain's own permission table) and keeps a few jobs. The key it
 * judges is the one the dashboard's client would put on the wire: the call's own
 * (`context.apiKey`) or the session's. The wire itself is covered by api-key-transport.test.ts.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { can, OPEN_PRINCIPAL, PERMISSIONS, type Permission, type Principal, type ScrapeJob } from '@scrape-jobs/domain';
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { LinksFactory } from '../src/trpc.ts';

const CODES = { UNAUTHORIZED: { http: 401, json: -32001, domain: 'UNAUTHENTICATED' }, FORBIDDEN: { http: 403, json: -32003, domain: 'FORBIDDEN' } } as const;

function refusal(code: keyof typeof CODES, message: string) {
  const { http, json, domain } = CODES[code];
  return TRPCClientError.from({ error: { message, code: json, data: { code, httpStatus: http, domainCode: domain } } });
}

export const aJob = (overrides: Partial<ScrapeJob> = {}): ScrapeJob => ({
  id: '123e4567-e89b-12d3-a456-426614174000',
  domain_id: null,
  customer_config_id: null,
  domain: 'example.com',
  job_type: 'domain_scrape',
  status: 'failed',
  priority: 5,
  retry_count: 1,
  max_retries: 3,
  config: { depth: 3, maxPages: 100, timeout: 30000, respectRobots: true, includeSubdomains: false, userAgent: 'Bot', delay: 1000, retryOnFailure: true },
  metadata: {},
  stats: {},
  started_at: null,
  completed_at: '2024-01-01T10:05:00.000Z',
  error_message: 'HTTP 429',
  worker_id: null,
  claimed_at: null,
  claim_expires_at: null,
  available_at: '2024-01-01T10:00:00.000Z',
  created_at: '2024-01-01T10:00:00.000Z',
  updated_at: '2024-01-01T10:05:00.000Z',
  ...overrides,
});

type Answer = (input: any, principal: Principal) => unknown;
const READ: Permission = 'jobs:read';
const WRITE: Permission = 'jobs:write';

export class FakeApi {
  private readonly keys = new Map<string, Principal>();
  /** Keys whose permissions differ from their role's in the domain table. */
  private readonly grants = new Map<string, Permission[]>();
  /** Every call as it arrived: the procedure and the key it carried. */
  readonly calls: Array<{ path: string; key: string | null }> = [];
  jobs: ScrapeJob[] = [aJob()];
  /** The server refuses writes whatever whoami said (a role changed on the server). */
  refuseWrites = false;

  constructor(public mode: 'open' | 'keys') {}

  addKey(key: string, principal: Omit<Principal, 'keyId'> & { keyId?: string }, permissions?: Permission[]): this {
    const keyId = principal.keyId ?? `id-${principal.name}`;
    this.keys.set(key, { keyId, ...principal });
    if (permissions) this.grants.set(keyId, permissions);
    return this;
  }
  revoke(key: string): void {
    this.keys.delete(key);
  }

  private authenticate(key: string | null): Principal {
    if (key === null) {
      if (this.mode === 'keys') throw refusal('UNAUTHORIZED', 'Authentication required');
      return OPEN_PRINCIPAL;
    }
    const principal = this.keys.get(key);
    if (!principal) throw refusal('UNAUTHORIZED', 'Invalid API key');
    return principal;
  }

  private permissionsOf(principal: Principal): Permission[] {
    return (principal.keyId && this.grants.get(principal.keyId)) || (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(principal, p));
  }

  private allow(principal: Principal, permission: Permission): void {
    if (!this.permissionsOf(principal).includes(permission) || (permission === WRITE && this.refuseWrites)) {
      throw refusal('FORBIDDEN', `Forbidden: a ${principal.role} key cannot do this`);
    }
  }

  private readonly procedures: Record<string, { needs: Permission | null; answer: Answer }> = {
    'auth.whoami': {
      needs: null,
      answer: (_input, p) => ({
        mode: this.mode,
        principal: { key_id: p.keyId, name: p.name, role: p.role, tenant_id: p.tenantId },
        permissions: this.permissionsOf(p),
      }),
    },
    'scrapeJobs.list': {
      needs: READ,
      answer: (input: { status?: string[] }) => {
        const jobs = this.jobs.filter((job) => !input?.status || input.status.includes(job.status));
        return { jobs, pagination: { total: jobs.length, limit: 20, offset: 0, has_more: false } };
      },
    },
    'scrapeJobs.stats': {
      needs: READ,
      answer: () => ({
        overview: { totalJobs: this.jobs.length },
        statusBreakdown: { pending: 0, running: 0, completed: 0, cancelled: 0, failed: this.jobs.filter((j) => j.status === 'failed').length },
      }),
    },
    'scrapeJobs.get': { needs: READ, answer: (input: { id: string }) => this.jobs.find((job) => job.id === input.id) },
    'scrapeJobs.history': { needs: READ, answer: () => [] },
    'scrapeJobs.results': { needs: READ, answer: () => ({ pages: [], pagination: { total: 0, limit: 20, offset: 0, has_more: false } }) },
    'queue.peek': { needs: 'queue:work', answer: () => null },
    'scrapeJobs.cancel': { needs: WRITE, answer: (input: { id: string }) => ({ id: input.id, status: 'cancelled', error_message: 'Cancelled via API', completed_at: null }) },
    'scrapeJobs.retry': { needs: WRITE, answer: (input: { id: string }) => ({ ...aJob({ id: input.id }), status: 'pending', retry_count: 2 }) },
    'scrapeJobs.create': { needs: WRITE, answer: (input: { domain: string }) => aJob({ id: '00000000-0000-4000-8000-000000000001', domain: input.domain, status: 'pending' }) },
  };

  /** The dashboard's links, judged here instead of sent over HTTP. */
  readonly links: LinksFactory = (sessionKey) => {
    const link: TRPCLink<AppRouter> = () => ({ op }) =>
      observable((observer) => {
        const own = (op.context as { apiKey?: string }).apiKey;
        const key = own ?? sessionKey;
        this.calls.push({ path: op.path, key });
        try {
          const principal = this.authenticate(key);
          if (op.path === 'scrapeJobs.onChange') {
            this.allow(principal, READ);
            observer.next({ result: { type: 'started' } });
            return; // an open stream with no changes
          }
          const procedure = this.procedures[op.path];
          if (!procedure) throw new Error(`FakeApi has no ${op.path}`);
          if (procedure.needs) this.allow(principal, procedure.needs);
          observer.next({ result: { type: 'data', data: procedure.answer(op.input, principal) } });
          observer.complete();
        } catch (error) {
          observer.error(error instanceof TRPCClientError ? error : TRPCClientError.from(error as Error));
        }
      });
    return [link];
  };

  /** The keys the calls to `path` carried, in order. */
  keysSentTo(path: string): Array<string | null> {
    return this.calls.filter((call) => call.path === path).map((call) => call.key);
  }
}
