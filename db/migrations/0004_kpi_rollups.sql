CREATE TABLE `kpi_department_months` (
	`department_id` integer NOT NULL,
	`month` text NOT NULL,
	`active_users` integer DEFAULT 0 NOT NULL,
	`hours_sum` real DEFAULT 0 NOT NULL,
	`hours_respondents` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`attempts_passed` integer DEFAULT 0 NOT NULL,
	`score_sum` real DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`rating_count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `month`)
);
--> statement-breakpoint
CREATE INDEX `kpi_department_months_month_idx` ON `kpi_department_months` (`month`);--> statement-breakpoint
CREATE TABLE `kpi_question_months` (
	`department_id` integer NOT NULL,
	`month` text NOT NULL,
	`quiz_id` text NOT NULL,
	`question_id` text NOT NULL,
	`answers` integer DEFAULT 0 NOT NULL,
	`correct` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `month`, `quiz_id`, `question_id`)
);
--> statement-breakpoint
CREATE INDEX `kpi_question_months_month_idx` ON `kpi_question_months` (`month`);--> statement-breakpoint
CREATE TABLE `kpi_wrong_options` (
	`department_id` integer NOT NULL,
	`month` text NOT NULL,
	`quiz_id` text NOT NULL,
	`question_id` text NOT NULL,
	`option_id` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `month`, `quiz_id`, `question_id`, `option_id`)
);
--> statement-breakpoint
CREATE INDEX `kpi_wrong_options_month_idx` ON `kpi_wrong_options` (`month`);--> statement-breakpoint
CREATE TABLE `quiz_pairs` (
	`user_id` integer NOT NULL,
	`quiz_id` text NOT NULL,
	`first_at` integer NOT NULL,
	`first_passed` integer NOT NULL,
	`passed_at` integer,
	PRIMARY KEY(`user_id`, `quiz_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
