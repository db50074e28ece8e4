// What the report says about the machine's kernel: its release and its timer frequency (HZ),
// which sets the rounding of every TCP timer.
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";

export function kernelRelease(): string {
  return release();
}

let cachedHz: { hz: number; known: boolean } | undefined;

/** CONFIG_HZ from /proc/config.gz or /boot/config-<release>; 250 (the common default) if unknown. */
export function kernelHz(): { hz: number; known: boolean } {
  cachedHz ??= readHz();
  return cachedHz;
}

function readHz(): { hz: number; known: boolean } {
  const sources = [
    () => gunzipSync(readFileSync("/proc/config.gz")).toString(),
    () => readFileSync(`/boot/config-${release()}`, "utf8"),
  ];
  for (const read of sources) {
    try {
      const match = /^CONFIG_HZ=(\d+)$/m.exec(read());
      if (match) return { hz: Number(match[1]), known: true };
    } catch {
      // try the next source
    }
  }
  return { hz: 250, known: false };
}
