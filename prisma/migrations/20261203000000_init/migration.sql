-- Scrape Jobs: the job table, its append-only history, and the invariants the database
-- keeps by itself. Runs on PostgreSQL 15+ and on PGlite.

CREATE TYPE "job_status" AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled');
CREATE TYPE "job_type" AS ENUM ('domain_scrape', 'single_page', 'sitemap_crawl', 'product_catalog', 'content_update');

CREATE TABLE "scrape_jobs" (
    "id"                 UUID         NOT NULL DEFAULT gen_random_uuid(),
    "domain_id"          UUID,
    "customer_config_id" UUID,
    "domain"             TEXT         NOT NULL,
    "job_type"           "job_type"   NOT NULL DEFAULT 'domain_scrape',
    "status"             "job_status" NOT NULL DEFAULT 'pending',
    "priority"           INTEGER      NOT NULL DEFAULT 5,
    "retry_count"        INTEGER      NOT NULL DEFAULT 0,
    "max_retries"        INTEGER      NOT NULL DEFAULT 3,
    "config"             JSONB        NOT NULL DEFAULT '{}',
    "metadata"           JSONB        NOT NULL DEFAULT '{}',
    "stats"              JSONB        NOT NULL DEFAULT '{}',
    "started_at"         TIMESTAMPTZ(3),
    "completed_at"       TIMESTAMPTZ(3),
    "error_message"      TEXT,
    "worker_id"          TEXT,
    "claimed_at"         TIMESTAMPTZ(3),
    "claim_token"        UUID,
    "claim_expires_at"   TIMESTAMPTZ(3),
    "available_at"       TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at"         TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at"         TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scrape_jobs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "scrape_jobs_priority_range" CHECK ("priority" BETWEEN 1 AND 10),
    CONSTRAINT "scrape_jobs_retry_counts" CHECK ("retry_count" >= 0 AND "max_retries" >= 0),
    CONSTRAINT "scrape_jobs_domain_lower" CHECK ("domain" = lower("domain") AND length("domain") BETWEEN 1 AND 260),
    -- completed_at is set exactly when the job has finished (completed, failed or cancelled).
    CONSTRAINT "scrape_jobs_completed_at_iff_finished"
        CHECK (("status" IN ('completed', 'failed', 'cancelled')) = ("completed_at" IS NOT NULL)),
    -- A running job always has a claim expiry (the sweep needs it); nobody else holds a claim.
    -- worker_id stays on a finished job: it names the worker that ran it last.
    CONSTRAINT "scrape_jobs_claim_iff_running"
        CHECK (("status" = 'running') = ("claim_expires_at" IS NOT NULL)
           AND ("status" = 'running' OR "claim_token" IS NULL)),
    CONSTRAINT "scrape_jobs_json_objects"
        CHECK (jsonb_typeof("config") = 'object' AND jsonb_typeof("metadata") = 'object' AND jsonb_typeof("stats") = 'object')
);

-- The claim order (priority desc, retry_count asc, created_at asc) over pending jobs only.
CREATE INDEX "scrape_jobs_claim_order_idx" ON "scrape_jobs" ("priority" DESC, "retry_count", "created_at") WHERE "status" = 'pending';
-- The expiry sweep looks at running jobs only.
CREATE INDEX "scrape_jobs_claim_expiry_idx" ON "scrape_jobs" ("claim_expires_at") WHERE "status" = 'running';
-- List filters and their default order.
CREATE INDEX "scrape_jobs_domain_created_idx" ON "scrape_jobs" ("domain", "created_at" DESC);
CREATE INDEX "scrape_jobs_status_created_idx" ON "scrape_jobs" ("status", "created_at" DESC);
CREATE INDEX "scrape_jobs_created_idx" ON "scrape_jobs" ("created_at" DESC);
CREATE INDEX "scrape_jobs_tenant_created_idx" ON "scrape_jobs" ("customer_config_id", "created_at" DESC);
-- At most one pending or running job per tenant, domain and job type.
CREATE UNIQUE INDEX "scrape_jobs_one_active_per_domain_idx"
    ON "scrape_jobs" (COALESCE("customer_config_id", '00000000-0000-0000-0000-000000000000'::uuid), "domain", "job_type")
    WHERE "status" IN ('pending', 'running');

CREATE TABLE "job_history" (
    "id"          BIGSERIAL     NOT NULL,
    "job_id"      UUID          NOT NULL,
    "from_status" "job_status",
    "to_status"   "job_status"  NOT NULL,
    "actor"       TEXT          NOT NULL,
    "reason"      TEXT,
    "at"          TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_history_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "job_history_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "scrape_jobs"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "job_history_job_idx" ON "job_history" ("job_id", "id");

-- History is append-only.
CREATE FUNCTION "job_history_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'job_history is append-only';
END;
$$;
CREATE TRIGGER "job_history_append_only" BEFORE UPDATE OR DELETE ON "job_history"
    FOR EACH ROW EXECUTE FUNCTION "job_history_refuse_change"();

-- Merges a patch into a JSON object key by key, recursing into nested objects; arrays and
-- scalars in the patch replace what was there. Used for PUT's metadata and stats merges, in
-- the UPDATE itself, so that two concurrent writers never lose each other's keys.
CREATE FUNCTION "jsonb_merge_deep"(target JSONB, patch JSONB) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF jsonb_typeof(target) IS DISTINCT FROM 'object' OR jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
        RETURN patch;
    END IF;
    RETURN (
        SELECT COALESCE(jsonb_object_agg(
            COALESCE(t.key, p.key),
            CASE WHEN t.key IS NULL THEN p.value
                 WHEN p.key IS NULL THEN t.value
                 ELSE "jsonb_merge_deep"(t.value, p.value) END), '{}'::jsonb)
        FROM jsonb_each(target) t FULL OUTER JOIN jsonb_each(patch) p ON t.key = p.key);
END;
$$;

-- Every change to a job is announced on the channel `scrape_job_changes`, so every server
-- process (and the in-process feed on PGlite) sees writes made by any other.
CREATE FUNCTION "scrape_jobs_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('scrape_job_changes', json_build_object(
        'job_id', NEW."id",
        'domain', NEW."domain",
        'customer_config_id', NEW."customer_config_id",
        'old_status', CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD."status" END,
        'new_status', NEW."status",
        'updated_at', to_char(NEW."updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    )::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER "scrape_jobs_notify" AFTER INSERT OR UPDATE ON "scrape_jobs"
    FOR EACH ROW EXECUTE FUNCTION "scrape_jobs_notify_change"();
