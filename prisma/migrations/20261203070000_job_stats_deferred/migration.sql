-- The stats rollups, deferred. A job write no longer updates the rollup tables itself (about
-- 0.2 ms a statement, and concurrent claimers and finishers queued on the same rollup rows'
-- locks): its statement trigger appends the statement's changes to job_stats_changes, a heap
-- without indexes where appends take no lock another writer waits for. job_stats_fold()
-- moves them into the rollups in one set-based pass (the server runs it every few seconds,
-- and the stats report before it reads). Readers read the *_live views, the rollup rows plus
-- the changes not folded yet, so the figures stay exact and of one snapshot whether or not a
-- fold has run; a fold is one transaction, so a reader sees the changes either pending or
-- folded, never both or neither.

-- A job's contribution to the rollups: one row per job per statement that changed something
-- the rollups count, sign -1 for its old row and +1 for its new one (job_stats_deltas).
CREATE TABLE "job_stats_changes" (
    "sign"                INTEGER      NOT NULL,
    "customer_config_id"  UUID,
    "status"              "job_status" NOT NULL,
    "job_type"            "job_type"   NOT NULL,
    "priority"            INTEGER      NOT NULL,
    "domain"              TEXT         NOT NULL,
    "error_message"       TEXT,
    "retry_count"         INTEGER      NOT NULL,
    "created_at"          TIMESTAMPTZ  NOT NULL,
    "completed_at"        TIMESTAMPTZ,
    "shard"               SMALLINT     NOT NULL,
    "started"             INTEGER      NOT NULL,
    "wait_seconds"        NUMERIC      NOT NULL,
    "timed"               INTEGER      NOT NULL,
    "timed_seconds"       NUMERIC      NOT NULL,
    "timed_pages"         NUMERIC      NOT NULL,
    "paged"               INTEGER      NOT NULL,
    "pages"               NUMERIC      NOT NULL,
    "successful_requests" NUMERIC      NOT NULL,
    "failed_requests"     NUMERIC      NOT NULL
);

DROP FUNCTION "job_stats_apply"("scrape_jobs"[], "scrape_jobs"[]);
DROP FUNCTION "job_stats_deltas"("scrape_jobs"[], "scrape_jobs"[]);

-- Each job of `olds` (sign -1) and `news` (+1) with the values the rollups add up.
CREATE FUNCTION "job_stats_deltas"(olds "scrape_jobs"[], news "scrape_jobs"[]) RETURNS SETOF "job_stats_changes"
LANGUAGE sql STABLE AS $$
    SELECT d.sign, d.customer_config_id, d.status, d.job_type, d.priority, d.domain, d.error_message, d.retry_count,
           d.created_at, d.completed_at, (get_byte(uuid_send(d.id), 15) % 8)::smallint,
           (d.started_at IS NOT NULL)::int,
           COALESCE(EXTRACT(EPOCH FROM (d.started_at - d.created_at)), 0),
           (d.started_at IS NOT NULL AND d.completed_at IS NOT NULL)::int,
           CASE WHEN d.started_at IS NOT NULL AND d.completed_at IS NOT NULL THEN "job_duration_seconds"(d.started_at, d.completed_at) ELSE 0 END,
           CASE WHEN d.started_at IS NOT NULL AND d.completed_at IS NOT NULL THEN "job_stat_number"(d.stats, 'pagesProcessed') ELSE 0 END,
           COALESCE(jsonb_typeof(d.stats -> 'pagesProcessed') = 'number', false)::int,
           "job_stat_number"(d.stats, 'pagesProcessed'),
           "job_stat_number"(d.stats, 'successfulRequests'),
           "job_stat_number"(d.stats, 'failedRequests')
    FROM (SELECT -1 AS sign, o.* FROM unnest(olds) o
          UNION ALL
          SELECT 1, n.* FROM unnest(news) n) d
$$;

