// The settings of a plain `tcpdrop run NAME` (no flags), for tests that vary one of them.
import type { Settings } from "../../src/types.js";

export const BASE_SETTINGS: Settings = {
  engine: "syscall",
  keepalive: null,
  userTimeoutMs: null,
  retries2: null,
  windowS: 10,
  ignoreSigterm: false,
  graceMs: 2000,
};
