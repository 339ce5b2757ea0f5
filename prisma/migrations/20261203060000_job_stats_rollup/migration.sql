-- The job statistics as rollups kept by the database: statement-level triggers on
-- scrape_jobs add each statement's change (its new rows minus its old rows) in the
-- transaction of the write, so the figures are exact and never stale, and
-- GET /api/scrape-jobs/stats for all jobs or one tenant reads rollup rows (as many as
-- tenants, hours of a month, duration buckets, domains) instead of every job.
--
-- Write cost: the rows that concurrent writers would share (the jobs of one tenant in one
-- status; one hour) are split into shards by the job id's last byte, so concurrent claims and
-- completions rarely wait for each other's row lock; a heartbeat that only extends the claim
-- writes nothing here. Each statement locks its rollup rows in key order (ORDER BY in every
-- upsert), so two multi-row statements cannot deadlock on them. Sums of seconds, pages and
-- requests are numeric: adding and taking away is exact.
--
-- Rollups other than the totals hold each figure twice: for all jobs (all_jobs, with
-- customer_config_id NULL) and per tenant (NOT all_jobs; customer_config_id NULL = the jobs
-- without a tenant), so the all-jobs report does not add up every tenant's rows.

-- A job's run time in seconds (ms precision; numeric, so sums are exact).
CREATE FUNCTION "job_duration_seconds"(started TIMESTAMPTZ, completed TIMESTAMPTZ) RETURNS NUMERIC
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT EXTRACT(EPOCH FROM ("completed" - "started")) $$;

-- The median's histogram bucket of a run time: about 0.5% wide above 1 s, at most a few ms
-- below; monotonic over all values (negative ones too), so buckets are ordered like run
-- times. Numeric arithmetic: the same bucket on every platform.
CREATE FUNCTION "job_duration_bucket"(seconds NUMERIC) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN "seconds" >= 0 THEN floor(ln(1 + "seconds" * 10) * 200)::int
                ELSE -1 - floor(ln(1 - "seconds" * 10) * 200)::int END $$;

-- A JSON stats field as a number, 0 when missing or not a number.
CREATE FUNCTION "job_stat_number"(stats JSONB, key TEXT) RETURNS NUMERIC
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof("stats" -> "key") = 'number' THEN ("stats" ->> "key")::numeric ELSE 0 END $$;

-- The median, fastest and slowest job: the histogram gives the bucket of the k-th run time,
-- this index the k-th inside that bucket, without the heap (a tenant's too: its id is a key
-- column, the timestamps are included).
CREATE INDEX "scrape_jobs_duration_idx" ON "scrape_jobs"
    ("job_duration_bucket"("job_duration_seconds"("started_at", "completed_at")), "job_duration_seconds"("started_at", "completed_at"), "customer_config_id")
    INCLUDE ("started_at", "completed_at")
    WHERE "started_at" IS NOT NULL AND "completed_at" IS NOT NULL;
-- The trends' partial edge hour: jobs finished since a moment.
CREATE INDEX "scrape_jobs_completed_idx" ON "scrape_jobs" ("completed_at") WHERE "completed_at" IS NOT NULL;

-- Per tenant (NULL: jobs without one), status and shard (id mod 8): the report's counts and
-- sums. timed*: jobs with both started_at and completed_at (the run-time figures).
CREATE TABLE "job_stats_totals" (
    "customer_config_id"   UUID,
    "status"               "job_status" NOT NULL,
    "shard"                SMALLINT     NOT NULL,
    "jobs"                 BIGINT  NOT NULL,
    "type_domain_scrape"   BIGINT  NOT NULL,
    "type_single_page"     BIGINT  NOT NULL,
    "type_sitemap_crawl"   BIGINT  NOT NULL,
    "type_product_catalog" BIGINT  NOT NULL,
    "type_content_update"  BIGINT  NOT NULL,
    "priority_1"           BIGINT  NOT NULL,
    "priority_2"           BIGINT  NOT NULL,
    "priority_3"           BIGINT  NOT NULL,
    "priority_4"           BIGINT  NOT NULL,
    "priority_5"           BIGINT  NOT NULL,
    "priority_6"           BIGINT  NOT NULL,
    "priority_7"           BIGINT  NOT NULL,
    "priority_8"           BIGINT  NOT NULL,
    "priority_9"           BIGINT  NOT NULL,
    "priority_10"          BIGINT  NOT NULL,
    "started"              BIGINT  NOT NULL,
    "wait_seconds"         NUMERIC NOT NULL,
    "timed"                BIGINT  NOT NULL,
    "timed_seconds"        NUMERIC NOT NULL,
    "timed_pages"          NUMERIC NOT NULL,
    "paged"                BIGINT  NOT NULL,
    "pages"                NUMERIC NOT NULL,
    "successful_requests"  NUMERIC NOT NULL,
    "failed_requests"      NUMERIC NOT NULL,
    "retried"              BIGINT  NOT NULL,
    "retries"              BIGINT  NOT NULL,

    CONSTRAINT "job_stats_totals_key" UNIQUE NULLS NOT DISTINCT ("customer_config_id", "status", "shard")
);

