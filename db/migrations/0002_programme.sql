CREATE TABLE `activity_months` (
	`user_id` integer NOT NULL,
	`month` text NOT NULL,
	`first_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `month`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `activity_months_month_idx` ON `activity_months` (`month`);--> statement-breakpoint
CREATE TABLE `assignment_enrolments` (
	`assignment_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`enrolled_at` integer NOT NULL,
	PRIMARY KEY(`assignment_id`, `user_id`),
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `assignment_enrolments_user_idx` ON `assignment_enrolments` (`user_id`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tier_id` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_role` text,
	`target_department_id` integer,
	`target_wave_id` integer,
	`due_date` text,
	`due_days` integer,
	`is_default` integer DEFAULT false NOT NULL,
	`created_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`target_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "assignments_target_check" CHECK(("assignments"."target_kind" = 'everyone' and "assignments"."target_role" is null and "assignments"."target_department_id" is null and "assignments"."target_wave_id" is null)
        or ("assignments"."target_kind" = 'role' and "assignments"."target_role" is not null and "assignments"."target_department_id" is null and "assignments"."target_wave_id" is null)
        or ("assignments"."target_kind" = 'department' and "assignments"."target_department_id" is not null and "assignments"."target_role" is null and "assignments"."target_wave_id" is null)
        or ("assignments"."target_kind" = 'wave' and "assignments"."target_wave_id" is not null and "assignments"."target_role" is null and "assignments"."target_department_id" is null)),
	CONSTRAINT "assignments_due_check" CHECK(not ("assignments"."due_date" is not null and "assignments"."due_days" is not null))
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_user_id` integer,
	`actor_label` text,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`details` text,
	`ip` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`at`);--> statement-breakpoint
CREATE TABLE `checkins` (
	`user_id` integer NOT NULL,
	`month` text NOT NULL,
	`hours_saved` real,
	`tasks` text,
	`dismissed` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `month`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "checkins_hours_check" CHECK("checkins"."hours_saved" is null or ("checkins"."hours_saved" between 0 and 200 and "checkins"."hours_saved" * 2 = cast("checkins"."hours_saved" * 2 as integer))),
	CONSTRAINT "checkins_tasks_check" CHECK("checkins"."tasks" is null or length("checkins"."tasks") <= 500)
);
--> statement-breakpoint
CREATE INDEX `checkins_month_idx` ON `checkins` (`month`);--> statement-breakpoint
CREATE TABLE `helpdesk_inquiries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`month` text NOT NULL,
	`department_id` integer,
	`count` integer NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "helpdesk_count_check" CHECK("helpdesk_inquiries"."count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `helpdesk_month_department_unique` ON `helpdesk_inquiries` (`month`,`department_id`) WHERE "helpdesk_inquiries"."department_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `helpdesk_month_company_unique` ON `helpdesk_inquiries` (`month`) WHERE "helpdesk_inquiries"."department_id" is null;--> statement-breakpoint
CREATE TABLE `login_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` blob NOT NULL,
	`user_id` integer NOT NULL,
	`purpose` text NOT NULL,
	`created_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `wave_departments` (
	`wave_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	PRIMARY KEY(`wave_id`, `department_id`),
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `wave_departments_department_idx` ON `wave_departments` (`department_id`);--> statement-breakpoint
CREATE TABLE `wave_targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`wave_id` integer NOT NULL,
	`kpi` text NOT NULL,
	`comparator` text DEFAULT 'gte' NOT NULL,
	`value` real NOT NULL,
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wave_targets_wave_kpi_unique` ON `wave_targets` (`wave_id`,`kpi`);--> statement-breakpoint
CREATE TABLE `waves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text NOT NULL,
	`description` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `xapi_deliveries` (
	`statement_id` text PRIMARY KEY NOT NULL,
	`record_key` text NOT NULL,
	`endpoint` text NOT NULL,
	`sent_at` integer NOT NULL
);
