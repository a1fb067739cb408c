// A stand-in for the Deno child, run by Bun, for the core's process handling: it speaks the protocol over
// stdin/stdout and misbehaves as its first argument says. Its second names a file counting its launches.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Channel } from "../../../../core/isolation/wire/channel";
import { PROTOCOL_VERSION } from "../../../../core/isolation/wire/protocol";

const [mode = "serve", counter = ""] = process.argv.slice(2);
const launch = counter && existsSync(counter) ? Number(readFileSync(counter, "utf8")) + 1 : 1;
if (counter) writeFileSync(counter, String(launch));

if (mode === "exit") {
  process.stderr.write("boom: the plugin did not load\n");
  process.exit(2);
}

const channel = new Channel((bytes) => {
  process.stdout.write(bytes);
}, "child");

async function* stdin(): AsyncGenerator<Uint8Array> {
  const reader = Bun.stdin.stream().getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
}

// "routes-change": the first launch has one route, every later one another; "ws" adds a WebSocket route.
const routes =
  mode === "routes-change" && launch > 1 ? [{ method: "GET", path: "/fake/other" }] : [{ method: "GET", path: "/fake/hello" }];
if (mode === "ws") routes.push({ method: "WS", path: "/fake/ws" });
channel.handle("setup", () => ({ routes, bodyLimits: [], has: { start: true, stop: true, health: false, reload: false } }));
channel.handle("start", () => {
  // "garbage": the first launch breaks the protocol once started.
  if (mode === "garbage" && launch === 1) setTimeout(() => process.stdout.write(new Uint8Array([0, 0, 0, 1, 9])), 20);
  return null;
});
channel.handle("stop", () => null);
channel.handle("http", () => ({ status: 200, headers: [["content-type", "text/plain"]] }));

if (mode !== "silent")
  channel.notify("hello", { protocol: mode === "wrong-protocol" ? PROTOCOL_VERSION + 1 : PROTOCOL_VERSION, runtime: "fake 1" });
channel.run(stdin()).then(
  () => process.exit(0),
  () => process.exit(1),
);
