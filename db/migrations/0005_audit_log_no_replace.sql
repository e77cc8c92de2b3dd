-- The audit log stays append-only under INSERT OR REPLACE / REPLACE INTO too: replacing a row
-- deletes it without firing the DELETE trigger (SQLite fires delete triggers for REPLACE only
-- with recursive_triggers on), so an insert reusing an existing id is aborted before it happens.
CREATE TRIGGER `audit_log_no_replace` BEFORE INSERT ON `audit_log`
WHEN NEW.`id` IS NOT NULL AND EXISTS (SELECT 1 FROM `audit_log` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