-- What changes add to each rollup, one row per change (and per scope where the rollup has
-- all_jobs rows), not yet summed: the fold sums them into the tables, the *_pending views
-- below show them to readers. SQL functions of an array, so both inline them.
CREATE FUNCTION "job_stats_totals_of"(changes "job_stats_changes"[]) RETURNS SETOF "job_stats_totals"
LANGUAGE sql STABLE AS $$
    SELECT d.customer_config_id, d.status, d.shard, d.sign::bigint,
           (CASE WHEN d.job_type = 'domain_scrape' THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.job_type = 'single_page' THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.job_type = 'sitemap_crawl' THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.job_type = 'product_catalog' THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.job_type = 'content_update' THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 1 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 2 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 3 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 4 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 5 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 6 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 7 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 8 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 9 THEN d.sign ELSE 0 END)::bigint,
           (CASE WHEN d.priority = 10 THEN d.sign ELSE 0 END)::bigint,
           (d.sign * d.started)::bigint, d.sign * d.wait_seconds,
           (d.sign * d.timed)::bigint, d.sign * d.timed_seconds, d.sign * d.timed_pages,
           (d.sign * d.paged)::bigint, d.sign * d.pages, d.sign * d.successful_requests, d.sign * d.failed_requests,
           (CASE WHEN d.retry_count > 0 THEN d.sign ELSE 0 END)::bigint, (d.sign * d.retry_count)::bigint
    FROM unnest(changes) d
$$;

-- The trends: a change counts at its created_at hour (created) and at its completed_at hour
-- (completed, finished).
CREATE FUNCTION "job_stats_hourly_of"(changes "job_stats_changes"[]) RETURNS SETOF "job_stats_hourly"
LANGUAGE sql STABLE AS $$
    SELECT a.all_jobs, CASE WHEN a.all_jobs THEN NULL ELSE d.customer_config_id END, e.hour, (d.shard % 4)::smallint,
           e.created, e.completed, e.finished
    FROM unnest(changes) d
    CROSS JOIN (VALUES (true), (false)) a(all_jobs)
    CROSS JOIN LATERAL (VALUES
        (floor(EXTRACT(EPOCH FROM d.created_at) / 3600)::int, d.sign::bigint, 0::bigint, 0::bigint),
        (floor(EXTRACT(EPOCH FROM d.completed_at) / 3600)::int, 0::bigint,
         (CASE WHEN d.status = 'completed' THEN d.sign ELSE 0 END)::bigint, d.sign::bigint)) e(hour, created, completed, finished)
    WHERE e.hour IS NOT NULL
$$;

CREATE FUNCTION "job_stats_durations_of"(changes "job_stats_changes"[]) RETURNS SETOF "job_stats_durations"
LANGUAGE sql STABLE AS $$
    SELECT a.all_jobs, CASE WHEN a.all_jobs THEN NULL ELSE d.customer_config_id END, "job_duration_bucket"(d.timed_seconds), d.sign::bigint
    FROM unnest(changes) d CROSS JOIN (VALUES (true), (false)) a(all_jobs)
    WHERE d.timed = 1
$$;

CREATE FUNCTION "job_stats_errors_of"(changes "job_stats_changes"[]) RETURNS SETOF "job_stats_errors"
LANGUAGE sql STABLE AS $$
    SELECT a.all_jobs, CASE WHEN a.all_jobs THEN NULL ELSE d.customer_config_id END, md5(d.error_message)::uuid, d.error_message, d.sign::bigint
    FROM unnest(changes) d CROSS JOIN (VALUES (true), (false)) a(all_jobs)
    WHERE d.status = 'failed' AND d.error_message IS NOT NULL
$$;

CREATE FUNCTION "job_stats_domains_of"(changes "job_stats_changes"[]) RETURNS SETOF "job_stats_domains"
LANGUAGE sql STABLE AS $$
    SELECT a.all_jobs, CASE WHEN a.all_jobs THEN NULL ELSE d.customer_config_id END, d.domain, d.sign::bigint,
           (CASE WHEN d.status = 'failed' THEN d.sign ELSE 0 END)::bigint
    FROM unnest(changes) d CROSS JOIN (VALUES (true), (false)) a(all_jobs)
$$;

