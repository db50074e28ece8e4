// koffi, the FFI that every libc call of tcpdrop goes through, loaded the short way where it can
// be. koffi's own entry (koffi/index.cjs) finds its prebuilt binary anew at every start:
// - it resolves its per-platform package (@koromix/koffi-<os>-<arch>);
// - that package reads the ELF header of Node's own executable to tell glibc from musl;
// - the entry then wraps a few deprecated names.
// That is a few ms of CPU in every tcpdrop start and in every agent process, most of what
// loading koffi costs (BENCHMARKS.md, section 5, times the start). On Linux x64 and arm64 the
// glibc binary is required straight from that package, the file koffi's entry would pick. Anything
// else takes koffi's own entry: musl (where the glibc binary does not load), another layout of
// the package, or a binary of another version than the one package.json pins.
import { createRequire } from "node:module";
import type Koffi from "koffi";

/** The koffi release package.json pins (test/unit/koffi.test.ts holds them together). */
export const KOFFI_VERSION = "3.3.4";

const require = createRequire(import.meta.url);

/** The binary koffi's entry loads on a glibc Linux of this architecture, or null elsewhere. */
export function prebuiltBinary(): string | null {
  const { platform, arch } = process;
  if (platform !== "linux" || (arch !== "x64" && arch !== "arm64")) return null;
  return `@koromix/koffi-linux-${arch}/linux_${arch}/koffi.node`;
}

/** How koffi was loaded: its binary straight, or through its own entry. */
export let koffiLoadedBy: "binary" | "entry" = "entry";

function load(): typeof Koffi {
  const binary = prebuiltBinary();
  if (binary !== null) {
    try {
      const native = require(binary) as typeof Koffi;
      if (native?.version === KOFFI_VERSION) {
        koffiLoadedBy = "binary";
        return native;
      }
    } catch {
      // not there, or not loadable here: koffi's entry decides
    }
  }
  return require("koffi") as typeof Koffi;
}

const koffi = load();
export default koffi;
