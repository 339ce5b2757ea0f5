-- Every server process caches the keys it has looked up for a few seconds
-- (packages/api/src/auth/key-cache.ts). A change to what a key stands for (revoked, or its
-- role, tenant, name or secret changed; or the row deleted) is announced with the key's id,
-- so that every process forgets it at once instead of when its cache entry expires.
-- last_used_at, written as keys are used, is not such a change.
CREATE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('api_key_changes', OLD."id"::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "api_keys_notify_update" AFTER UPDATE ON "api_keys" FOR EACH ROW
    WHEN ((OLD."revoked_at", OLD."role", OLD."tenant_id", OLD."name", OLD."key_hash")
          IS DISTINCT FROM (NEW."revoked_at", NEW."role", NEW."tenant_id", NEW."name", NEW."key_hash"))
    EXECUTE FUNCTION "api_keys_notify_change"();
CREATE TRIGGER "api_keys_notify_delete" AFTER DELETE ON "api_keys" FOR EACH ROW
    EXECUTE FUNCTION "api_keys_notify_change"();
