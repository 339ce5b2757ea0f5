/**
 * The create form's values as text (what the inputs hold), the defaults taken from the
 * domain schema itself, and the conversion to `scrapeJobs.create` input, validated with the
 * same `createJobInputSchema` as the server, so the sentences match the server's.
 */
import { createJobInputSchema, type CreateJobInput, type JobType } from '@scrape-jobs/domain';

export interface CreateFormValues {
  domain: string;
  job_type: JobType;
  priority: string;
  max_retries: string;
  'config.depth': string;
  'config.maxPages': string;
  'config.timeout': string;
  'config.delay': string;
  'config.userAgent': string;
  'config.startUrl': string;
  'config.respectRobots': boolean;
  'config.includeSubdomains': boolean;
  'config.retryOnFailure': boolean;
  metadata: string;
}

export type FieldName = keyof CreateFormValues;

/** What the server fills in when a field is left out. */
export const SCHEMA_DEFAULTS = createJobInputSchema.parse({ domain: 'example.com' });

export function defaultFormValues(): CreateFormValues {
  const d = SCHEMA_DEFAULTS;
  return {
    domain: '',
    job_type: d.job_type,
    priority: String(d.priority),
    max_retries: String(d.max_retries),
    'config.depth': String(d.config.depth),
    'config.maxPages': String(d.config.maxPages),
    'config.timeout': String(d.config.timeout),
    'config.delay': String(d.config.delay),
    'config.userAgent': d.config.userAgent,
    'config.startUrl': '',
    'config.respectRobots': d.config.respectRobots,
    'config.includeSubdomains': d.config.includeSubdomains,
    'config.retryOnFailure': d.config.retryOnFailure,
    metadata: '{}',
  };
}

/** Text → number when it is one; otherwise the text goes on so the schema names the problem. */
function numberOrText(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

const present = <T extends object>(entries: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as T;

export type Validation = { ok: true; input: CreateJobInput } | { ok: false; errors: Partial<Record<FieldName, string>> };

/** An empty number or text field means "use the default". */
export function validateCreateForm(values: CreateFormValues): Validation {
  const errors: Partial<Record<FieldName, string>> = {};
  let metadata: unknown;
  try {
    metadata = values.metadata.trim() === '' ? undefined : JSON.parse(values.metadata);
  } catch {
    errors.metadata = 'metadata must be valid JSON, e.g. {"team": "growth"}';
  }
  const raw = present<CreateJobInput>({
    domain: values.domain,
    job_type: values.job_type,
    priority: numberOrText(values.priority),
    max_retries: numberOrText(values.max_retries),
    metadata,
    config: present({
      depth: numberOrText(values['config.depth']),
      maxPages: numberOrText(values['config.maxPages']),
      timeout: numberOrText(values['config.timeout']),
      delay: numberOrText(values['config.delay']),
      userAgent: values['config.userAgent'].trim() || undefined,
      startUrl: values['config.startUrl'].trim() || undefined,
      respectRobots: values['config.respectRobots'],
      includeSubdomains: values['config.includeSubdomains'],
      retryOnFailure: values['config.retryOnFailure'],
    }),
  });
  const parsed = createJobInputSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.') as FieldName;
      errors[path] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: raw };
}
