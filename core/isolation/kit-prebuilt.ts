// The child's program and the modules an isolated plugin imports, as `npm run build` bundles them into the
// binary (Deno reads modules from disk, and the binary has no source tree). From source there are none and
// child-kit.ts points at the source files; scripts/build.ts replaces this module in the binary.
export interface PrebuiltKit {
  /** Bundled files by path relative to the kit's folder. */
  files: Record<string, string>;
  /** "main" and each import specifier (KIT_ENTRIES' keys) → its bundled file. */
  entries: Record<string, string>;
}

export const prebuiltKit: PrebuiltKit | undefined = undefined;
