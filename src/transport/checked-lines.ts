// The protocol's bytes, where they cross a process boundary: commands are written to an agent
// process as JSON lines, and what it writes back is parsed and checked with the protocol's zod
// schemas (a reply's payload against the schema of the op it answers), so a renamed field
// fails here with its name. Loaded only by the ends that have a process behind them; the
// in-process end hands objects over and never loads the schemas.
import { type Command, messageSchema, replySchemas } from "../protocol.js";
import type { AgentChannel, AgentLink, LinkMessage } from "./transport.js";

export function checkedLink(channel: AgentChannel): AgentLink {
  /** The op of each command sent, by id, until its reply comes. */
  const sent = new Map<number, Command["op"]>();
  const kept: LinkMessage[] = [];
  let deliver = (msg: LinkMessage) => {
    kept.push(msg);
  };
  channel.onLine((line) => {
    const msg = check(line, sent);
    if (msg) deliver(msg);
  });
  return {
    pid: channel.pid,
    exited: channel.exited,
    send(command) {
      sent.set(command.id, command.op);
      channel.write(JSON.stringify(command));
    },
    onMessage(listener) {
      deliver = listener;
      for (const msg of kept.splice(0)) listener(msg);
    },
    onError: (listener) => channel.onError(listener),
    lastError: () => channel.lastError(),
    close: () => channel.close(),
    kill: (signal) => channel.kill(signal),
  };
}

/** One line as a message; null for a line that is not JSON (a stray write, a login banner). */
function check(line: string, sent: Map<number, Command["op"]>): LinkMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const checked = messageSchema.safeParse(json);
  if (!checked.success) return { type: "malformed", why: line.slice(0, 120) };
  const msg = checked.data;
  if (msg.type !== "reply") return msg;
  const op = sent.get(msg.id);
  sent.delete(msg.id);
  if (op === undefined || !msg.ok) return msg;
  const payload = replySchemas[op].safeParse(msg);
  if (payload.success) return { type: "reply", id: msg.id, ok: true, ...payload.data };
  return { type: "malformed", id: msg.id, why: payload.error.issues[0]?.message ?? "?" };
}
