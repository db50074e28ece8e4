// The one promise deadline: the work's result, or `expired()`'s error once `ms` have passed.
// The timer is cleared either way, so a finished run leaves no timer behind.

export function withTimeout<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
