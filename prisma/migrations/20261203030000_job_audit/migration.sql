-- The job audit trail: every history row says what kind of change it was (action), who made
-- it in which request (key_id, request_id, besides actor) and which columns changed, old → new.

ALTER TABLE "job_history"
    ADD COLUMN "action"     TEXT,
    ADD COLUMN "request_id" TEXT,
    -- No foreign key: API keys live in their own table and may be deleted; the audit stays.
    ADD COLUMN "key_id"     UUID,
    ADD COLUMN "changes"    JSONB NOT NULL DEFAULT '{}';

-- Rows written before this migration get their action from their statuses, actor and reason
-- (the only time history is ever updated, hence the trigger switched off around it).
ALTER TABLE "job_history" DISABLE TRIGGER "job_history_append_only";
UPDATE "job_history" SET "action" = CASE
    WHEN "from_status" IS NULL THEN 'created'
    WHEN "from_status" = 'pending' AND "to_status" = 'running' AND "reason" = 'Claimed' THEN 'claimed'
    WHEN "from_status" = 'running' AND "to_status" = 'pending' AND "actor" = 'system' THEN 'claim_expired'
    WHEN "from_status" = 'running' AND "to_status" = 'pending' AND "reason" LIKE 'Released by the worker%' THEN 'released'
    WHEN "from_status" = 'failed' AND "to_status" = 'pending' AND "actor" = 'system' THEN 'auto_retried'
    WHEN "from_status" = 'failed' AND "to_status" = 'pending' THEN 'retried'
    WHEN "to_status" = 'cancelled' AND "reason" LIKE 'Cancelled via API%' THEN 'cancelled'
    ELSE 'updated'
END;
ALTER TABLE "job_history" ENABLE TRIGGER "job_history_append_only";

ALTER TABLE "job_history"
    ALTER COLUMN "action" SET NOT NULL,
    -- Same list as JOB_HISTORY_ACTIONS in packages/domain/src/job-history-action.ts.
    ADD CONSTRAINT "job_history_action_known" CHECK ("action" IN
        ('created', 'updated', 'cancelled', 'retried', 'auto_retried', 'claimed', 'released', 'claim_expired')),
    ADD CONSTRAINT "job_history_changes_object" CHECK (jsonb_typeof("changes") = 'object');

-- A column's value as the audit keeps it: timestamps (every `*_at` column) as the API writes
-- them, ISO-8601 UTC with milliseconds, whatever the session's time zone.
CREATE FUNCTION "job_audit_value"(key TEXT, value JSONB) RETURNS JSONB LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN key LIKE '%\_at' AND jsonb_typeof(value) = 'string'
                THEN to_jsonb(to_char((value #>> '{}')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                ELSE COALESCE(value, 'null'::jsonb) END;
$$;

-- The columns that differ between two images of a job row (to_jsonb of the row; anything that
-- is not an object, e.g. the missing "before" of a creation, counts as all nulls), as
-- { "<column>": { "old": …, "new": … } }. Left out: the id (it never changes), updated_at (it
-- changes with every write; the history row has its own time) and the secret claim_token.
CREATE FUNCTION "job_audit_changes"(before JSONB, after JSONB) RETURNS JSONB LANGUAGE sql STABLE AS $$
    SELECT COALESCE(jsonb_object_agg(d.key, jsonb_build_object('old', d.old, 'new', d.new)), '{}'::jsonb)
    FROM (
        SELECT COALESCE(b.key, a.key) AS key,
               "job_audit_value"(COALESCE(b.key, a.key), b.value) AS old,
               "job_audit_value"(COALESCE(b.key, a.key), a.value) AS new
        FROM jsonb_each(CASE WHEN jsonb_typeof(before) = 'object' THEN before ELSE '{}'::jsonb END) b
        FULL OUTER JOIN jsonb_each(CASE WHEN jsonb_typeof(after) = 'object' THEN after ELSE '{}'::jsonb END) a ON a.key = b.key
    ) d
    WHERE d.old IS DISTINCT FROM d.new AND d.key NOT IN ('id', 'updated_at', 'claim_token');
$$;
