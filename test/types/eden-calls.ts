// Typed calls through Eden treaty with `tessera/app`'s App: compiled by eden.test.ts. Each expected
// error below fails the compile if the type stops catching that mistake (an `any` would).
import type { treaty } from "@elysiajs/eden";
import type { App } from "tessera/app";
import { CLOSE, type ServerMessage, TesseraSocket } from "tessera/client";

export const typedCalls = async (api: ReturnType<typeof treaty<App>>, token: string) => {
  const headers = { authorization: `Bearer ${token}` };
  const me = await api.me.get({ headers });
  const email: string | null | undefined = me.data?.user.email;
  // @ts-expect-error: the user's id is a string
  const wrong: number | undefined = me.data?.user.id;
  // @ts-expect-error: no such route
  await api.nowhere.get();
  const created = await api.workspaces.post({ name: "typed" }, { headers });
  const id: string | undefined = created.data?.id;
  const members = await api.workspaces({ id: id ?? "" }).members.get({ headers });
  const roles = members.data?.members.map((member) => member.role);
  const jobs = await api.workspaces({ id: id ?? "" }).jobs.get({ headers, query: { limit: 10 } });
  const health = await api.coordinator.health.get({ headers: { "x-api-key": "key" } });
  const ready = await api.readyz.get();
  return { email, wrong, id, roles, next: jobs.data?.nextCursor, pending: health.data?.jobs.pending, ready: ready.data };
};

export const socketTypes = (message: ServerMessage) => {
  const codes: number[] = [CLOSE.UNAUTHENTICATED, CLOSE.FORBIDDEN, CLOSE.RATE_LIMITED, CLOSE.GOING_AWAY];
  // @ts-expect-error: `url` is required
  const missing = new TesseraSocket({});
  return { codes, missing, event: message.type === "event" ? message.id : undefined };
};
