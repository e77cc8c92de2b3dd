-- The audit log is append-only, as on SQLite (db/migrations/0003, 0005): any UPDATE or DELETE is
-- aborted, INSERT … ON CONFLICT DO UPDATE included (it fires the UPDATE trigger). TRUNCATE skips
-- row triggers on PostgreSQL, so a statement trigger aborts it too. An insert reusing an id fails
-- on the primary key: PostgreSQL has no REPLACE, so SQLite's no-replace trigger has no equivalent.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE ON "audit_log"
FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_delete" BEFORE DELETE ON "audit_log"
FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
