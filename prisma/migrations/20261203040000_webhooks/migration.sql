-- Webhooks: endpoints, the outbox of events, one delivery per event and endpoint, and the
-- log of every attempt. The outbox is written by a trigger on scrape_jobs, so every write
-- path (API, sweep, direct SQL) produces its events in the same transaction as the change.

-- pending: waiting for next_attempt_at; delivering: leased by a dispatcher until
-- locked_until (an expired lease is taken over); succeeded: a 2xx arrived; failed: the
-- retry schedule ran out (a manual redelivery makes it pending again).
CREATE TYPE "webhook_delivery_status" AS ENUM ('pending', 'delivering', 'succeeded', 'failed');

CREATE TABLE "webhook_endpoints" (
    "id"                         UUID           NOT NULL DEFAULT gen_random_uuid(),
    "url"                        TEXT           NOT NULL,
    "description"                TEXT           NOT NULL DEFAULT '',
    "events"                     TEXT[]         NOT NULL,
    "active"                     BOOLEAN        NOT NULL DEFAULT true,
    -- NULL: events of every tenant; else only jobs whose customer_config_id is this.
    "tenant_id"                  UUID,
    -- whsec_<base64>; the previous one still signs until previous_secret_expires_at.
    "secret"                     TEXT           NOT NULL,
    "previous_secret"            TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    -- job_progress is sent at most once per this many ms per job.
    "progress_interval_ms"       INTEGER        NOT NULL DEFAULT 30000,
    "created_at"                 TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at"                 TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_endpoints_events_known" CHECK (
        cardinality("events") > 0 AND "events" <@ ARRAY['job_status_changed', 'job_progress']::TEXT[]),
    CONSTRAINT "webhook_endpoints_progress_interval" CHECK ("progress_interval_ms" >= 1000),
    CONSTRAINT "webhook_endpoints_previous_secret_pair" CHECK (("previous_secret" IS NULL) = ("previous_secret_expires_at" IS NULL))
);
CREATE INDEX "webhook_endpoints_tenant_idx" ON "webhook_endpoints" ("tenant_id");