-- Jobs created, completed and finished (completed, failed or cancelled) per hour since the
-- epoch (of created_at, resp. completed_at) and shard (id mod 4): the trends' whole hours.
CREATE TABLE "job_stats_hourly" (
    "all_jobs"           BOOLEAN  NOT NULL,
    "customer_config_id" UUID,
    "hour"               INTEGER  NOT NULL,
    "shard"              SMALLINT NOT NULL,
    "created"            BIGINT   NOT NULL,
    "completed"          BIGINT   NOT NULL,
    "finished"           BIGINT   NOT NULL,

    CONSTRAINT "job_stats_hourly_key" UNIQUE NULLS NOT DISTINCT ("all_jobs", "customer_config_id", "hour", "shard")
);

-- Timed jobs per run-time bucket: the median's histogram.
CREATE TABLE "job_stats_durations" (
    "all_jobs"           BOOLEAN NOT NULL,
    "customer_config_id" UUID,
    "bucket"             INTEGER NOT NULL,
    "jobs"               BIGINT  NOT NULL,

    CONSTRAINT "job_stats_durations_key" UNIQUE NULLS NOT DISTINCT ("all_jobs", "customer_config_id", "bucket")
);

-- Failed jobs per error message (keyed by its md5: a message may be longer than a btree entry).
CREATE TABLE "job_stats_errors" (
    "all_jobs"           BOOLEAN NOT NULL,
    "customer_config_id" UUID,
    "message_md5"        UUID    NOT NULL,
    "error_message"      TEXT    NOT NULL,
    "jobs"               BIGINT  NOT NULL,

    CONSTRAINT "job_stats_errors_key" UNIQUE NULLS NOT DISTINCT ("all_jobs", "customer_config_id", "message_md5")
);

-- Jobs and failed jobs per domain.
CREATE TABLE "job_stats_domains" (
    "all_jobs"           BOOLEAN NOT NULL,
    "customer_config_id" UUID,
    "domain"             TEXT    NOT NULL,
    "jobs"               BIGINT  NOT NULL,
    "failed"             BIGINT  NOT NULL,

    CONSTRAINT "job_stats_domains_key" UNIQUE NULLS NOT DISTINCT ("all_jobs", "customer_config_id", "domain")
);
CREATE INDEX "job_stats_domains_failed_idx" ON "job_stats_domains" ("all_jobs", "customer_config_id", "failed" DESC, "domain") WHERE "failed" <> 0;

-- Each job of `olds` (sign -1) and `news` (+1) with the values the rollups add up.
CREATE FUNCTION "job_stats_deltas"(olds "scrape_jobs"[], news "scrape_jobs"[])
RETURNS TABLE (
    sign INTEGER, customer_config_id UUID, status "job_status", job_type "job_type", priority INTEGER, domain TEXT,
    error_message TEXT, retry_count INTEGER, created_at TIMESTAMPTZ, completed_at TIMESTAMPTZ, shard SMALLINT,
    started INTEGER, wait_seconds NUMERIC, timed INTEGER, timed_seconds NUMERIC, timed_pages NUMERIC,
    paged INTEGER, pages NUMERIC, successful_requests NUMERIC, failed_requests NUMERIC
) LANGUAGE sql STABLE AS $$
    SELECT d.sign, d.customer_config_id, d.status, d.job_type, d.priority, d.domain, d.error_message, d.retry_count,
           d.created_at, d.completed_at, get_byte(uuid_send(d.id), 15) % 8,
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

