// One copy of each text a report repeats per connection. At 10,000 connections every
// prediction's basis ("keepalive 1 s + 2 x 1 s from last activity") and every hint is built
// anew for each connection, the same words 20,000 times over (~4 MB of the CLI's heap, much of
// it as the pieces of concatenated strings); the pool hands out the first copy of each.
export class TextPool {
  private readonly texts = new Map<string, string>();

  /** The pool's copy of `text` (the first one it was given). */
  get(text: string): string {
    const kept = this.texts.get(text);
    if (kept !== undefined) return kept;
    this.texts.set(text, text);
    return text;
  }
}
