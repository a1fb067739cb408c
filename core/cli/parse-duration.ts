// "90s", "15m", "12h", "30d" → milliseconds, for CLI flags such as `sessions create --ttl`.
import { TesseraError } from "../errors/tessera-error";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const parseDuration = (text: string, flag: string): number => {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  const unit = match?.[2];
  if (!match || !unit || Number(match[1]) <= 0) {
    throw new TesseraError("ERR_BAD_REQUEST", `${flag} expects a duration such as 30m, 12h or 7d, got "${text}"`);
  }
  return Number(match[1]) * (UNITS[unit] ?? 1);
};
