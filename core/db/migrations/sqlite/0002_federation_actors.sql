CREATE TABLE `federation_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`peer_id` text NOT NULL,
	`command` text NOT NULL,
	`command_id` text,
	`agent_id` text,
	`actor_id` text,
	`actor_email` text,
	`actor_name` text,
	`outcome` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `federation_audit_peer_idx` ON `federation_audit` (`peer_id`,`id`);--> statement-breakpoint
ALTER TABLE `agents` ADD `actor_id` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `actor_email` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `actor_name` text;