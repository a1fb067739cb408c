// The console's files as `npm run build` put them in the binary, which cannot run Bun.build. From
// source there are none and assets.ts reads and bundles web/ on first use; scripts/build.ts replaces
// this module in the binary.
export interface ConsoleSources {
  script: string;
  style: string;
  template: string;
}

export const prebuilt: ConsoleSources | undefined = undefined;