-- Adds news and takes away olds in every rollup, in one statement (the deltas are computed
-- once). Rows whose net change is zero are not written, so not locked. PL/pgSQL, not SQL:
-- its statement's plan is kept for the session (a SQL function would plan it on every call).
CREATE FUNCTION "job_stats_apply"(olds "scrape_jobs"[], news "scrape_jobs"[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(olds) = 0 AND cardinality(news) = 0 THEN
        RETURN;
    END IF;
    WITH d AS MATERIALIZED (
        SELECT * FROM "job_stats_deltas"(olds, news)
    ), s AS MATERIALIZED (
        -- Every delta twice: for all jobs, and for the job's tenant.
        SELECT a.all_jobs, CASE WHEN a.all_jobs THEN NULL ELSE d.customer_config_id END AS tenant, d.*
        FROM d CROSS JOIN (VALUES (true), (false)) a(all_jobs)
    ), totals AS (
        INSERT INTO "job_stats_totals" AS t
        SELECT a.* FROM (
            SELECT d.customer_config_id, d.status, d.shard,
                   sum(d.sign) AS "jobs",
                   COALESCE(sum(d.sign) FILTER (WHERE d.job_type = 'domain_scrape'), 0) AS "type_domain_scrape",
                   COALESCE(sum(d.sign) FILTER (WHERE d.job_type = 'single_page'), 0) AS "type_single_page",
                   COALESCE(sum(d.sign) FILTER (WHERE d.job_type = 'sitemap_crawl'), 0) AS "type_sitemap_crawl",
                   COALESCE(sum(d.sign) FILTER (WHERE d.job_type = 'product_catalog'), 0) AS "type_product_catalog",
                   COALESCE(sum(d.sign) FILTER (WHERE d.job_type = 'content_update'), 0) AS "type_content_update",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 1), 0) AS "priority_1",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 2), 0) AS "priority_2",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 3), 0) AS "priority_3",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 4), 0) AS "priority_4",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 5), 0) AS "priority_5",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 6), 0) AS "priority_6",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 7), 0) AS "priority_7",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 8), 0) AS "priority_8",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 9), 0) AS "priority_9",
                   COALESCE(sum(d.sign) FILTER (WHERE d.priority = 10), 0) AS "priority_10",
                   sum(d.sign * d.started) AS "started",
                   sum(d.sign * d.wait_seconds) AS "wait_seconds",
                   sum(d.sign * d.timed) AS "timed",
                   sum(d.sign * d.timed_seconds) AS "timed_seconds",
                   sum(d.sign * d.timed_pages) AS "timed_pages",
                   sum(d.sign * d.paged) AS "paged",
                   sum(d.sign * d.pages) AS "pages",
                   sum(d.sign * d.successful_requests) AS "successful_requests",
                   sum(d.sign * d.failed_requests) AS "failed_requests",
                   COALESCE(sum(d.sign) FILTER (WHERE d.retry_count > 0), 0) AS "retried",
                   sum(d.sign * d.retry_count) AS "retries"
            FROM d
            GROUP BY d.customer_config_id, d.status, d.shard) a
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
        SELECT e.all_jobs, e.tenant, e.hour, e.shard, sum(e.created), sum(e.completed), sum(e.finished)
        FROM (SELECT s.all_jobs, s.tenant, floor(EXTRACT(EPOCH FROM s.created_at) / 3600)::int AS hour, s.shard % 4 AS shard,
                     s.sign AS created, 0 AS completed, 0 AS finished
              FROM s
              UNION ALL
              SELECT s.all_jobs, s.tenant, floor(EXTRACT(EPOCH FROM s.completed_at) / 3600)::int, s.shard % 4,
                     0, CASE WHEN s.status = 'completed' THEN s.sign ELSE 0 END, s.sign
              FROM s WHERE s.completed_at IS NOT NULL) e
        GROUP BY e.all_jobs, e.tenant, e.hour, e.shard
        HAVING (sum(e.created), sum(e.completed), sum(e.finished)) IS DISTINCT FROM (0, 0, 0)
        ORDER BY e.all_jobs, e.tenant NULLS FIRST, e.hour, e.shard
        ON CONFLICT ("all_jobs", "customer_config_id", "hour", "shard") DO UPDATE SET
            "created" = h."created" + EXCLUDED."created",
            "completed" = h."completed" + EXCLUDED."completed",
            "finished" = h."finished" + EXCLUDED."finished"
    ), durations AS (
        INSERT INTO "job_stats_durations" AS r
        SELECT s.all_jobs, s.tenant, "job_duration_bucket"(s.timed_seconds), sum(s.sign)
        FROM s WHERE s.timed = 1
        GROUP BY 1, 2, 3 HAVING sum(s.sign) <> 0
        ORDER BY 1, 2 NULLS FIRST, 3
        ON CONFLICT ("all_jobs", "customer_config_id", "bucket") DO UPDATE SET "jobs" = r."jobs" + EXCLUDED."jobs"
    ), errors AS (
        INSERT INTO "job_stats_errors" AS r
        SELECT s.all_jobs, s.tenant, md5(s.error_message)::uuid, min(s.error_message), sum(s.sign)
        FROM s WHERE s.status = 'failed' AND s.error_message IS NOT NULL
        GROUP BY 1, 2, 3 HAVING sum(s.sign) <> 0
        ORDER BY 1, 2 NULLS FIRST, 3
        ON CONFLICT ("all_jobs", "customer_config_id", "message_md5") DO UPDATE SET "jobs" = r."jobs" + EXCLUDED."jobs"
    )
    INSERT INTO "job_stats_domains" AS r
        SELECT s.all_jobs, s.tenant, s.domain, sum(s.sign), COALESCE(sum(s.sign) FILTER (WHERE s.status = 'failed'), 0)
        FROM s
        GROUP BY 1, 2, 3 HAVING (sum(s.sign), COALESCE(sum(s.sign) FILTER (WHERE s.status = 'failed'), 0)) IS DISTINCT FROM (0, 0)
        ORDER BY 1, 2 NULLS FIRST, 3
        ON CONFLICT ("all_jobs", "customer_config_id", "domain") DO UPDATE SET "jobs" = r."jobs" + EXCLUDED."jobs", "failed" = r."failed" + EXCLUDED."failed";
