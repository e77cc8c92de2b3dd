CREATE TABLE `kpi_department_pairs` (
	`department_id` integer NOT NULL,
	`month` text NOT NULL,
	`pairs` integer DEFAULT 0 NOT NULL,
	`first_passed` integer DEFAULT 0 NOT NULL,
	`passed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `kpi_department_people` (
	`department_id` integer NOT NULL,
	`tier_id` text NOT NULL,
	`people` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `tier_id`)
);
--> statement-breakpoint
CREATE TABLE `kpi_people` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`department_id` integer NOT NULL,
	`active` integer NOT NULL,
	`tiers` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `users_created_idx` ON `users` (`created_at`);--> statement-breakpoint
CREATE INDEX `lesson_feedback_updated_idx` ON `lesson_feedback` (`updated_at`);