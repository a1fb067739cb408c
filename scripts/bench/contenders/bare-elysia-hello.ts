// The cold-start ceiling: an Elysia app with one route, listening.
import { Elysia } from "elysia";

const app = new Elysia().get("/readyz", () => ({ status: "ready" }));
app.listen({ port: 0, hostname: "127.0.0.1" });
console.log(`listening on http://127.0.0.1:${app.server?.port}`);
