export { openDatabase, type Database, type OpenDatabaseOptions, type Prisma } from './open-database.ts';
export { DataDirInUseError } from './data-dir-lock.ts';
export { ALWAYS_ANNOUNCED_STATUSES } from './change-listener.ts';
export { applyMigrations, readMigrations, findMigrationsDir } from './migrate.ts';
export { asInvalidText, asUnavailable, isUniqueViolation, sqlState } from './db-errors.ts';
export * from './jobs-repository.ts';
export * from './queue.ts';
export { computeJobStats, type StatsSource } from './stats/report.ts';
export { foldJobStats } from './stats/fold.ts';
export type { StatsScope } from './stats/figures.ts';
export type { JobRow } from './job-row.ts';
export { JobStatus as PrismaJobStatus, JobType as PrismaJobType } from './generated/prisma/enums.ts';
export { CLAIM_HOLDER, SYSTEM_ACTOR, type AuditActor, type HistoryInsert } from './sql.ts';
export { insertPageResults, listPageResults } from './page-results-repository.ts';
export { insertApiKey, findActiveApiKeyByHash, findApiKey, listApiKeys, revokeApiKey, touchApiKey, toApiKeyView, type ApiKeyRow } from './api-keys-repository.ts';
export { recordAuditEvent, listAuditEvents, type AuditEventInsert } from './audit-events-repository.ts';

export * from './webhooks-repository.ts';
