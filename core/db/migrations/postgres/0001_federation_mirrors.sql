ALTER TABLE "agents" ADD COLUMN "runs_on" text;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "remote_id" text;--> statement-breakpoint
CREATE INDEX "agents_runs_on_command_idx" ON "agents" USING btree ("runs_on","command_id");