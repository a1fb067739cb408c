ALTER TABLE "jobs" DROP CONSTRAINT "jobs_idempotency_key_unique";--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "idempotency_sender" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "idempotency_route" text;--> statement-breakpoint
-- Keys stored before they were scoped came from an unrecorded sender: a marker no API key name can equal
-- (names start with a letter or digit), so an old job is never replayed to, nor blocks, a new request.
UPDATE "jobs" SET "idempotency_sender" = '(unknown)', "idempotency_route" = '(unknown)' WHERE "idempotency_key" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_idempotency_unique" ON "jobs" USING btree ("idempotency_sender","idempotency_route","workspace_id","idempotency_key");