-- The change feed and the webhook outbox of a job UPDATE, once per statement instead of once
-- per row. A batch claim or completion of 100 jobs ran each row trigger 100 times (about
-- half of its time in the database went to them); a statement trigger reads the statement's
-- old and new rows together and does each thing in one set-based query. Creations stay row
-- triggers: an INSERT makes one job. And most updates are announced only while someone
-- watches (job_feed_watchers below).

-- A job change as the feed announces it (JobChange in packages/domain).
CREATE FUNCTION "scrape_job_change_json"(job "scrape_jobs", old_status "job_status") RETURNS JSON
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'job_id', job."id",
        'domain', job."domain",
        'customer_config_id', job."customer_config_id",
        'old_status', old_status,
        'new_status', job."status",
        'updated_at', to_char(job."updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

-- Every payload on `scrape_job_changes` is now a JSON array of changes.
CREATE OR REPLACE FUNCTION "scrape_jobs_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('scrape_job_changes', json_build_array("scrape_job_change_json"(NEW, NULL))::text);
    RETURN NULL;
END;
$$;

-- Who watches the feed's updates: each process with a live subscriber (a dashboard, a tRPC
-- subscription) holds a lease here and renews it (packages/db/src/feed-lease.ts).
CREATE TABLE "job_feed_watchers" (
    "watcher_id" UUID           NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_feed_watchers_pkey" PRIMARY KEY ("watcher_id")
);

-- An UPDATE's changes. Always announced: the changes that move a job into pending or
-- cancelled, work to take or to stop (workers wait on them). The others only while someone
-- listens for them: a live watcher, or an active webhook endpoint (the dispatcher wakes on
-- them). A NOTIFY makes the commits of all notifying transactions wait for one another, fsync
-- included: with 8 claimers and no one watching, announcing every claim and completion cost
-- the queue a third of its throughput. Creations are always announced (the row trigger).
-- 15 changes to a notification: a payload must stay under 8000 bytes, and a change is at
-- most about 450 (a 253-character domain).
CREATE FUNCTION "scrape_jobs_notify_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    watched BOOLEAN := EXISTS (SELECT FROM "job_feed_watchers" w WHERE w."expires_at" > now())
                       OR EXISTS (SELECT FROM "webhook_endpoints" e WHERE e."active");
    payload TEXT;
BEGIN
    FOR payload IN
        SELECT json_agg(c.change)::text
        FROM (SELECT "scrape_job_change_json"(n, o."status") AS change, (row_number() OVER () - 1) / 15 AS chunk
              FROM old_rows o JOIN new_rows n ON n."id" = o."id"
              WHERE watched OR (n."status" IN ('pending', 'cancelled') AND n."status" IS DISTINCT FROM o."status")) c
        GROUP BY c.chunk
    LOOP
        PERFORM pg_notify('scrape_job_changes', payload);
    END LOOP;
    RETURN NULL;
END;
$$;

DROP TRIGGER "scrape_jobs_notify" ON "scrape_jobs";
CREATE TRIGGER "scrape_jobs_notify_insert" AFTER INSERT ON "scrape_jobs"
    FOR EACH ROW EXECUTE FUNCTION "scrape_jobs_notify_change"();
CREATE TRIGGER "scrape_jobs_notify_update" AFTER UPDATE ON "scrape_jobs"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "scrape_jobs_notify_changes"();

