// JSON.stringify(value, null, 2), in pieces: the containers of the first few levels are written
// key by key and item by item, and each value below them is stringified on its own and
// indented to its place, so that no piece is the whole document. `run host-crash --connections
// 10000 --json` prints 10 MB: as one string, then one buffer to write it, that was 20 MB at
// once of a process whose target is 150 MB. The pieces joined are exactly JSON.stringify's text.

const STEP = "  ";

/** The pieces of JSON.stringify(value, null, 2), containers opened `depth` levels down. */
export function* jsonChunks(value: unknown, depth = 4): Generator<string> {
  if (depth > 0 && isContainer(value)) {
    yield* container(value, "", depth);
    return;
  }
  const text = leaf(value);
  if (text !== undefined) yield text;
}

/** Up to about `size` characters at a time of the pieces. */
export function* batched(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    parts.push(piece);
    length += piece.length;
    if (length >= size) {
      yield parts.join("");
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) yield parts.join("");
}

type Container = unknown[] | Record<string, unknown>;

/** Arrays and plain objects without toJSON: what JSON.stringify writes member by member. */
function isContainer(value: unknown): value is Container {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== "object") return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function* container(value: Container, indent: string, depth: number): Generator<string> {
  const inner = indent + STEP;
  const array = Array.isArray(value);
  let first = true;
  for (const key of array ? value.keys() : Object.keys(value)) {
    const member = array ? value[key as number] : (value as Record<string, unknown>)[key];
    const nested = depth > 1 && isContainer(member);
    const text = nested ? "" : leaf(member);
    if (text === undefined && !array) continue; // JSON.stringify leaves the key out
    const head = array ? "" : `${JSON.stringify(key)}: `;
    yield `${first ? (array ? "[" : "{") : ","}\n${inner}${head}`;
    first = false;
    if (nested) yield* container(member, inner, depth - 1);
    else yield text === undefined ? "null" : text.replaceAll("\n", `\n${inner}`);
  }
  const [open, close] = array ? ["[", "]"] : ["{", "}"];
  yield first ? `${open}${close}` : `\n${indent}${close}`;
}

/** JSON.stringify's text of one value (undefined for what it leaves out). */
function leaf(value: unknown): string | undefined {
  return JSON.stringify(value, null, 2) as string | undefined;
}
