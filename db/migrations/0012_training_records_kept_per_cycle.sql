PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_certificates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`user_id` integer NOT NULL,
	`tier_id` text NOT NULL,
	`cycle` integer DEFAULT 1 NOT NULL,
	`holder_name` text NOT NULL,
	`issued_at` integer NOT NULL,
	`valid_until` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "certificates_cycle_check" CHECK("__new_certificates"."cycle" >= 1),
	CONSTRAINT "certificates_validity_check" CHECK("__new_certificates"."valid_until" is null or "__new_certificates"."valid_until" > "__new_certificates"."issued_at")
);
--> statement-breakpoint
INSERT INTO `__new_certificates`("id", "code", "user_id", "tier_id", "cycle", "holder_name", "issued_at", "valid_until") SELECT "id", "code", "user_id", "tier_id", "cycle", "holder_name", "issued_at", "valid_until" FROM `certificates`;--> statement-breakpoint
DROP TABLE `certificates`;--> statement-breakpoint
ALTER TABLE `__new_certificates` RENAME TO `certificates`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_code_unique` ON `certificates` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_user_tier_cycle_unique` ON `certificates` (`user_id`,`tier_id`,`cycle`);--> statement-breakpoint
CREATE INDEX `certificates_tier_valid_idx` ON `certificates` (`tier_id`,`valid_until`);--> statement-breakpoint
CREATE TABLE `__new_lesson_completions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`lesson_id` text NOT NULL,
	`cycle` integer DEFAULT 1 NOT NULL,
	`content_version` text DEFAULT '' NOT NULL,
	`major_revision` text,
	`completed_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "lesson_completions_cycle_check" CHECK("__new_lesson_completions"."cycle" >= 1)
);
--> statement-breakpoint
INSERT INTO `__new_lesson_completions`("id", "user_id", "lesson_id", "cycle", "content_version", "major_revision", "completed_at") SELECT "id", "user_id", "lesson_id", "cycle", "content_version", "major_revision", "completed_at" FROM `lesson_completions`;--> statement-breakpoint
DROP TABLE `lesson_completions`;--> statement-breakpoint
ALTER TABLE `__new_lesson_completions` RENAME TO `lesson_completions`;--> statement-breakpoint
CREATE UNIQUE INDEX `lesson_completions_user_lesson_cycle_version_unique` ON `lesson_completions` (`user_id`,`lesson_id`,`cycle`,`content_version`);--> statement-breakpoint
CREATE INDEX `lesson_completions_lesson_idx` ON `lesson_completions` (`lesson_id`,`content_version`);--> statement-breakpoint
CREATE TABLE `__new_quiz_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`quiz_id` text NOT NULL,
	`cycle` integer DEFAULT 1 NOT NULL,
	`content_version` text DEFAULT '' NOT NULL,
	`started_at` integer NOT NULL,
	`submitted_at` integer,
	`layout` text,
	`score` integer,
	`max_score` integer,
	`passed` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "quiz_attempts_cycle_check" CHECK("__new_quiz_attempts"."cycle" >= 1),
	CONSTRAINT "quiz_attempts_submitted_check" CHECK(("__new_quiz_attempts"."submitted_at" is null and "__new_quiz_attempts"."score" is null and "__new_quiz_attempts"."passed" is null) or ("__new_quiz_attempts"."submitted_at" is not null and "__new_quiz_attempts"."score" is not null and "__new_quiz_attempts"."max_score" is not null and "__new_quiz_attempts"."passed" is not null))
);
--> statement-breakpoint
INSERT INTO `__new_quiz_attempts`("id", "user_id", "quiz_id", "cycle", "content_version", "started_at", "submitted_at", "layout", "score", "max_score", "passed") SELECT "id", "user_id", "quiz_id", "cycle", "content_version", "started_at", "submitted_at", "layout", "score", "max_score", "passed" FROM `quiz_attempts`;--> statement-breakpoint
DROP TABLE `quiz_attempts`;--> statement-breakpoint
ALTER TABLE `__new_quiz_attempts` RENAME TO `quiz_attempts`;--> statement-breakpoint
CREATE INDEX `quiz_attempts_user_quiz_idx` ON `quiz_attempts` (`user_id`,`quiz_id`,`cycle`);--> statement-breakpoint
CREATE INDEX `quiz_attempts_quiz_idx` ON `quiz_attempts` (`quiz_id`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `__new_policy_acknowledgements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`policy_id` text NOT NULL,
	`version` integer NOT NULL,
	`locale` text NOT NULL,
	`acknowledged_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "policy_acknowledgements_version_check" CHECK("__new_policy_acknowledgements"."version" >= 1),
	CONSTRAINT "policy_acknowledgements_locale_check" CHECK("__new_policy_acknowledgements"."locale" in ('ja', 'en'))
);
--> statement-breakpoint
INSERT INTO `__new_policy_acknowledgements`("id", "user_id", "policy_id", "version", "locale", "acknowledged_at") SELECT "id", "user_id", "policy_id", "version", "locale", "acknowledged_at" FROM `policy_acknowledgements`;--> statement-breakpoint
DROP TABLE `policy_acknowledgements`;--> statement-breakpoint
ALTER TABLE `__new_policy_acknowledgements` RENAME TO `policy_acknowledgements`;--> statement-breakpoint
CREATE UNIQUE INDEX `policy_acknowledgements_user_policy_version_unique` ON `policy_acknowledgements` (`user_id`,`policy_id`,`version`);--> statement-breakpoint
CREATE INDEX `policy_acknowledgements_policy_version_idx` ON `policy_acknowledgements` (`policy_id`,`version`);--> statement-breakpoint
CREATE TABLE `__new_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tier_id` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_role` text,
	`target_department_id` integer,
	`target_wave_id` integer,
	`due_date` text,
	`due_days` integer,
	`valid_for_months` integer,
	`is_default` integer DEFAULT false NOT NULL,
	`created_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`target_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "assignments_target_check" CHECK(("__new_assignments"."target_kind" = 'everyone' and "__new_assignments"."target_role" is null and "__new_assignments"."target_department_id" is null and "__new_assignments"."target_wave_id" is null)
        or ("__new_assignments"."target_kind" = 'role' and "__new_assignments"."target_role" is not null and "__new_assignments"."target_department_id" is null and "__new_assignments"."target_wave_id" is null)
        or ("__new_assignments"."target_kind" = 'department' and "__new_assignments"."target_department_id" is not null and "__new_assignments"."target_role" is null and "__new_assignments"."target_wave_id" is null)
        or ("__new_assignments"."target_kind" = 'wave' and "__new_assignments"."target_wave_id" is not null and "__new_assignments"."target_role" is null and "__new_assignments"."target_department_id" is null)),
	CONSTRAINT "assignments_due_check" CHECK(not ("__new_assignments"."due_date" is not null and "__new_assignments"."due_days" is not null)),
	CONSTRAINT "assignments_valid_for_months_check" CHECK("__new_assignments"."valid_for_months" is null or "__new_assignments"."valid_for_months" between 1 and 60)
);
--> statement-breakpoint
INSERT INTO `__new_assignments`("id", "tier_id", "target_kind", "target_role", "target_department_id", "target_wave_id", "due_date", "due_days", "valid_for_months", "is_default", "created_by", "created_at") SELECT "id", "tier_id", "target_kind", "target_role", "target_department_id", "target_wave_id", "due_date", "due_days", "valid_for_months", "is_default", "created_by", "created_at" FROM `assignments`;--> statement-breakpoint
DROP TABLE `assignments`;--> statement-breakpoint
ALTER TABLE `__new_assignments` RENAME TO `assignments`;