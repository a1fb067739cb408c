CREATE TABLE `workspace_shares` (
	`workspace_id` text NOT NULL,
	`peer_id` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `peer_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workspace_shares_peer_idx` ON `workspace_shares` (`peer_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `guest_of` text;