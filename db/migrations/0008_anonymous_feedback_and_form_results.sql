CREATE TABLE `anonymous_feedback` (
	`id` integer PRIMARY KEY NOT NULL,
	`lesson_id` text NOT NULL,
	`department_id` integer,
	`month` text NOT NULL,
	`rating` integer NOT NULL,
	`comment` text,
	`locale` text NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "anonymous_feedback_rating_check" CHECK("anonymous_feedback"."rating" between 1 and 5),
	CONSTRAINT "anonymous_feedback_comment_check" CHECK("anonymous_feedback"."comment" is null or length("anonymous_feedback"."comment") <= 1000)
);
--> statement-breakpoint
CREATE INDEX `anonymous_feedback_lesson_idx` ON `anonymous_feedback` (`lesson_id`);--> statement-breakpoint
CREATE INDEX `anonymous_feedback_department_month_idx` ON `anonymous_feedback` (`department_id`,`month`);--> statement-breakpoint
CREATE TABLE `anonymous_feedback_senders` (
	`id` integer PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`lesson_id` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `anonymous_feedback_senders_unique` ON `anonymous_feedback_senders` (`user_id`,`lesson_id`);--> statement-breakpoint
CREATE TABLE `form_results` (
	`id` text PRIMARY KEY NOT NULL,
	`sealed` blob NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `form_results_expires_idx` ON `form_results` (`expires_at`);