DROP INDEX `users_external_id_idx`;--> statement-breakpoint
DROP INDEX `users_manager_idx`;--> statement-breakpoint
CREATE INDEX `users_external_id_idx` ON `users` (`external_id`) WHERE "users"."external_id" is not null;--> statement-breakpoint
CREATE INDEX `users_manager_idx` ON `users` (`manager_id`) WHERE "users"."manager_id" is not null;