// A connection's follow-up calls after its first failure, held until the fault is done when the
// fault asks (spec.holdFollowUps): a shutdown's first failure is the FIN, and the host going
// away comes a few ms later; a follow-up send made in between would meet the server kernel's
// RST on one run and the silence of a gone host on the next. Held, they always meet the end
// state. Without holdFollowUps they go on at once.

export class FollowUpHold {
  private released: boolean;
  private waiting: (() => void) | null = null;

  constructor(hold: boolean | undefined) {
    this.released = !hold;
  }

  /** Run `go` now if released, else when released. */
  whenReleased(go: () => void): void {
    if (this.released) go();
    else this.waiting = go;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const go = this.waiting;
    this.waiting = null;
    go?.();
  }
}
