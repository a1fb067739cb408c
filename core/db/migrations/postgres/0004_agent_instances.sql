ALTER TABLE "agents" ADD COLUMN "instance_id" text;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "kill_requested_at" bigint;