// Serves one in-memory asset with validators: a URL carrying the asset's current version is cached
// for a year (a new version is a new URL); anything else is revalidated on every use (ETag → 304).
import type { Asset } from "./assets";

export interface AssetResponseOptions {
  /** The `v` the URL asked for; equal to the asset's version makes the response immutable. */
  requestedVersion?: string;
  headers?: Record<string, string>;
}

export const assetResponse = (request: Request, asset: Asset, options: AssetResponseOptions = {}): Response => {
  const etag = `"${asset.version}"`;
  const headers: Record<string, string> = {
    ...options.headers,
    etag,
    "cache-control": options.requestedVersion === asset.version ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(asset.body, { headers: { ...headers, "content-type": asset.contentType } });
};
