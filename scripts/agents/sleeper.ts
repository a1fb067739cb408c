// Example long-running agent: prints a tick every 100 ms for `input.seconds` (default 60) seconds.
// `input.ignoreTerm: true` makes it ignore SIGTERM, so only SIGKILL ends it early. It exits as soon as
// its output has nowhere to go (Tessera is gone), rather than run on as an orphan.
export {};

const task: unknown = JSON.parse(await Bun.stdin.text());
const input: object | null =
  typeof task === "object" && task !== null && "input" in task && typeof task.input === "object" ? task.input : null;
const seconds = input !== null && "seconds" in input && typeof input.seconds === "number" ? input.seconds : 60;
if (input !== null && "ignoreTerm" in input && input.ignoreTerm === true) {
  process.on("SIGTERM", () => process.stdout.write("ignoring SIGTERM\n"));
}
process.stdout.on("error", () => process.exit(141));
const until = Date.now() + seconds * 1000;
for (let tick = 1; Date.now() < until; tick++) {
  process.stdout.write(`tick ${tick}\n`);
  await Bun.sleep(100);
}
process.stdout.write("done\n");
