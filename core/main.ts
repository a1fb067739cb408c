// The `tessera` command line.
import { runCli } from "./cli/run-cli";

const code = await runCli(process.argv.slice(2));
// `serve` keeps running on its open server; every other command ends here.
if (code !== 0 || process.argv[2] !== "serve") process.exit(code);
