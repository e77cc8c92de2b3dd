CREATE TABLE `kpi_certificate_events` (
	`user_id` integer NOT NULL,
	`tier_id` text NOT NULL,
	`at` integer NOT NULL,
	`ever` integer DEFAULT 0 NOT NULL,
	`certified` integer DEFAULT 0 NOT NULL,
	`expiring` integer DEFAULT 0 NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `tier_id`, `at`)
);
--> statement-breakpoint
CREATE INDEX `kpi_certificate_events_at_idx` ON `kpi_certificate_events` (`at`);--> statement-breakpoint
CREATE TABLE `kpi_certificate_months` (
	`department_id` integer NOT NULL,
	`tier_id` text NOT NULL,
	`month` text NOT NULL,
	`ever` integer DEFAULT 0 NOT NULL,
	`certified` integer DEFAULT 0 NOT NULL,
	`expiring` integer DEFAULT 0 NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `tier_id`, `month`)
);
