// Run independent tasks with at most `parallel` at a time, results in the order given. After
// the first failure no new task starts; the ones running finish (and tear their labs down)
// before the failure is passed on.
export async function runPool<T>(tasks: (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failure) {
      const index = next++;
      try {
        results[index] = await tasks[index]();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, tasks.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
