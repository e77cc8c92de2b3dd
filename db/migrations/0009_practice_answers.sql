CREATE TABLE `practice_answers` (
	`user_id` integer NOT NULL,
	`lesson_id` text NOT NULL,
	`task_id` text NOT NULL,
	`answer` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `lesson_id`, `task_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "practice_answers_answer_check" CHECK(length("practice_answers"."answer") between 1 and 4000)
);
