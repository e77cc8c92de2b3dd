CREATE TABLE `department_channels` (
	`department_id` integer PRIMARY KEY NOT NULL,
	`teams_url` text,
	`slack_url` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notification_events` (
	`key` text PRIMARY KEY NOT NULL,
	`outbox_id` integer NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`outbox_id`) REFERENCES `notification_outbox`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_events_outbox_idx` ON `notification_events` (`outbox_id`);--> statement-breakpoint
CREATE TABLE `notification_opt_outs` (
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `kind`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notification_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`channel` text NOT NULL,
	`user_id` integer,
	`department_id` integer,
	`day` text NOT NULL,
	`kinds` text NOT NULL,
	`message_id` text,
	`payload` text NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "notification_outbox_state_check" CHECK("notification_outbox"."state" in ('queued', 'sending', 'sent', 'failed')),
	CONSTRAINT "notification_outbox_channel_check" CHECK("notification_outbox"."channel" in ('email', 'teams', 'slack'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_outbox_key_unique` ON `notification_outbox` (`key`);--> statement-breakpoint
CREATE UNIQUE INDEX `notification_outbox_message_id_unique` ON `notification_outbox` (`message_id`);--> statement-breakpoint
CREATE INDEX `notification_outbox_due_idx` ON `notification_outbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notification_outbox_user_day_idx` ON `notification_outbox` (`user_id`,`day`);--> statement-breakpoint
CREATE TABLE `notification_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "notification_tokens_purpose_check" CHECK("notification_tokens"."purpose" in ('unsubscribe', 'calendar'))
);
--> statement-breakpoint
CREATE INDEX `notification_tokens_user_idx` ON `notification_tokens` (`user_id`,`purpose`);