// The two kinds of error a user can be told about in one line (exit code 2). Anything else is
// a bug and is reported as such.

/** Bad flags, unknown scenario names, malformed scenario files or expectations. */
export class UsageError extends Error {}

/** The machine or the lab could not do what a run needs (privileges, tools, a hung step). */
export class SetupError extends Error {}
