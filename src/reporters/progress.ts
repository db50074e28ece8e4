// Live status line for a TTY while a run watches for failures after the fault.
// It rewrites a single line with "\r" and erases it on done(); on anything that is not a
// TTY (a pipe, a file, CI logs) it prints nothing at all.

export interface Progress {
  update(elapsedMs: number, eventCount: number, label: string): void;
  done(): void;
}

const CLEAR_TO_EOL = "\x1b[K";

const noop: Progress = {
  update() {},
  done() {},
};

/** Formats the status text, e.g. "host-crash  watching 3.2 s / 10 s · 14 events". */
export function formatProgress(
  elapsedMs: number,
  eventCount: number,
  label: string,
  windowS: number,
): string {
  const elapsed = (Math.max(0, elapsedMs) / 1000).toFixed(1);
  const events = `${eventCount} ${eventCount === 1 ? "event" : "events"}`;
  return `${label}  watching ${elapsed} s / ${windowS} s · ${events}`;
}

export function createProgress(stream: NodeJS.WriteStream, windowS: number): Progress {
  if (!stream.isTTY) return noop;
  let shown = false;
  return {
    update(elapsedMs, eventCount, label) {
      let line = formatProgress(elapsedMs, eventCount, label, windowS);
      // A line that wraps cannot be rewritten with "\r": keep it within the terminal width.
      const columns = stream.columns;
      if (columns && columns > 1 && line.length > columns - 1) line = line.slice(0, columns - 1);
      stream.write(`\r${line}${CLEAR_TO_EOL}`);
      shown = true;
    },
    done() {
      if (!shown) return;
      stream.write(`\r${CLEAR_TO_EOL}`);
      shown = false;
    },
  };
}
