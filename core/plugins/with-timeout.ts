// Bounds a plugin hook so one hung setup or stop can't hang the whole process.
import { TesseraError } from "../errors/tessera-error";

export const withTimeout = async <T>(work: () => T | Promise<T>, ms: number, what: string, path: string): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TesseraError("ERR_PLUGIN_TIMEOUT", `${what} did not finish within ${ms} ms`, { path })),
      ms,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(work), expired]);
  } finally {
    clearTimeout(timer);
  }
};
