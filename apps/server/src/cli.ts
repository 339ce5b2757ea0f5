/**
 * `npm run keys -- <command>`: API key management from a shell, on the database the server
 * uses (DATABASE_URL, or PGlite under DATA_DIR).
 *
 *   keys create --name <name> --role <admin|operator|viewer|worker> [--tenant <uuid>] [--json]
 *   keys list [--json]
 *   keys revoke <id>
 *
 * Key creation and revocation are recorded in the audit trail with the actor `cli`.
 */
import { createAccessService, OPEN_CALLER, type Caller } from '@scrape-jobs/api';
import { DataDirInUseError, openDatabase, type Database } from '@scrape-jobs/db';
import { apiKeyIdSchema, createApiKeyInputSchema, parseInput, ROLES, type ApiKeyView } from '@scrape-jobs/domain';
import { parseArgs } from 'node:util';
import { parseDatabaseEnv } from './env.ts';

const USAGE = `Usage:
  keys create --name <name> --role <${ROLES.join('|')}> [--tenant <customer_config_id>] [--json]
  keys list [--json]
  keys revoke <id>`;

const CLI_CALLER: Caller = { ...OPEN_CALLER, actor: 'cli' };

class UsageError extends Error {}

async function openStore(): Promise<Database> {
  const env = parseDatabaseEnv();
  try {
    return await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      throw new Error(
        `${error.message}\nThe embedded database can be opened by one process at a time, so keys cannot be managed while the server runs on it: ` +
          'stop the server first, or manage keys through the API (POST /api/keys with an admin key), or use PostgreSQL (DATABASE_URL).',
      );
    }
    throw error;
  }
}

function table(keys: ApiKeyView[]): string {
  if (keys.length === 0) return 'No API keys.';
  const rows = keys.map((k) => [k.id, k.name, k.role, k.tenant_id ?? '-', `${k.key_prefix}…`, k.created_at, k.revoked_at ? `revoked ${k.revoked_at}` : 'active', k.last_used_at ?? 'never']);
  const header = ['ID', 'NAME', 'ROLE', 'TENANT', 'PREFIX', 'CREATED', 'STATUS', 'LAST USED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

async function run(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  if (group !== 'keys' || !command) throw new UsageError(USAGE);
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: rest,
        allowPositionals: true,
        options: { name: { type: 'string' }, role: { type: 'string' }, tenant: { type: 'string' }, json: { type: 'boolean', default: false } },
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
  })();

  if (command === 'create') {
    const input = parseInput(createApiKeyInputSchema, { name: values.name, role: values.role, tenant_id: values.tenant });
    const db = await openStore();
    try {
      const key = await createAccessService({ db }).createKey(input, CLI_CALLER);
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ id: key.id, key: key.key, name: key.name, role: key.role, tenant_id: key.tenant_id })}\n`);
      } else {
        process.stdout.write(
          `Created ${key.role} key "${key.name}" (id ${key.id}${key.tenant_id ? `, tenant ${key.tenant_id}` : ''}).\n` +
            `Key (shown only this once; store it now):\n${key.key}\n`,
        );
      }
    } finally {
      await db.close();
    }
    return;
  }
  if (command === 'list') {
    const db = await openStore();
    try {
      const keys = await createAccessService({ db }).listKeys({ include_revoked: true }, CLI_CALLER);
      process.stdout.write(`${values.json ? JSON.stringify(keys) : table(keys)}\n`);
    } finally {
      await db.close();
    }
    return;
  }
  if (command === 'revoke') {
    if (positionals.length !== 1) throw new UsageError(`keys revoke needs exactly one key id\n${USAGE}`);
    const id = parseInput(apiKeyIdSchema, positionals[0]);
    const db = await openStore();
    try {
      const key = await createAccessService({ db }).revokeKey(id, CLI_CALLER);
      process.stdout.write(values.json ? `${JSON.stringify(key)}\n` : `Revoked key "${key.name}" (${key.id}) at ${key.revoked_at}.\n`);
    } finally {
      await db.close();
    }
    return;
  }
  throw new UsageError(`Unknown command: keys ${command}\n${USAGE}`);
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const details = (error as { details?: unknown }).details;
    process.stderr.write(`${message}${details && typeof details === 'object' ? '' : details ? `: ${details}` : ''}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
