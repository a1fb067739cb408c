ALTER TABLE `agents` ADD `instance_id` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `kill_requested_at` integer;