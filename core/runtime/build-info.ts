// What only a build knows. From source these are the defaults below; scripts/build.ts replaces this
// module in the compiled binary.
export interface BuildInfo {
  /** True inside the single executable made by `npm run build`. */
  binary: boolean;
  /** The git commit the binary was built from. */
  commit?: string;
}

export const buildInfo: BuildInfo = { binary: false };
