// connect-refused: the server host is alive but nothing listens on the port: its kernel
// answers the SYN with RST, and connect() fails with ECONNREFUSED at once.
import { connectRefused as refused } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const connectRefused: Fault = {
  name: "connect-refused",
  observers: ["client"],
  serverMayDie: false,
  foreignServer: { refuse: "it needs the server to close its listening socket" },
  wire: () => refused(),
  inject: async ({ lab }) => ({ at: await lab.act("unlisten") }),
};
