// The two ceilings share each contender's work: the same answer function served by bare Elysia or by
// bare Bun.serve (`--server bun`), so the gap between them is the framework's alone.
import { Elysia } from "elysia";

export interface Answer {
  status: number;
  body: unknown;
}

export type Answerer = (request: Request) => Answer | Promise<Answer>;

export const serveBare = (path: string, answer: Answerer, server: string = "elysia"): void => {
  let port: number | undefined;
  if (server === "bun") {
    port = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      routes: {
        [path]: async (request: Request) => {
          const { status, body } = await answer(request);
          return Response.json(body, { status });
        },
      },
      fetch: () => new Response("not found", { status: 404 }),
    }).port;
  } else {
    // A synchronous answer gets a synchronous handler: Elysia compiles those without an await.
    const app =
      answer.constructor.name === "AsyncFunction"
        ? new Elysia().get(path, async ({ request, set }) => {
            const answered = await answer(request);
            set.status = answered.status;
            return answered.body;
          })
        : new Elysia().get(path, ({ request, set }) => {
            const answered = answer(request) as Answer;
            set.status = answered.status;
            return answered.body;
          });
    app.listen({ port: 0, hostname: "127.0.0.1" });
    port = app.server?.port;
  }
  console.log(`listening on http://127.0.0.1:${port}`);
};
