CREATE TABLE "workspace_shares" (
	"workspace_id" text NOT NULL,
	"peer_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "workspace_shares_pk" PRIMARY KEY("workspace_id","peer_id")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "guest_of" text;--> statement-breakpoint
ALTER TABLE "workspace_shares" ADD CONSTRAINT "workspace_shares_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workspace_shares_peer_idx" ON "workspace_shares" USING btree ("peer_id");