ALTER TABLE `agents` ADD `runs_on` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `remote_id` text;--> statement-breakpoint
CREATE INDEX `agents_runs_on_command_idx` ON `agents` (`runs_on`,`command_id`);