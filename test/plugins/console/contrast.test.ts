// The console's colours meet WCAG 2.2 AA contrast (4.5:1 for text) where they are used: every text
// colour on the white page and the grey surface, and white text on the accent (buttons, the chosen workspace).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const css = await Bun.file(join(import.meta.dir, "../../../plugins/console/web/app.css")).text();

const colour = (name: string): string => {
  const value = new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, "i").exec(css)?.[1];
  if (!value) throw new Error(`app.css defines no --${name}`);
  return value;
};

// Relative luminance and contrast ratio as WCAG defines them.
const luminance = (hex: string): number => {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((at) => {
    const channel = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

const contrast = (a: string, b: string): number => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
};

describe("the console's colours", () => {
  for (const text of ["text", "muted", "accent", "ok", "bad", "warn"]) {
    test(`--${text} is readable on the page and on the surface`, () => {
      expect(contrast(colour(text), "#ffffff")).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colour(text), colour("surface"))).toBeGreaterThanOrEqual(4.5);
    });
  }

  test("button text is readable on the accent", () => {
    expect(contrast(colour("accent-text"), colour("accent"))).toBeGreaterThanOrEqual(4.5);
  });
});