-- Adds `changes` to every rollup in one statement. Rows whose net change is zero are not
-- written. Each upsert takes its rows in key order.
CREATE FUNCTION "job_stats_add"(changes "job_stats_changes"[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF COALESCE(cardinality(changes), 0) = 0 THEN
        RETURN;
    END IF;
    WITH totals AS (
        INSERT INTO "job_stats_totals" AS t
        SELECT a.* FROM (
            SELECT c.customer_config_id, c.status, c.shard,
                   sum(c."jobs") AS "jobs",
                   sum(c."type_domain_scrape") AS "type_domain_scrape", sum(c."type_single_page") AS "type_single_page",
                   sum(c."type_sitemap_crawl") AS "type_sitemap_crawl", sum(c."type_product_catalog") AS "type_product_catalog",
                   sum(c."type_content_update") AS "type_content_update",
                   sum(c."priority_1") AS "priority_1", sum(c."priority_2") AS "priority_2", sum(c."priority_3") AS "priority_3",
                   sum(c."priority_4") AS "priority_4", sum(c."priority_5") AS "priority_5", sum(c."priority_6") AS "priority_6",
                   sum(c."priority_7") AS "priority_7", sum(c."priority_8") AS "priority_8", sum(c."priority_9") AS "priority_9",
                   sum(c."priority_10") AS "priority_10",
                   sum(c."started") AS "started", sum(c."wait_seconds") AS "wait_seconds",
                   sum(c."timed") AS "timed", sum(c."timed_seconds") AS "timed_seconds", sum(c."timed_pages") AS "timed_pages",
                   sum(c."paged") AS "paged", sum(c."pages") AS "pages",
                   sum(c."successful_requests") AS "successful_requests", sum(c."failed_requests") AS "failed_requests",
                   sum(c."retried") AS "retried", sum(c."retries") AS "retries"
            FROM "job_stats_totals_of"(changes) c
            GROUP BY c.customer_config_id, c.status, c.shard) a
        WHERE a."jobs" <> 0 OR a."type_domain_scrape" <> 0 OR a."type_single_page" <> 0 OR
          a."type_sitemap_crawl" <> 0 OR a."type_product_catalog" <> 0 OR a."type_content_update" <> 0 OR
          a."priority_1" <> 0 OR a."priority_2" <> 0 OR a."priority_3" <> 0 OR a."priority_4" <> 0 OR
          a."priority_5" <> 0 OR a."priority_6" <> 0 OR a."priority_7" <> 0 OR a."priority_8" <> 0 OR
          a."priority_9" <> 0 OR a."priority_10" <> 0 OR a."started" <> 0 OR a."wait_seconds" <> 0 OR
          a."timed" <> 0 OR a."timed_seconds" <> 0 OR a."timed_pages" <> 0 OR a."paged" <> 0 OR
          a."pages" <> 0 OR a."successful_requests" <> 0 OR a."failed_requests" <> 0 OR a."retried" <> 0 OR
          a."retries" <> 0
        ORDER BY a.customer_config_id NULLS FIRST, a.status, a.shard
        ON CONFLICT ("customer_config_id", "status", "shard") DO UPDATE SET
            "jobs" = t."jobs" + EXCLUDED."jobs",
            "type_domain_scrape" = t."type_domain_scrape" + EXCLUDED."type_domain_scrape",
            "type_single_page" = t."type_single_page" + EXCLUDED."type_single_page",
            "type_sitemap_crawl" = t."type_sitemap_crawl" + EXCLUDED."type_sitemap_crawl",
            "type_product_catalog" = t."type_product_catalog" + EXCLUDED."type_product_catalog",
            "type_content_update" = t."type_content_update" + EXCLUDED."type_content_update",
            "priority_1" = t."priority_1" + EXCLUDED."priority_1",
            "priority_2" = t."priority_2" + EXCLUDED."priority_2",
            "priority_3" = t."priority_3" + EXCLUDED."priority_3",
            "priority_4" = t."priority_4" + EXCLUDED."priority_4",
            "priority_5" = t."priority_5" + EXCLUDED."priority_5",
            "priority_6" = t."priority_6" + EXCLUDED."priority_6",
            "priority_7" = t."priority_7" + EXCLUDED."priority_7",
            "priority_8" = t."priority_8" + EXCLUDED."priority_8",
            "priority_9" = t."priority_9" + EXCLUDED."priority_9",
            "priority_10" = t."priority_10" + EXCLUDED."priority_10",
            "started" = t."started" + EXCLUDED."started",
            "wait_seconds" = t."wait_seconds" + EXCLUDED."wait_seconds",
            "timed" = t."timed" + EXCLUDED."timed",
            "timed_seconds" = t."timed_seconds" + EXCLUDED."timed_seconds",
            "timed_pages" = t."timed_pages" + EXCLUDED."timed_pages",
            "paged" = t."paged" + EXCLUDED."paged",
            "pages" = t."pages" + EXCLUDED."pages",
            "successful_requests" = t."successful_requests" + EXCLUDED."successful_requests",
            "failed_requests" = t."failed_requests" + EXCLUDED."failed_requests",
            "retried" = t."retried" + EXCLUDED."retried",
            "retries" = t."retries" + EXCLUDED."retries"
    ), hourly AS (
        INSERT INTO "job_stats_hourly" AS h
        SELECT c.all_jobs, c.customer_config_id, c.hour, c.shard, sum(c.created), sum(c.completed), sum(c.finished)
        FROM "job_stats_hourly_of"(changes) c
        GROUP BY 1, 2, 3, 4
        HAVING (sum(c.created), sum(c.completed), sum(c.finished)) IS DISTINCT FROM (0, 0, 0)
        ORDER BY 1, 2 NULLS FIRST, 3, 4
        ON CONFLICT ("all_jobs", "customer_config_id", "hour", "shard") DO UPDATE SET
            "created" = h."created" + EXCLUDED."created",
            "completed" = h."completed" + EXCLUDED."completed",
            "finished" = h."finished" + EXCLUDED."finished"
    ), durations AS (
        INSERT INTO "job_stats_durations" AS r
        SELECT c.all_jobs, c.customer_config_id, c.bucket, sum(c.jobs)
        FROM "job_stats_durations_of"(changes) c
        GROUP BY 1, 2, 3 HAVING sum(c.jobs) <> 0
        ORDER BY 1, 2 NULLS FIRST, 3
        ON CONFLICT ("all_jobs", "customer_config_id", "bucket") DO UPDATE SET "jobs" = r."jobs" + EXCLUDED."jobs"
    ), errors AS (
        INSERT INTO "job_stats_errors" AS r
        SELECT c.all_jobs, c.customer_config_id, c.message_md5, min(c.error_message), sum(c.jobs)
        FROM "job_stats_errors_of"(changes) c
        GROUP BY 1, 2, 3 HAVING sum(c.jobs) <> 0
        ORDER BY 1, 2 NULLS FIRST, 3
        ON CONFLICT ("all_jobs", "customer_config_id", "message_md5") DO UPDATE SET "jobs" = r."jobs" + EXCLUDED."jobs"
    )
    INSERT INTO "job_stats_domains" AS r
        SELECT c.all_jobs, c.customer_config_id, c.domain, sum(c.jobs), sum(c.failed)
        FROM "job_stats_domains_of"(changes) c
        GROUP BY 1, 2, 3 HAVING (sum(c.jobs), sum(c.failed)) IS DISTINCT FROM (0, 0)
        ORDER BY 1, 2 NULLS FIRST, 3
        ON CONFLICT ("all_jobs", "customer_config_id", "domain") DO UPDATE SET "jobs" = r."jobs" + EXCLUDED."jobs", "failed" = r."failed" + EXCLUDED."failed";
END;
$$;

-- Moves up to `max_changes` pending changes into the rollups (so one fold's memory stays
-- bounded however long nobody folded); returns how many it moved. One fold at a time: a
-- second caller returns 0 at once, the first is doing its work. DELETE … RETURNING takes
-- exactly the rows it removes, so a change appended meanwhile waits for the next fold.
CREATE FUNCTION "job_stats_fold"(max_changes INTEGER DEFAULT 20000) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    moved "job_stats_changes"[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(727465002) THEN
        RETURN 0;
    END IF;
    WITH m AS (
        DELETE FROM "job_stats_changes"
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM "job_stats_changes" LIMIT max_changes))
        RETURNING *)
    SELECT array_agg(ROW(m.*)::"job_stats_changes") INTO moved FROM m;
    PERFORM "job_stats_add"(moved);
    RETURN COALESCE(cardinality(moved), 0);
END;
$$;

-- The job writes' trigger: the statement's changes appended, nothing else locked. The arrays
-- are variables so that job_stats_deltas is inlined into a plan kept for the session.
CREATE OR REPLACE FUNCTION "scrape_jobs_stats_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    olds "scrape_jobs"[] := '{}';
    news "scrape_jobs"[] := '{}';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Most updates (heartbeats, metadata) change nothing the rollups count: skip them.
        IF NOT EXISTS (
            SELECT FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
            WHERE n.id IS NULL
               OR (o.customer_config_id, o.status, o.job_type, o.priority, o.domain, o.error_message, o.retry_count,
                   o.created_at, o.started_at, o.completed_at,
                   o.stats -> 'pagesProcessed', o.stats -> 'successfulRequests', o.stats -> 'failedRequests')
                  IS DISTINCT FROM
                  (n.customer_config_id, n.status, n.job_type, n.priority, n.domain, n.error_message, n.retry_count,
                   n.created_at, n.started_at, n.completed_at,
                   n.stats -> 'pagesProcessed', n.stats -> 'successfulRequests', n.stats -> 'failedRequests')) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        olds := ARRAY(SELECT o::"scrape_jobs" FROM old_rows o);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        news := ARRAY(SELECT n::"scrape_jobs" FROM new_rows n);
    END IF;
    INSERT INTO "job_stats_changes" SELECT * FROM "job_stats_deltas"(olds, news);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION "scrape_jobs_stats_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE "job_stats_totals", "job_stats_hourly", "job_stats_durations", "job_stats_errors", "job_stats_domains", "job_stats_changes";
    RETURN NULL;
END;
$$;

-- Recomputes every rollup from scrape_jobs (after a bulk load with the triggers disabled).
-- Writers wait meanwhile (SHARE lock), and so does a fold (its lock), so nothing is counted
-- twice or missed. In 256 id ranges, to keep each batch small.
CREATE OR REPLACE FUNCTION "job_stats_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b INTEGER;
BEGIN
    PERFORM pg_advisory_xact_lock(727465002);
    LOCK TABLE "scrape_jobs" IN SHARE MODE;
    DELETE FROM "job_stats_changes";
    DELETE FROM "job_stats_totals";
    DELETE FROM "job_stats_hourly";
    DELETE FROM "job_stats_durations";
    DELETE FROM "job_stats_errors";
    DELETE FROM "job_stats_domains";
    IF NOT EXISTS (SELECT FROM "scrape_jobs") THEN
        RETURN;
    END IF;
    FOR b IN 0..255 LOOP
        PERFORM "job_stats_add"(ARRAY(
            SELECT d FROM "job_stats_deltas"('{}', ARRAY(
                SELECT s FROM "scrape_jobs" s
                WHERE s."id" >= (lpad(to_hex(b), 2, '0') || '000000-0000-0000-0000-000000000000')::uuid
                  AND (b = 255 OR s."id" < (lpad(to_hex(b + 1), 2, '0') || '000000-0000-0000-0000-000000000000')::uuid))) d));
    END LOOP;
END;
$$;

-- What readers read: each rollup's rows plus the changes not folded yet (in the rollup's
-- shape, not summed: readers sum).
CREATE VIEW "job_stats_totals_pending" AS
    SELECT t.* FROM (SELECT array_agg(c) AS changes FROM "job_stats_changes" c) p, LATERAL "job_stats_totals_of"(p.changes) t;
