// Starting several lab processes at once, all or none.

/** Start several things at once; if any fails, end the ones that started and rethrow. */
export async function startAll<T extends { kill(signal?: NodeJS.Signals): void }>(
  starting: Promise<T>[],
): Promise<T[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    for (const thing of started) thing.kill("SIGKILL");
    throw failed.reason;
  }
  return started;
}
