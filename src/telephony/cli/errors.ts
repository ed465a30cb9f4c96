// The CLI's own failures. Each has a `code` for `--json` (#19): a usage error is
// USAGE; an error about a file's content keeps the typed error it wraps as its
// cause, whose name and code (PLAN_STALE, PLAN_INVALID, …) the JSON carries.

/** A failure reported as one line (`polyai-connectors: …`) and exit 1. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    /** Stable, for scripts: USAGE, CONFIRMATION_REQUIRED, FILE_UNREADABLE, … */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A command line the CLI refuses (a flag, its value, an argument): the line points to --help. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, "USAGE");
  }
}
