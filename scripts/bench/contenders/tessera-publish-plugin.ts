// A benchmark-only Tessera plugin: POST /bench/publish puts `count` events on a workspace's event stream
// through ctx.events, where a job update would, so the websocket plugin delivers them as it would any.
// The bench config grants it the /bench route; it trusts the caller (the server listens on loopback).
import { Elysia, t } from "elysia";
import { definePlugin } from "../../../core/plugins/define-plugin";

export default definePlugin({
  name: "bench-publish",
  version: "0.1.0",
  config: t.Object({}),
  setup: (ctx) => ({
    routes: new Elysia().post(
      "/bench/publish",
      async ({ body }) => {
        // A burst, published together: awaited one by one, each event on Redis would wait for the previous
        // round trip and reach every socket in a frame of its own, while the in-memory bus publishes them
        // all in one tick and Bun sends each socket one write for the lot. Ids keep the order of the calls.
        const count = body.count ?? 1;
        await Promise.all(Array.from({ length: count }, () => ctx.events.publish(body.workspaceId, body.event, body.data)));
        return { published: body.count ?? 1 };
      },
      {
        body: t.Object({
          workspaceId: t.String(),
          event: t.String(),
          data: t.Unknown(),
          count: t.Optional(t.Integer({ minimum: 1, maximum: 10_000 })),
        }),
      },
    ),
  }),
});
