// What the report says about the machine's kernel: its release and its timer frequency (HZ),
// which sets the rounding of every TCP timer.
// node:zlib loads when HZ is first read: a few ms of Node's own modules that the commands
// which never report a run (list, explain...) do not need, and that a run loads in its first
// lab's idle time (warmKernelHz).
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
 * Read HZ ahead, once the first lab's build has started its tools and waits for them, so that
 * the report after a run does not load node:zlib and unpack /proc/config.gz then.
 */
export function warmKernelHz(): void {
  if (!cachedHz) setImmediate(kernelHz);
}

/**
 * /proc/config.gz's first 8 KB hold CONFIG_HZ (the "Processor type and features" section
 * comes early: ~30 KB of text, HZ at about line 470 of ~4,000); unpacking only them, with
 * Z_SYNC_FLUSH so that a cut stream is not an error, takes ~0.2 ms against ~2 ms for the
 * whole file. The whole file is the fallback.
 */
const CONFIG_HEAD_BYTES = 8192;

function readHz(): { hz: number; known: boolean } {
  const unpack = (head: boolean) => {
    const { gunzipSync, constants } = zlib();
    const packed = readFileSync("/proc/config.gz");
    if (!head) return gunzipSync(packed).toString();
    const options = { finishFlush: constants.Z_SYNC_FLUSH };
    return gunzipSync(packed.subarray(0, CONFIG_HEAD_BYTES), options).toString();
  };
  const sources = [
    () => unpack(true),
    () => unpack(false),
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