END;
$$;

CREATE FUNCTION "scrape_jobs_stats_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM "job_stats_apply"('{}', ARRAY(SELECT n::"scrape_jobs" FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        -- Most updates (heartbeats, metadata) change nothing the rollups count: skip them.
        IF EXISTS (
            SELECT FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
            WHERE n.id IS NULL
               OR (o.customer_config_id, o.status, o.job_type, o.priority, o.domain, o.error_message, o.retry_count,
                   o.created_at, o.started_at, o.completed_at,
                   o.stats -> 'pagesProcessed', o.stats -> 'successfulRequests', o.stats -> 'failedRequests')
                  IS DISTINCT FROM
                  (n.customer_config_id, n.status, n.job_type, n.priority, n.domain, n.error_message, n.retry_count,
                   n.created_at, n.started_at, n.completed_at,
                   n.stats -> 'pagesProcessed', n.stats -> 'successfulRequests', n.stats -> 'failedRequests')) THEN
            PERFORM "job_stats_apply"(ARRAY(SELECT o::"scrape_jobs" FROM old_rows o), ARRAY(SELECT n::"scrape_jobs" FROM new_rows n));
        END IF;
    ELSE
        PERFORM "job_stats_apply"(ARRAY(SELECT o::"scrape_jobs" FROM old_rows o), '{}');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER "scrape_jobs_stats_insert" AFTER INSERT ON "scrape_jobs"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "scrape_jobs_stats_rollup"();
CREATE TRIGGER "scrape_jobs_stats_update" AFTER UPDATE ON "scrape_jobs"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "scrape_jobs_stats_rollup"();
CREATE TRIGGER "scrape_jobs_stats_delete" AFTER DELETE ON "scrape_jobs"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "scrape_jobs_stats_rollup"();

-- TRUNCATE fires no row or UPDATE/DELETE trigger: it empties the rollups with the table.
CREATE FUNCTION "scrape_jobs_stats_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE "job_stats_totals", "job_stats_hourly", "job_stats_durations", "job_stats_errors", "job_stats_domains";
    RETURN NULL;
END;
$$;
CREATE TRIGGER "scrape_jobs_stats_truncate" AFTER TRUNCATE ON "scrape_jobs"
    FOR EACH STATEMENT EXECUTE FUNCTION "scrape_jobs_stats_truncate"();

-- Recomputes every rollup from scrape_jobs: the backfill below, and after a bulk load with
-- the triggers disabled. Writers wait meanwhile (SHARE lock), so nothing is counted twice or
-- missed. In 256 id ranges, to keep each batch small.
CREATE FUNCTION "job_stats_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b INTEGER;
BEGIN
    LOCK TABLE "scrape_jobs" IN SHARE MODE;
    DELETE FROM "job_stats_totals";
    DELETE FROM "job_stats_hourly";
    DELETE FROM "job_stats_durations";
    DELETE FROM "job_stats_errors";
    DELETE FROM "job_stats_domains";
    IF NOT EXISTS (SELECT FROM "scrape_jobs") THEN
        RETURN;
    END IF;
    FOR b IN 0..255 LOOP
        PERFORM "job_stats_apply"('{}', ARRAY(
            SELECT s FROM "scrape_jobs" s
            WHERE s."id" >= (lpad(to_hex(b), 2, '0') || '000000-0000-0000-0000-000000000000')::uuid
              AND (b = 255 OR s."id" < (lpad(to_hex(b + 1), 2, '0') || '000000-0000-0000-0000-000000000000')::uuid)));
    END LOOP;
END;
$$;

SELECT "job_stats_rebuild"();
