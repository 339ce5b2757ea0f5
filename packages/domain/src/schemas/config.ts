import { z } from 'zod';

export const DEFAULT_USER_AGENT = 'ScrapeJobsBot/0.1';

function int(field: string, min: number, max: number, sentence: string, aboveMax = sentence) {
  return z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be an integer` })
    .min(min, { error: sentence })
    .max(max, { error: aboveMax });
}

function bool(field: string) {
  return z.boolean({ error: `${field} must be true or false` });
}

/**
 * How a job crawls. Every field has a default, so a stored job always has the whole
 * object. Unknown keys are refused: a misspelt `maxPage` would otherwise be ignored.
 */
export const jobConfigSchema = z
  .strictObject(
    {
      /** Link hops from the start page; 0 fetches the start page only. */
      depth: int('depth', 0, 20, 'depth must be between 0 and 20').default(3),
      /** Most pages fetched in the whole job. */
      maxPages: int('maxPages', 1, 100_000, 'maxPages must be a positive number', 'maxPages must be at most 100000').default(100),
      /** Per-request timeout in ms. */
      timeout: int('timeout', 100, 300_000, 'timeout must be between 100 and 300000 ms').default(30_000),
      respectRobots: bool('respectRobots').default(true),
      includeSubdomains: bool('includeSubdomains').default(false),
      userAgent: z
        .string({ error: 'userAgent must be a string' })
        .trim()
        .min(1, { error: 'userAgent must not be empty' })
        .max(256, { error: 'userAgent must be at most 256 characters' })
        .default(DEFAULT_USER_AGENT),
      /** Milliseconds between two requests to one host. */
      delay: int('delay', 0, 60_000, 'delay must be between 0 and 60000 ms').default(1000),
      /** Whether a retryable failure is retried by the system. */
      retryOnFailure: bool('retryOnFailure').default(true),
      /** Overrides the home page as the first URL; must be on the job's domain. */
      startUrl: z.url({ protocol: /^https?$/, error: 'startUrl must be an http(s) URL' }).max(2048).optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown config field: ${issue.keys.join(', ')}` : 'config must be an object') },
  );

export type JobConfig = z.output<typeof jobConfigSchema>;
export type JobConfigInput = z.input<typeof jobConfigSchema>;

export const defaultJobConfig = (): JobConfig => jobConfigSchema.parse({});
