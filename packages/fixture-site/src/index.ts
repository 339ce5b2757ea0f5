export { FIXTURE, type Fixture } from './catalogue.ts';
export { startFixtureSite, type FixtureSiteOptions, type RunningFixtureSite } from './server.ts';
export { RequestLog, type LoggedRequest } from './request-log.ts';
export { expectedCrawl, pageTruth, type PageTruth } from './truth.ts';
export { isDocument, linkTarget, type Reach, type ReachOptions, type ReachedPage } from './reachable.ts';
export type * from './types.ts';
