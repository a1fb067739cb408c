CREATE TABLE "federation_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"peer_id" text NOT NULL,
	"command" text NOT NULL,
	"command_id" text,
	"agent_id" text,
	"actor_id" text,
	"actor_email" text,
	"actor_name" text,
	"outcome" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "actor_id" text;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "actor_email" text;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "actor_name" text;--> statement-breakpoint
CREATE INDEX "federation_audit_peer_idx" ON "federation_audit" USING btree ("peer_id","id");