// The per-call options every generated method takes last. Checked by the call path
// before anything is sent: a mistyped `dryrun: true` must not write. Also the
// shapes of client options that private modules read (#25: public types live at the
// top of src/): the key provider and the backoff.

/** A function that returns the API key, asked before each attempt. */
export type ApiKeyProvider = () => string | Promise<string>;

/** Shape of the exponential backoff between attempts. */
export interface BackoffOptions {
  /** Wait before the first retry, before jitter. Default 500 ms. */
  readonly initialMs?: number | undefined;
  /** Upper bound of any computed wait. Default 8 000 ms. */
  readonly maxMs?: number | undefined;
}

/** Options of a single call. */
export interface RequestOptions {
  /** Cancels the call at once, including any wait between retries. Never retried. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call only. */
  headers?: Record<string, string> | undefined;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number | undefined;
  /** Overrides the client's `timeoutMs` (per attempt) for this call. */
  timeoutMs?: number | undefined;
}

/** Options of a call that can be previewed (`x-sdk-dry-run` in the spec). */
export interface WriteOptions extends RequestOptions {
  /**
   * Do not write: read the current state and return what the write would produce
   * (via {@link applyConnectorPatch}). The server's TTS probe of a new voice is not
   * run, so a dry run cannot tell that a well-formed voice does not exist.
   */
  dryRun?: boolean | undefined;
}

// Keyed by the option types, so an option added there without being listed here fails to compile.
const READ = {
  signal: true,
  headers: true,
  maxRetries: true,
  timeoutMs: true,
} satisfies Record<keyof RequestOptions, true>;
/** @internal */
export const READ_OPTION_KEYS = Object.keys(READ);
/** @internal */
export const WRITE_OPTION_KEYS = Object.keys({
  ...READ,
  dryRun: true,
} satisfies Record<keyof WriteOptions, true>);
