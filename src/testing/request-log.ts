// The mock's record of requests, bounded (#20): it once kept every request with its
// body for ever, and 49 POSTs of 100 MB took the process down.

/**
 * Bodies the log keeps at most, together, in bytes as held in memory (their texts,
 * see recorded.ts): the oldest requests go first.
 */
export const RECORDED_BODY_BUDGET = 64 * 1024 * 1024;

/** A request the mock received. The API key is never recorded. */
export interface RecordedRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The request target as sent: path and query string, still percent-encoded. */
  readonly path: string;
  /**
   * Lower-case header names. Credentials read `"[redacted]"`: `x-api-key`,
   * `authorization`, `cookie`, and any header named like a key, token or secret.
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The body parsed as JSON, its raw text when it is not JSON, or undefined when
   * empty. Also undefined when the mock did not keep the body: a request without
   * the right `x-api-key` (401), or one over `maxBodyBytes` (413).
   * The mock keeps the text and parses it when `body` is first read, then keeps
   * that value (#20): the log's 64 MiB budget counts the texts.
   */
  readonly body: unknown;
}

/** The last `capacity` entries (fewer when their bodies pass the budget), and how many were ever added. */
export class RequestLog<T> {
  readonly #capacity: number;
  readonly #entries: { readonly value: T; readonly bytes: number }[] = [];
  #bytes = 0;
  #total = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Adds an entry whose body took `bytes`; drops the oldest past the count or the body budget. */
  add(value: T, bytes: number): void {
    this.#total++;
    if (this.#capacity === 0) return;
    this.#entries.push({ value, bytes });
    this.#bytes += bytes;
    // The newest entry stays even alone over budget: it is the one a test looks at.
    while (
      this.#entries.length > this.#capacity ||
      (this.#bytes > RECORDED_BODY_BUDGET && this.#entries.length > 1)
    )
      this.#bytes -= this.#entries.shift()?.bytes ?? 0;
  }

  /** Whether the log keeps entries at all (a capacity of 0 only counts them). */
  get keeps(): boolean {
    return this.#capacity > 0;
  }

  /** The entries kept, oldest first (a copy). */
  list(): T[] {
    return this.#entries.map((e) => e.value);
  }

  /** Every entry added since the log was made or last cleared, kept or dropped. */
  get total(): number {
    return this.#total;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#bytes = 0;
    this.#total = 0;
  }
}
