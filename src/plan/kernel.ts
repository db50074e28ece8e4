// What the report says about the machine's kernel: its release and its timer frequency (HZ),
// which sets the rounding of every TCP timer.
// node:zlib (and node:fs/promises) load when HZ is first read: ~5 ms of Node's own modules
// that the commands which never report a run (list, explain...) do not need, and that a run
// loads in its first lab's idle time (warmKernelHz).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { release } from "node:os";

const zlib = () => createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");

export function kernelRelease(): string {
  return release();
}

let cachedHz: { hz: number; known: boolean } | undefined;

/** CONFIG_HZ from /proc/config.gz or /boot/config-<release>; 250 (the common default) if unknown. */
export function kernelHz(): { hz: number; known: boolean } {
  cachedHz ??= readHz();
  return cachedHz;
}

/**
 * Read HZ ahead, off the main thread (the file read and the gunzip run in libuv's pool), so
 * that the report after a run does not wait the few ms /proc/config.gz takes to unpack.
 */
export async function warmKernelHz(): Promise<void> {
  if (cachedHz) return;
  try {
    const { readFile } = createRequire(import.meta.url)(
      "node:fs/promises",
    ) as typeof import("node:fs/promises");
    const packed = await readFile("/proc/config.gz");
    const text = await new Promise<string>((resolve, reject) =>
      zlib().gunzip(packed, (err, out) => (err ? reject(err) : resolve(out.toString()))),
    );
    const found = hzIn(text);
    if (found) cachedHz ??= found;
  } catch {
    // kernelHz() reads it (or the other source) when it is needed
  }
}

function readHz(): { hz: number; known: boolean } {
  const sources = [
    () => zlib().gunzipSync(readFileSync("/proc/config.gz")).toString(),
    () => readFileSync(`/boot/config-${release()}`, "utf8"),
  ];
  for (const read of sources) {
    try {
      const found = hzIn(read());
      if (found) return found;
    } catch {
      // try the next source
    }
  }
  return { hz: 250, known: false };
}

/** CONFIG_HZ in a kernel config's text, or null. */
function hzIn(config: string): { hz: number; known: true } | null {
  const match = /^CONFIG_HZ=(\d+)$/m.exec(config);
  return match ? { hz: Number(match[1]), known: true } : null;
}
