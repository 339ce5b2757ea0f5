export { crawl } from './crawl.ts';
export { parseAllowList, EMPTY_ALLOW_LIST, type AllowList } from './net/allow-list.ts';
export { defaultResolver, type Resolver } from './net/resolver.ts';
export { isMetadataAddress, nonPublicRange } from './net/address-policy.ts';
export { OutboundGuard } from './net/outbound-guard.ts';
export { parseHtml, DOCUMENT_EXTENSIONS, type ParsedPage, type OutLink } from './extract/html-page.ts';
export { robotsAgent } from './robots.ts';
export { parseRetryAfter } from './errors.ts';
export type { ClassifiedError, CrawlOptions, CrawlOutcome, CrawlTarget, ErrorKind, ExtractedProduct, PageResult, PreviousProduct } from './types.ts';
