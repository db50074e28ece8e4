// Run independent tasks with at most `parallel` at a time and at most `starting` of them in
// their start-up (until a task calls its `started()`), results in the order given. Start-up
// is where the CPU goes (a lab's namespaces, agents, capture); the rest is mostly waiting, so
// many tasks can wait at once while few start at once. After the first failure no new task
// starts; the ones running finish (and tear their labs down) before the failure is passed on.

export type PoolTask<T> = (started: () => void) => Promise<T>;

export function runPool<T>(
  tasks: PoolTask<T>[],
  parallel: number,
  starting: number = parallel,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let running = 0;
  let startingNow = 0;
  let failure: { error: unknown } | undefined;
  return new Promise((resolve, reject) => {
    const settleIfDone = () => {
      if (running > 0 || (!failure && next < tasks.length)) return;
      if (failure) reject(failure.error);
      else resolve(results);
    };
    const launch = () => {
      while (
        !failure &&
        next < tasks.length &&
        running < Math.max(1, parallel) &&
        startingNow < Math.max(1, starting)
      ) {
        const index = next++;
        running++;
        startingNow++;
        let up = false;
        const markUp = () => {
          if (up) return false;
          up = true;
          startingNow--;
          return true;
        };
        const started = () => {
          if (markUp()) launch();
        };
        Promise.resolve()
          .then(() => tasks[index](started))
          .then(
            (result) => {
              results[index] = result;
            },
            (error) => {
              failure ??= { error };
            },
          )
          .finally(() => {
            running--;
            markUp();
            launch();
            settleIfDone();
          });
      }
    };
    launch();
    settleIfDone();
  });
}
