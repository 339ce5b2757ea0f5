-- API keys (stored as the sha256 of the secret, never the secret) and a general, append-only
-- audit trail for actions that are not job changes (key creation and revocation, …).

CREATE TABLE "api_keys" (
    "id"           UUID           NOT NULL DEFAULT gen_random_uuid(),
    "name"         TEXT           NOT NULL,
    "role"         TEXT           NOT NULL,
    "tenant_id"    UUID,
    "key_hash"     TEXT           NOT NULL,
    "key_prefix"   TEXT           NOT NULL,
    "created_at"   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at"   TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_keys_role_known" CHECK ("role" IN ('admin', 'operator', 'viewer', 'worker')),
    CONSTRAINT "api_keys_name_present" CHECK (length(btrim("name")) BETWEEN 1 AND 100),
    CONSTRAINT "api_keys_hash_sha256" CHECK ("key_hash" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "api_keys_key_hash_idx" ON "api_keys" ("key_hash");
CREATE INDEX "api_keys_tenant_created_idx" ON "api_keys" ("tenant_id", "created_at" DESC);

CREATE TABLE "audit_events" (
    "id"           BIGSERIAL      NOT NULL,
    "at"           TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor"        TEXT           NOT NULL,
    "key_id"       UUID,
    "request_id"   TEXT,
    "action"       TEXT           NOT NULL,
    "subject_type" TEXT           NOT NULL,
    "subject_id"   TEXT           NOT NULL,
    "changes"      JSONB          NOT NULL DEFAULT '{}',
    "tenant_id"    UUID,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_events_changes_object" CHECK (jsonb_typeof("changes") = 'object')
);
CREATE INDEX "audit_events_action_idx" ON "audit_events" ("action", "id");
CREATE INDEX "audit_events_subject_idx" ON "audit_events" ("subject_type", "subject_id", "id");
CREATE INDEX "audit_events_tenant_idx" ON "audit_events" ("tenant_id", "id");

-- The audit trail is append-only, like job_history.
CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
    FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"();
