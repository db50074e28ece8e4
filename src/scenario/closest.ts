// "Did you mean ...?": the known name with the smallest edit distance, if it is close enough.

export function closest(input: string, names: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const d = editDistance(input, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  if (bestDistance <= limit) return best;
  // "crash" is far from every name by edit distance, but names may start with or contain it.
  const nearest = (pool: string[]) =>
    pool.length
      ? pool.reduce((a, b) => (editDistance(input, b) < editDistance(input, a) ? b : a))
      : null;
  return (
    nearest(names.filter((n) => n.startsWith(input))) ??
    nearest(names.filter((n) => n.includes(input)))
  );
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = row;
  }
  return prev[b.length];
}
