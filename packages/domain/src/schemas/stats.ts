import { z } from 'zod';
import { jsonObject } from './json-object.ts';

const count = (field: string) =>
  z.number({ error: `stats.${field} must be a number` }).int({ error: `stats.${field} must be an integer` }).nonnegative({ error: `stats.${field} must not be negative` });
const amount = (field: string) =>
  z.number({ error: `stats.${field} must be a number` }).nonnegative({ error: `stats.${field} must not be negative` });

/** One failed URL, as the worker saw it. */
export const statsErrorSchema = z.object(
  {
    url: z.string({ error: 'stats.errors[].url must be a string' }).max(2048, { error: 'stats.errors[].url must be at most 2048 characters' }),
    error: z.string({ error: 'stats.errors[].error must be a string' }).max(1000, { error: 'stats.errors[].error must be at most 1000 characters' }),
    timestamp: z.string({ error: 'stats.errors[].timestamp must be a string' }).max(40, { error: 'stats.errors[].timestamp must be an ISO timestamp' }),
  },
  { error: 'stats.errors[] entries must be objects of url, error and timestamp' },
);

/**
 * The user's "Standard Statistics" and "E-commerce Specific Statistics" in one object.
 * Every field is optional (a PUT sends a patch, merged key by key into what is stored);
 * known fields are type-checked, unknown ones are kept as they are.
 */
export const jobStatsSchema = z.looseObject({
  pagesProcessed: count('pagesProcessed').optional(),
  totalPages: count('totalPages').optional(),
  successfulRequests: count('successfulRequests').optional(),
  failedRequests: count('failedRequests').optional(),
  /** ms */
  avgResponseTime: amount('avgResponseTime').optional(),
  /** ms */
  totalProcessingTime: amount('totalProcessingTime').optional(),
  bytesDownloaded: count('bytesDownloaded').optional(),
  dataExtracted: z
    .looseObject({
      products: count('dataExtracted.products').optional(),
      images: count('dataExtracted.images').optional(),
      links: count('dataExtracted.links').optional(),
      documents: count('dataExtracted.documents').optional(),
    })
    .optional(),
  /** Capped by the worker; the newest last. */
  errors: z.array(statsErrorSchema, { error: 'stats.errors must be a list' }).max(100, { error: 'stats.errors holds at most 100 entries' }).optional(),
  performance: z
    .looseObject({
      memoryUsage: z.string().max(32).optional(),
      cpuUsage: amount('performance.cpuUsage').optional(),
      networkLatency: amount('performance.networkLatency').optional(),
    })
    .optional(),
  products: z
    .looseObject({
      total: count('products.total').optional(),
      inStock: count('products.inStock').optional(),
      outOfStock: count('products.outOfStock').optional(),
      categories: z.array(z.string().max(200)).max(1000).optional(),
      priceRange: z.object({ min: z.number(), max: z.number(), average: z.number() }).optional(),
    })
    .optional(),
  inventory: z
    .looseObject({
      tracked: count('inventory.tracked').optional(),
      updated: count('inventory.updated').optional(),
      new: count('inventory.new').optional(),
      discontinued: count('inventory.discontinued').optional(),
    })
    .optional(),
});

export type JobStats = z.output<typeof jobStatsSchema>;

/** A stats patch: the stats shape, as an object of bounded size. */
export const jobStatsPatchSchema = jsonObject('stats').pipe(jobStatsSchema);