CREATE VIEW "job_stats_hourly_pending" AS
    SELECT t.* FROM (SELECT array_agg(c) AS changes FROM "job_stats_changes" c) p, LATERAL "job_stats_hourly_of"(p.changes) t;
CREATE VIEW "job_stats_durations_pending" AS
    SELECT t.* FROM (SELECT array_agg(c) AS changes FROM "job_stats_changes" c) p, LATERAL "job_stats_durations_of"(p.changes) t;
CREATE VIEW "job_stats_errors_pending" AS
    SELECT t.* FROM (SELECT array_agg(c) AS changes FROM "job_stats_changes" c) p, LATERAL "job_stats_errors_of"(p.changes) t;
CREATE VIEW "job_stats_domains_pending" AS
    SELECT t.* FROM (SELECT array_agg(c) AS changes FROM "job_stats_changes" c) p, LATERAL "job_stats_domains_of"(p.changes) t;

CREATE VIEW "job_stats_totals_live" AS SELECT * FROM "job_stats_totals" UNION ALL SELECT * FROM "job_stats_totals_pending";
CREATE VIEW "job_stats_hourly_live" AS SELECT * FROM "job_stats_hourly" UNION ALL SELECT * FROM "job_stats_hourly_pending";
CREATE VIEW "job_stats_durations_live" AS SELECT * FROM "job_stats_durations" UNION ALL SELECT * FROM "job_stats_durations_pending";
CREATE VIEW "job_stats_errors_live" AS SELECT * FROM "job_stats_errors" UNION ALL SELECT * FROM "job_stats_errors_pending";
CREATE VIEW "job_stats_domains_live" AS SELECT * FROM "job_stats_domains" UNION ALL SELECT * FROM "job_stats_domains_pending";
