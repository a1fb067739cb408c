// Which sessions are still live: what something holding connections open re-checks them against when
// it may have missed their revocation (an identity subscriber that was away).
import { and, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/database";

/** Bounded so one statement stays well under every driver's parameter limit. */
const CHUNK = 500;

export const liveSessionIds = async (
  db: Database,
  sessionIds: readonly string[],
  now: number = Date.now(),
): Promise<Set<string>> => {
  const { sessions } = db.tables;
  const live = new Set<string>();
  const unique = [...new Set(sessionIds)];
  for (let start = 0; start < unique.length; start += CHUNK) {
    const rows = await db.orm
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(inArray(sessions.id, unique.slice(start, start + CHUNK)), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
      );
    for (const row of rows) live.add(row.id);
  }
  return live;
};
