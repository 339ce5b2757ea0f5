import { z } from 'zod';
import { claimTokenSchema, jobIdSchema } from './inputs.ts';
const count = (field: string) => z.number({ error: `${field} must be a number` }).int({ error: `${field} must be an integer` }).min(0, { error: `${field} must not be negative` });
const text = (field: string, max: number) => z.string({ error: `${field} must be a string` }).max(max, { error: `${field} must be at most ${max} characters` });

/** A product found on a page (schema.org JSON-LD, microdata or Open Graph tags). */
export const extractedProductSchema = z.object({
  name: text('products[].name', 500),
  price: z.number().nullable(),
  currency: text('products[].currency', 10).nullable(),
  availability: z.enum(['in_stock', 'out_of_stock', 'unknown']),
  category: text('products[].category', 200).nullable(),
  image: text('products[].image', 2048).nullable(),
  url: text('products[].url', 2048),
  sku: text('products[].sku', 200).nullable(),
  source: z.enum(['json-ld', 'microdata', 'open-graph']),
});
export type ExtractedProductRecord = z.output<typeof extractedProductSchema>;

/** One fetched page as a worker reports it and `scrapeJobs.results` returns it. */
export const pageResultSchema = z.object({
  url: text('url', 2048),
  status: z.number().int().min(0).max(999).nullable(),
  title: text('title', 1000).nullable(),
  depth: count('depth'),
  products: z.array(extractedProductSchema).max(1000, { error: 'a page holds at most 1000 products' }),
  images: count('images'),
  links: count('links'),
  documents: count('documents'),
  bytes: count('bytes'),
  response_time_ms: count('response_time_ms'),
  error: text('error', 1000).nullable(),
  fetched_at: z.iso.datetime({ offset: true, error: 'fetched_at must be an ISO-8601 timestamp' }),
});
export type PageResultRecord = z.output<typeof pageResultSchema>;

export const MAX_PAGES_PER_REPORT = 200;

/** `queue.reportPages`: a batch of page results from the worker holding the claim. */
export const reportPagesInputSchema = z.strictObject({
  id: jobIdSchema,
  claim_token: claimTokenSchema,
  pages: z
    .array(pageResultSchema, { error: 'pages must be a list' })
    .min(1, { error: 'pages must hold at least one page' })
    .max(MAX_PAGES_PER_REPORT, { error: `pages holds at most ${MAX_PAGES_PER_REPORT} pages per report` }),
});
export type ReportPagesInput = z.input<typeof reportPagesInputSchema>;
