// Example agent: prints the task's input back as JSON. Tessera passes the task on stdin as
// {"agentId", "agentType", "input"}; an integer `input.exitCode` makes it exit with that code.
export {};

const task: unknown = JSON.parse(await Bun.stdin.text());
const input = typeof task === "object" && task !== null && "input" in task ? task.input : null;
process.stdout.write(`${JSON.stringify(input)}\n`);
const exitCode = typeof input === "object" && input !== null && "exitCode" in input ? input.exitCode : 0;
process.exit(Number.isInteger(exitCode) ? Number(exitCode) : 0);
