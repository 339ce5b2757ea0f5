import { PGlite } from '@electric-sql/pglite';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JOB_HISTORY_ACTIONS, JOB_STATUSES, JOB_TYPES, WEBHOOK_DELIVERY_STATUSES } from '@scrape-jobs/domain';
import { Prisma } from '../src/generated/prisma/client.ts';
import { applyMigrations, readMigrations } from '../src/migrate.ts';
import { DataDirInUseError, lockDataDir } from '../src/data-dir-lock.ts';
import { pgliteRunner } from '../src/open-database.ts';
import { recordAuditEvent } from '../src/audit-events-repository.ts';
import { createMigratedPglite, createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

describe('the migration runner', () => {
  test('applies every migration once, records its checksum, and is a no-op the second time', async () => {
    const db = await PGlite.create();
    try {
      const migrations = readMigrations();
      expect(await applyMigrations(pgliteRunner(db))).toEqual(migrations.map((m) => m.name));
      expect(await applyMigrations(pgliteRunner(db))).toEqual([]);
      const recorded = await db.query<{ migration_name: string; checksum: string }>('SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name');
      expect(recorded.rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
      expect(recorded.rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    } finally {
      await db.close();
    }
  });

  test('refuses a database whose applied migration differs from the file', async () => {
    const db = await createMigratedPglite();
    try {
      await db.query(`UPDATE _prisma_migrations SET checksum = repeat('0', 64)`);
      await expect(applyMigrations(pgliteRunner(db))).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  test('a failing migration leaves nothing behind', async () => {
    const db = await PGlite.create();
    try {
      const broken = [{ name: '1_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();', checksum: 'x'.repeat(64) }];
      await expect(applyMigrations(pgliteRunner(db), broken)).rejects.toThrow(/Migration 1_broken failed/);
      const tables = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
      expect(tables.rows).toHaveLength(0);
    } finally {
      await db.close();
    }
  });
});

describe('the job audit migration', () => {
  test('gives the rows written before it their action from their statuses, actor and reason', async () => {
    const db = await PGlite.create();
    try {
      const migrations = readMigrations();
      const audit = migrations.findIndex((m) => m.name.endsWith('_job_audit'));
      await applyMigrations(pgliteRunner(db), migrations.slice(0, audit));
      const { rows } = await db.query<{ id: string }>(`INSERT INTO scrape_jobs (domain) VALUES ('old.com') RETURNING id`);
      const old: Array<[string | null, string, string, string, string]> = [
        [null, 'pending', 'api', 'Created', 'created'],
        ['pending', 'running', 'worker:w1', 'Claimed', 'claimed'],
        ['running', 'pending', 'system', 'Claim expired: worker w1 sent no update before 2026-03-01T12:00:00.000Z', 'claim_expired'],
        ['pending', 'running', 'worker:w2', 'Claimed', 'claimed'],
        ['running', 'pending', 'worker:w2', 'Released by the worker: shutting down', 'released'],
        ['pending', 'running', 'worker:w3', 'Claimed', 'claimed'],
        ['running', 'failed', 'worker:w3', 'Connection reset', 'updated'],
        ['failed', 'pending', 'system', 'Automatic retry 1/3, claimable at 2026-03-01T12:00:05.000Z', 'auto_retried'],
        ['pending', 'running', 'api', 'Status updated', 'updated'],
        ['running', 'failed', 'api', 'Boom', 'updated'],
        ['failed', 'pending', 'api', 'Manual retry', 'retried'],
        ['pending', 'cancelled', 'api', 'Cancelled via API: not needed', 'cancelled'],
      ];
      for (const [from, to, actor, reason] of old) {
        await db.query(`INSERT INTO job_history (job_id, from_status, to_status, actor, reason) VALUES ($1, $2, $3, $4, $5)`, [rows[0]!.id, from, to, actor, reason]);
      }
      await applyMigrations(pgliteRunner(db), migrations);
      const after = await db.query<{ action: string; changes: unknown; key_id: null; request_id: null }>(`SELECT action, changes, key_id, request_id FROM job_history ORDER BY id`);
      expect(after.rows).toEqual(old.map(([, , , , action]) => ({ action, changes: {}, key_id: null, request_id: null })));
      await expect(db.query(`UPDATE job_history SET action = 'updated'`)).rejects.toThrow(/append-only/);
    } finally {
      await db.close();
    }
  });
});

describe('schema.prisma and the migrations agree', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(async () => t?.destroy());

  const columns = async (table: string) =>
    (await t.db.prisma.$queryRaw<Array<{ column_name: string }>>`SELECT column_name FROM information_schema.columns WHERE table_name = ${table} ORDER BY column_name`).map((r) => r.column_name);
  const enumValues = async (name: string) =>
    (await t.db.prisma.$queryRaw<Array<{ v: string }>>`SELECT e.enumlabel AS v FROM pg_enum e JOIN pg_type ty ON ty.oid = e.enumtypid WHERE ty.typname = ${name} ORDER BY e.enumsortorder`).map((r) => r.v);

  test('the tables have exactly the models’ columns', async () => {
    expect(await columns('scrape_jobs')).toEqual(Object.values(Prisma.ScrapeJobScalarFieldEnum).sort());
    expect(await columns('job_history')).toEqual(Object.values(Prisma.JobHistoryScalarFieldEnum).sort());
    expect(await columns('page_results')).toEqual(Object.values(Prisma.PageResultScalarFieldEnum).sort());
    expect(await columns('api_keys')).toEqual(Object.values(Prisma.ApiKeyScalarFieldEnum).sort());
    expect(await columns('audit_events')).toEqual(Object.values(Prisma.AuditEventScalarFieldEnum).sort());
    expect(await columns('webhook_endpoints')).toEqual(Object.values(Prisma.WebhookEndpointScalarFieldEnum).sort());
    expect(await columns('webhook_events')).toEqual(Object.values(Prisma.WebhookEventScalarFieldEnum).sort());
    expect(await columns('webhook_deliveries')).toEqual(Object.values(Prisma.WebhookDeliveryScalarFieldEnum).sort());
    expect(await columns('webhook_attempts')).toEqual(Object.values(Prisma.WebhookAttemptScalarFieldEnum).sort());
    expect(await columns('webhook_progress_marks')).toEqual(Object.values(Prisma.WebhookProgressMarkScalarFieldEnum).sort());
  });

  test('the database enums are the domain lists, in order', async () => {
    expect(await enumValues('job_status')).toEqual([...JOB_STATUSES]);
    expect(await enumValues('job_type')).toEqual([...JOB_TYPES]);
    expect(await enumValues('webhook_delivery_status')).toEqual([...WEBHOOK_DELIVERY_STATUSES]);
  });
});

describe('invariants the database keeps by itself', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(async () => t?.destroy());

  const insert = (values: string) => t.db.prisma.$executeRawUnsafe(`INSERT INTO scrape_jobs (domain, status, priority, completed_at, claim_expires_at) VALUES ${values}`);

  test.each([
    ["('a.com', 'pending', 11, NULL, NULL)", 'scrape_jobs_priority_range'],
    ["('a.com', 'completed', 5, NULL, NULL)", 'scrape_jobs_completed_at_iff_finished'],
    ["('a.com', 'pending', 5, now(), NULL)", 'scrape_jobs_completed_at_iff_finished'],
    ["('a.com', 'running', 5, NULL, NULL)", 'scrape_jobs_claim_iff_running'],
    ["('A.com', 'pending', 5, NULL, NULL)", 'scrape_jobs_domain_lower'],
  ])('refuses %s (%s)', async (values, constraint) => {
    await expect(insert(values)).rejects.toThrow(constraint);
  });

  test('one active job per domain and type, any number of finished ones', async () => {
    await insert("('one.com', 'completed', 5, now(), NULL)");
    await insert("('one.com', 'completed', 5, now(), NULL)");
    await insert("('one.com', 'pending', 5, NULL, NULL)");
    await expect(insert("('one.com', 'running', 5, NULL, now())")).rejects.toThrow(/scrape_jobs_one_active_per_domain_idx|unique/i);
    await t.db.prisma.$executeRawUnsafe(`INSERT INTO scrape_jobs (domain, job_type) VALUES ('one.com', 'single_page')`);
  });

  test('history is append-only', async () => {
    const [job] = await t.db.prisma.$queryRaw<Array<{ id: string }>>`INSERT INTO scrape_jobs (domain) VALUES ('hist.com') RETURNING id`;
    await t.db.prisma.$executeRaw`INSERT INTO job_history (job_id, action, to_status, actor) VALUES (${job!.id}::uuid, 'created', 'pending', 'test')`;
    await expect(t.db.prisma.$executeRaw`UPDATE job_history SET actor = 'someone else'`).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.$executeRaw`UPDATE job_history SET changes = '{"priority":{"old":5,"new":1}}'`).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.$executeRaw`DELETE FROM job_history`).rejects.toThrow(/append-only/);
  });

  test('the audit trail is append-only', async () => {
    await recordAuditEvent(t.db.prisma, { actor: 'test', keyId: null, requestId: null, action: 'thing.done', subjectType: 'thing', subjectId: '1', changes: {}, tenantId: null });
    await expect(t.db.prisma.$executeRaw`UPDATE audit_events SET actor = 'someone else'`).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.$executeRaw`DELETE FROM audit_events`).rejects.toThrow(/append-only/);
  });

  test('api keys: a known role, a sha256 hash, each hash once', async () => {
    const insert = (role: string, hash: string) => t.db.prisma.$executeRawUnsafe(`INSERT INTO api_keys (name, role, key_hash, key_prefix) VALUES ('k', '${role}', '${hash}', 'sjk_')`);
    await expect(insert('root', 'a'.repeat(64))).rejects.toThrow(/api_keys_role_known/);
    await expect(insert('viewer', 'not-a-hash')).rejects.toThrow(/api_keys_hash_sha256/);
    await insert('viewer', 'b'.repeat(64));
    await expect(insert('admin', 'b'.repeat(64))).rejects.toThrow(/api_keys_key_hash_idx|unique/i);
  });

  test('history knows only the documented actions, and changes are an object', async () => {
    const [job] = await t.db.prisma.$queryRaw<Array<{ id: string }>>`INSERT INTO scrape_jobs (domain) VALUES ('actions.com') RETURNING id`;
    for (const action of JOB_HISTORY_ACTIONS) {
      await t.db.prisma.$executeRaw`INSERT INTO job_history (job_id, action, to_status, actor) VALUES (${job!.id}::uuid, ${action}, 'pending', 'test')`;
    }
    await expect(t.db.prisma.$executeRaw`INSERT INTO job_history (job_id, action, to_status, actor) VALUES (${job!.id}::uuid, 'deleted', 'pending', 'test')`).rejects.toThrow(
      /job_history_action_known/,
    );
    await expect(
      t.db.prisma.$executeRaw`INSERT INTO job_history (job_id, action, to_status, actor, changes) VALUES (${job!.id}::uuid, 'updated', 'pending', 'test', '[]')`,
    ).rejects.toThrow(/job_history_changes_object/);
  });

  test('job_audit_changes lists the differing columns old → new, timestamps in UTC, without id, updated_at and claim_token', async () => {
    const diff = async (before: unknown, after: unknown) =>
      (await t.db.prisma.$queryRaw<Array<{ d: unknown }>>`SELECT job_audit_changes(${JSON.stringify(before)}::jsonb, ${JSON.stringify(after)}::jsonb) AS d`)[0]!.d;
    const before = { id: 'a', status: 'pending', priority: 5, metadata: { a: 1 }, worker_id: 'w1', claim_token: 'secret-1', updated_at: '2026-03-01T12:00:00+00:00', started_at: null };
    const after = { ...before, id: 'b', status: 'running', metadata: { a: 1, b: 2 }, worker_id: null, claim_token: 'secret-2', updated_at: '2026-03-01T13:00:00+00:00', started_at: '2026-03-01T14:00:00.5+01:00' };
    expect(await diff(before, after)).toEqual({
      status: { old: 'pending', new: 'running' },
      metadata: { old: { a: 1 }, new: { a: 1, b: 2 } },
      worker_id: { old: 'w1', new: null },
      started_at: { old: null, new: '2026-03-01T13:00:00.500Z' },
    });
    expect(await diff(before, before)).toEqual({});
    // No "before" (a creation): every column that has a value.
    expect(await diff(null, { id: 'a', status: 'pending', error_message: null, priority: 5 })).toEqual({ status: { old: null, new: 'pending' }, priority: { old: null, new: 5 } });
  });

  test('jsonb_merge_deep merges objects key by key and replaces arrays and scalars', async () => {
    const [row] = await t.db.prisma.$queryRaw<Array<{ m: unknown }>>`
      SELECT jsonb_merge_deep('{"a":{"b":1,"c":{"d":2}},"x":[1,2],"s":"old"}'::jsonb, '{"a":{"c":{"e":3}},"x":[3],"s":{"now":"object"},"n":null}'::jsonb) AS m`;
    expect(row!.m).toEqual({ a: { b: 1, c: { d: 2, e: 3 } }, x: [3], s: { now: 'object' }, n: null });
  });
});

describe('the PGlite data-directory lock', () => {
  test('a live owner keeps the directory; a dead owner’s lock is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-lock-'));
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'scrape-jobs.lock'), String(owner.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(`in use by another process (pid ${owner.pid})`);
    } finally {
      owner.kill('SIGKILL');
      await new Promise((resolve) => owner.once('exit', resolve));
    }
    const lock = lockDataDir(dir);
    lock.release();
    lockDataDir(dir).release();
  });
});
