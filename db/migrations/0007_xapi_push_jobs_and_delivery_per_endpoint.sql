CREATE TABLE `xapi_push_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`endpoint` text NOT NULL,
	`state` text NOT NULL,
	`started_by` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	`resumed_at` integer,
	`sent` integer DEFAULT 0 NOT NULL,
	`already_delivered` integer DEFAULT 0 NOT NULL,
	`batches` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `xapi_push_jobs_state_idx` ON `xapi_push_jobs` (`state`,`id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_xapi_deliveries` (
	`endpoint` text NOT NULL,
	`statement_id` text NOT NULL,
	`record_key` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`endpoint`, `statement_id`)
);
--> statement-breakpoint
INSERT INTO `__new_xapi_deliveries`("endpoint", "statement_id", "record_key", "sent_at") SELECT "endpoint", "statement_id", "record_key", "sent_at" FROM `xapi_deliveries`;--> statement-breakpoint
DROP TABLE `xapi_deliveries`;--> statement-breakpoint
ALTER TABLE `__new_xapi_deliveries` RENAME TO `xapi_deliveries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;