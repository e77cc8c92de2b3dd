ALTER TABLE `certificates` ADD `cycle` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `certificates` ADD `valid_until` integer;--> statement-breakpoint
ALTER TABLE `lesson_completions` ADD `cycle` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `lesson_completions` ADD `content_version` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `lesson_completions` ADD `major_revision` text;--> statement-breakpoint
ALTER TABLE `attempt_answers` ADD `question_version` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `quiz_attempts` ADD `cycle` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `quiz_attempts` ADD `content_version` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `assignments` ADD `valid_for_months` integer;