// ctx.fetch in the child: the in-process ScopedFetch (grants, every redirect hop re-checked, timeout)
// with the name resolved by Deno when it connects, not here. Deno resolves a name only when --allow-net
// grants it on every port, and a connection can't be pinned to a checked address without granting the
// address too; at connect, Deno checks the address it resolved against --deny-net, in the same step,
// which is where the core's flags keep a granted name from reaching inside the machine.
import { createScopedFetch, type ResolveHost, type ScopedFetch } from "../../plugins/scoped-fetch";

/** Answers the name itself: the scoped fetch then sends the request to the name, for Deno to resolve. */
const atConnect: ResolveHost = (hostname) => Promise.resolve([{ address: hostname, family: 0 }]);

export const childFetch = (plugin: string, granted: readonly string[]): ScopedFetch =>
  createScopedFetch(plugin, granted, { lookup: atConnect });
