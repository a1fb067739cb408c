// The console's static files: the page, its stylesheet and its script. The script is bundled from
// web/ by Bun on first use (a fresh clone runs no build step; the binary carries it prebuilt) and
// everything is kept in memory with a content hash, so the page can ask for the script and stylesheet
// by version and cache them for good.
import { join } from "node:path";
import { TesseraError } from "tessera/plugin";
import { type ConsoleSources, prebuilt } from "./prebuilt";

export interface Asset {
  body: string;
  contentType: string;
  /** A hash of the body: the ETag, and the `?v=` that marks a URL as immutable. */
  version: string;
}

export interface ConsoleAssets {
  page: Asset;
  script: Asset;
  style: Asset;
}

const WEB_DIR = join(import.meta.dir, "web");

const asset = (body: string, contentType: string): Asset => ({
  body,
  contentType,
  version: new Bun.CryptoHasher("sha256").update(body).digest("hex").slice(0, 20),
});

const bundleScript = async (): Promise<string> => {
  const result = await Bun.build({ entrypoints: [join(WEB_DIR, "main.ts")], target: "browser", minify: true });
  const [output] = result.outputs;
  if (!result.success || !output) {
    throw new TesseraError("ERR_CONSOLE_BUILD", "The console's script did not bundle", { cause: result.logs });
  }
  return output.text();
};

/** What the page's script is told about this server, through meta tags (inline script is not allowed). */
export interface PageSettings {
  websocketPath: string;
  publicUrl: string;
  allowedOrigins: readonly string[];
}

/** Reads and bundles web/; scripts/build.ts calls this too, to embed the result in the binary. */
export const readSources = async (): Promise<ConsoleSources> => {
  const [script, style, template] = await Promise.all([
    bundleScript(),
    Bun.file(join(WEB_DIR, "app.css")).text(),
    Bun.file(join(WEB_DIR, "index.html")).text(),
  ]);
  return { script, style, template };
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const loadAssets = async (settings: PageSettings): Promise<ConsoleAssets> => {
  const sources = prebuilt ?? (await readSources());
  const script = asset(sources.script, "text/javascript; charset=utf-8");
  const style = asset(sources.style, "text/css; charset=utf-8");
  const html = sources.template
    .replace("{{script}}", `/console/app.js?v=${script.version}`)
    .replace("{{style}}", `/console/app.css?v=${style.version}`)
    .replace("{{websocketPath}}", escapeHtml(settings.websocketPath))
    .replace("{{publicUrl}}", escapeHtml(settings.publicUrl))
    .replace("{{allowedOrigins}}", escapeHtml(settings.allowedOrigins.join(" ")));
  return { page: asset(html, "text/html; charset=utf-8"), script, style };
};

/** Loads once, on first call; later calls share the result. */
export const lazyAssets = (settings: PageSettings): (() => Promise<ConsoleAssets>) => {
  let loading: Promise<ConsoleAssets> | undefined;
  return () => {
    loading ??= loadAssets(settings);
    return loading;
  };
};
