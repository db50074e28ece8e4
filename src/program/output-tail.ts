// The last lines a program wrote, bounded: a chatty program must not fill tcpdrop's memory, and
// the report shows only the end of what it said.

export class OutputTail {
  private text = "";
  private dropped = false;

  constructor(private readonly maxChars = 4096) {}

  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.maxChars) {
      this.text = this.text.slice(-this.maxChars);
      this.dropped = true;
    }
  }

  /** The last `lines` complete or partial lines (the first may be cut when output was dropped). */
  lines(lines = 10): string[] {
    const all = this.text.replace(/\n$/, "").split("\n");
    if (this.text === "") return [];
    const kept = all.slice(-lines);
    if (this.dropped && kept.length === all.length) kept[0] = `…${kept[0]}`;
    return kept;
  }
}
