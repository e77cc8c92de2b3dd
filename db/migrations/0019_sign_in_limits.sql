CREATE TABLE `sign_in_known_addresses` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sign_in_known_addresses_expires_idx` ON `sign_in_known_addresses` (`expires_at`);--> statement-breakpoint
CREATE TABLE `sign_in_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`expire` integer
);
--> statement-breakpoint
CREATE INDEX `sign_in_limits_expire_idx` ON `sign_in_limits` (`expire`);