// The rule every suite that needs an outside service follows: in CI (env CI set) the service must
// be there, so its absence fails the run; on a laptop the suite is skipped with one line that says so.

const inCi = (): boolean => {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
};

/**
 * Resolves true when `probe` succeeds. Otherwise: in CI, throws (a top-level await of this fails
 * the test file); elsewhere, prints `<service> unreachable at <where>: skipping <suite>` and resolves false.
 */
export const requireOrSkip = async (
  service: string,
  where: string,
  suite: string,
  probe: () => Promise<void>,
): Promise<boolean> => {
  try {
    await probe();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (inCi()) throw new Error(`${service} unreachable at ${where} and CI is set: ${reason}`, { cause: error });
    console.log(`${service} unreachable at ${where}: skipping ${suite}`);
    return false;
  }
};