-- The outbox: one row per event; its id is the stable `webhook-id` of every delivery.
CREATE TABLE "webhook_events" (
    "id"         TEXT           NOT NULL,
    -- job_status_changed | job_progress | ping
    "type"       TEXT           NOT NULL,
    "job_id"     UUID,
    "tenant_id"  UUID,
    "payload"    JSONB          NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_deliveries" (
    "id"               BIGSERIAL                 NOT NULL,
    "event_id"         TEXT                      NOT NULL,
    "endpoint_id"      UUID                      NOT NULL,
    -- The event's job (null for a ping): deliveries of one job to one endpoint go in id order.
    "job_id"           UUID,
    "status"           "webhook_delivery_status" NOT NULL DEFAULT 'pending',
    -- Every attempt ever made, and those since the last manual redelivery (the backoff's index).
    "attempts"         INTEGER                   NOT NULL DEFAULT 0,
    "round_attempts"   INTEGER                   NOT NULL DEFAULT 0,
    "next_attempt_at"  TIMESTAMPTZ(3)            NOT NULL DEFAULT now(),
    -- The lease of the dispatcher sending it: its token and until when it holds.
    "lease_token"      UUID,
    "locked_until"     TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error"       TEXT,
    "delivered_at"     TIMESTAMPTZ(3),
    "created_at"       TIMESTAMPTZ(3)            NOT NULL DEFAULT now(),
    "updated_at"       TIMESTAMPTZ(3)            NOT NULL DEFAULT now(),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "webhook_deliveries_lease_iff_delivering" CHECK (("status" = 'delivering') = ("locked_until" IS NOT NULL AND "lease_token" IS NOT NULL))
);
CREATE UNIQUE INDEX "webhook_deliveries_event_endpoint_idx" ON "webhook_deliveries" ("event_id", "endpoint_id");
-- The dispatcher's claim: what is due, and what is still ahead of it in its job's order.
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" IN ('pending', 'delivering');
CREATE INDEX "webhook_deliveries_open_order_idx" ON "webhook_deliveries" ("endpoint_id", "job_id", "id") WHERE "status" IN ('pending', 'delivering');
CREATE INDEX "webhook_deliveries_endpoint_log_idx" ON "webhook_deliveries" ("endpoint_id", "id");

-- The delivery log: one row per HTTP attempt.
CREATE TABLE "webhook_attempts" (
    "id"               BIGSERIAL      NOT NULL,
    "delivery_id"      BIGINT         NOT NULL,
    "attempt"          INTEGER        NOT NULL,
    "attempted_at"     TIMESTAMPTZ(3) NOT NULL,
    "duration_ms"      INTEGER        NOT NULL,
    "status_code"      INTEGER,
    "error"            TEXT,
    -- The first bytes of the response body (capped), for debugging a receiver.
    "response_snippet" TEXT,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_attempts_delivery_idx" ON "webhook_attempts" ("delivery_id", "id");

-- When job_progress was last queued per job and endpoint (the throttle); rows of finished
-- jobs are removed when the job leaves running.
CREATE TABLE "webhook_progress_marks" (
    "job_id"      UUID           NOT NULL,
    "endpoint_id" UUID           NOT NULL,
    "sent_at"     TIMESTAMPTZ(3) NOT NULL,
    "interval_ms" INTEGER        NOT NULL,

    CONSTRAINT "webhook_progress_marks_pkey" PRIMARY KEY ("job_id", "endpoint_id"),
    CONSTRAINT "webhook_progress_marks_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE FUNCTION "webhook_event_id"() RETURNS TEXT LANGUAGE sql VOLATILE AS $$
    SELECT 'msg_' || replace(gen_random_uuid()::text, '-', '')
$$;

-- A status change (or a creation: old_status null) queues job_status_changed for every
-- matching active endpoint; a stats change of a running job queues job_progress, at most once
-- per endpoint's interval. With no matching endpoint this is one indexed look-up at most.
CREATE FUNCTION "scrape_jobs_webhook_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_status   job_status := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD."status" END;
    event_id     TEXT;
    due          UUID[];
    changed_at   TEXT := to_char(NEW."updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
    IF TG_OP = 'INSERT' OR OLD."status" IS DISTINCT FROM NEW."status" THEN
        IF TG_OP = 'UPDATE' AND OLD."status" = 'running' THEN
            DELETE FROM "webhook_progress_marks" WHERE "job_id" = NEW."id";
        END IF;
        SELECT array_agg(e."id") INTO due FROM "webhook_endpoints" e
        WHERE e."active" AND 'job_status_changed' = ANY (e."events")
          AND (e."tenant_id" IS NULL OR e."tenant_id" = NEW."customer_config_id");
        IF due IS NULL THEN RETURN NULL; END IF;
        event_id := webhook_event_id();
        INSERT INTO "webhook_events" ("id", "type", "job_id", "tenant_id", "payload")
        VALUES (event_id, 'job_status_changed', NEW."id", NEW."customer_config_id", jsonb_build_object(
            'event', 'job_status_changed',
            'job_id', NEW."id",
            'domain', NEW."domain",
            'old_status', old_status,
            'new_status', NEW."status",
            'stats', NEW."stats",
            'timestamp', changed_at));
        INSERT INTO "webhook_deliveries" ("event_id", "endpoint_id", "job_id")
        SELECT event_id, d, NEW."id" FROM unnest(due) AS d;
    ELSIF NEW."status" = 'running' AND OLD."stats" IS DISTINCT FROM NEW."stats" THEN
        IF NOT EXISTS (SELECT 1 FROM "webhook_endpoints" e WHERE e."active" AND 'job_progress' = ANY (e."events")) THEN
            RETURN NULL;
        END IF;
        WITH marked AS (
            INSERT INTO "webhook_progress_marks" AS m ("job_id", "endpoint_id", "sent_at", "interval_ms")
            SELECT NEW."id", e."id", now(), e."progress_interval_ms" FROM "webhook_endpoints" e
            WHERE e."active" AND 'job_progress' = ANY (e."events")
              AND (e."tenant_id" IS NULL OR e."tenant_id" = NEW."customer_config_id")
            ON CONFLICT ("job_id", "endpoint_id") DO UPDATE
                SET "sent_at" = EXCLUDED."sent_at", "interval_ms" = EXCLUDED."interval_ms"
                WHERE m."sent_at" + make_interval(secs => EXCLUDED."interval_ms" / 1000.0) <= EXCLUDED."sent_at"
            RETURNING m."endpoint_id"
        )
        SELECT array_agg("endpoint_id") INTO due FROM marked;
        IF due IS NULL THEN RETURN NULL; END IF;
        event_id := webhook_event_id();
        INSERT INTO "webhook_events" ("id", "type", "job_id", "tenant_id", "payload")
        VALUES (event_id, 'job_progress', NEW."id", NEW."customer_config_id", jsonb_build_object(
            'event', 'job_progress',
            'job_id', NEW."id",
            'domain', NEW."domain",
            'status', NEW."status",
            'stats', NEW."stats",
            'timestamp', changed_at));
        INSERT INTO "webhook_deliveries" ("event_id", "endpoint_id", "job_id")
        SELECT event_id, d, NEW."id" FROM unnest(due) AS d;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER "scrape_jobs_webhook_outbox" AFTER INSERT OR UPDATE ON "scrape_jobs"
    FOR EACH ROW EXECUTE FUNCTION "scrape_jobs_webhook_outbox"();
