// The few Deno APIs the child uses, typed here: the project type-checks against Bun's types, and this
// is the one file that reaches for Deno's global (the child only ever runs under Deno).

interface DenoRuntime {
  stdin: { read(buffer: Uint8Array): Promise<number | null> };
  stdout: { writeSync(bytes: Uint8Array): number };
  version: { deno: string };
  errors: { NotCapable: new (message?: string) => Error };
  exit(code?: number): never;
}

export const deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;
