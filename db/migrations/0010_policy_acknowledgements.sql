CREATE TABLE `policy_acknowledgements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`policy_id` text NOT NULL,
	`version` integer NOT NULL,
	`locale` text NOT NULL,
	`acknowledged_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "policy_acknowledgements_version_check" CHECK("policy_acknowledgements"."version" >= 1),
	CONSTRAINT "policy_acknowledgements_locale_check" CHECK("policy_acknowledgements"."locale" in ('ja', 'en'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_acknowledgements_user_policy_version_unique` ON `policy_acknowledgements` (`user_id`,`policy_id`,`version`);--> statement-breakpoint
CREATE INDEX `policy_acknowledgements_policy_version_idx` ON `policy_acknowledgements` (`policy_id`,`version`);