-- The outbox of an UPDATE, the same events as the row trigger (20261203040000_webhooks) queues
-- for its INSERTs: job_status_changed for every job whose status changed, to every matching
-- active endpoint; job_progress for every running job whose stats changed, at most once per
-- endpoint's interval. A job leaving running drops its throttle marks. With no active
-- endpoint, that drop is all it does.
CREATE FUNCTION "scrape_jobs_webhook_outbox_updates"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "webhook_progress_marks" m USING old_rows o, new_rows n
    WHERE m."job_id" = o."id" AND n."id" = o."id" AND o."status" = 'running' AND n."status" <> 'running';
    IF NOT EXISTS (SELECT FROM "webhook_endpoints" e WHERE e."active") THEN
        RETURN NULL;
    END IF;

    WITH changed AS (
        SELECT n.*, o."status" AS old_status FROM old_rows o JOIN new_rows n ON n."id" = o."id"
        WHERE o."status" IS DISTINCT FROM n."status"
    ), due AS (
        SELECT c."id" AS job_id, e."id" AS endpoint_id FROM changed c
        JOIN "webhook_endpoints" e ON e."active" AND 'job_status_changed' = ANY (e."events")
                                  AND (e."tenant_id" IS NULL OR e."tenant_id" = c."customer_config_id")
    ), events AS (
        INSERT INTO "webhook_events" ("id", "type", "job_id", "tenant_id", "payload")
        SELECT webhook_event_id(), 'job_status_changed', c."id", c."customer_config_id", jsonb_build_object(
            'event', 'job_status_changed',
            'job_id', c."id",
            'domain', c."domain",
            'old_status', c.old_status,
            'new_status', c."status",
            'stats', c."stats",
            'timestamp', to_char(c."updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM changed c WHERE c."id" IN (SELECT job_id FROM due)
        RETURNING "id", "job_id"
    )
    INSERT INTO "webhook_deliveries" ("event_id", "endpoint_id", "job_id")
    SELECT ev."id", d.endpoint_id, d.job_id FROM events ev JOIN due d ON d.job_id = ev."job_id";

    IF NOT EXISTS (SELECT FROM "webhook_endpoints" e WHERE e."active" AND 'job_progress' = ANY (e."events")) THEN
        RETURN NULL;
    END IF;
    WITH progressed AS (
        SELECT n.* FROM old_rows o JOIN new_rows n ON n."id" = o."id"
        WHERE o."status" = 'running' AND n."status" = 'running' AND o."stats" IS DISTINCT FROM n."stats"
    ), marked AS (
        INSERT INTO "webhook_progress_marks" AS m ("job_id", "endpoint_id", "sent_at", "interval_ms")
        SELECT p."id", e."id", now(), e."progress_interval_ms" FROM progressed p
        JOIN "webhook_endpoints" e ON e."active" AND 'job_progress' = ANY (e."events")
                                  AND (e."tenant_id" IS NULL OR e."tenant_id" = p."customer_config_id")
        ON CONFLICT ("job_id", "endpoint_id") DO UPDATE
            SET "sent_at" = EXCLUDED."sent_at", "interval_ms" = EXCLUDED."interval_ms"
            WHERE m."sent_at" + make_interval(secs => EXCLUDED."interval_ms" / 1000.0) <= EXCLUDED."sent_at"
        RETURNING m."job_id", m."endpoint_id"
    ), events AS (
        INSERT INTO "webhook_events" ("id", "type", "job_id", "tenant_id", "payload")
        SELECT webhook_event_id(), 'job_progress', p."id", p."customer_config_id", jsonb_build_object(
            'event', 'job_progress',
            'job_id', p."id",
            'domain', p."domain",
            'status', p."status",
            'stats', p."stats",
            'timestamp', to_char(p."updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM progressed p WHERE p."id" IN (SELECT job_id FROM marked)
        RETURNING "id", "job_id"
    )
    INSERT INTO "webhook_deliveries" ("event_id", "endpoint_id", "job_id")
    SELECT ev."id", mk.endpoint_id, mk.job_id FROM events ev JOIN marked mk ON mk.job_id = ev."job_id";
    RETURN NULL;
END;
$$;

DROP TRIGGER "scrape_jobs_webhook_outbox" ON "scrape_jobs";
CREATE TRIGGER "scrape_jobs_webhook_outbox_insert" AFTER INSERT ON "scrape_jobs"
    FOR EACH ROW EXECUTE FUNCTION "scrape_jobs_webhook_outbox"();
CREATE TRIGGER "scrape_jobs_webhook_outbox_update" AFTER UPDATE ON "scrape_jobs"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "scrape_jobs_webhook_outbox_updates"();
