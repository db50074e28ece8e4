// Escaping for the two text formats the diagrams are written in. Written here: five XML
// entities and a handful of Mermaid entity codes do not justify a dependency.

/** Text or attribute value inside SVG/HTML. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Text of a Mermaid message or note: one line; `#` starts Mermaid's entity codes and `;` ends
 * a statement, so both are written as codes, like the characters HTML would interpret.
 */
export function escapeMermaid(text: string): string {
  return text.replace(/[#;&<>"]|[\r\n]+/g, (c) => MERMAID_CODES[c] ?? " ");
}

const MERMAID_CODES: Record<string, string> = {
  "#": "#35;",
  ";": "#59;",
  "&": "#38;",
  "<": "#60;",
  ">": "#62;",
  '"': "#quot;",
};
