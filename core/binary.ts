// Entry of the single executable that `npm run build` makes: core/main.ts's CLI, after the modules
// that plugins loaded by path import are provided (see plugins/host-modules.ts).
import { provideHostModules } from "./plugins/host-modules";

provideHostModules();
await import("./main");
