// The ceiling for the isolated-route scenario: the probe plugin's trivial route on bare Elysia.
import { Elysia } from "elysia";

const app = new Elysia().get("/probe/hello", () => ({ hello: "world" }));
app.listen({ port: 0, hostname: "127.0.0.1" });
console.log(`listening on http://127.0.0.1:${app.server?.port}`);
