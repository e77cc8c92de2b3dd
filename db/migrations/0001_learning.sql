CREATE TABLE `certificates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`user_id` integer NOT NULL,
	`tier_id` text NOT NULL,
	`holder_name` text NOT NULL,
	`issued_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_code_unique` ON `certificates` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_user_tier_unique` ON `certificates` (`user_id`,`tier_id`);--> statement-breakpoint
CREATE TABLE `lesson_feedback` (
	`user_id` integer NOT NULL,
	`lesson_id` text NOT NULL,
	`rating` integer NOT NULL,
	`comment` text,
	`locale` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `lesson_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "lesson_feedback_rating_check" CHECK("lesson_feedback"."rating" between 1 and 5),
	CONSTRAINT "lesson_feedback_comment_check" CHECK("lesson_feedback"."comment" is null or length("lesson_feedback"."comment") <= 1000)
);
--> statement-breakpoint
CREATE INDEX `lesson_feedback_lesson_idx` ON `lesson_feedback` (`lesson_id`);--> statement-breakpoint
CREATE TABLE `lesson_views` (
	`user_id` integer NOT NULL,
	`lesson_id` text NOT NULL,
	`day` text NOT NULL,
	`viewed_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `lesson_id`, `day`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `lesson_views_viewed_idx` ON `lesson_views` (`viewed_at`);