// What the lab needs of a process it runs on a host: its host, its end, a way to signal it, and
// what to say when it dies unasked. Agents are such processes; so is a user's traced server.

/** A process the lab runs on a host: an agent, or the user's own server. */
export interface LabProcess {
  readonly host: string;
  readonly exited: Promise<unknown>;
  kill(signal?: NodeJS.Signals): void;
  deathReason(): string;
}
