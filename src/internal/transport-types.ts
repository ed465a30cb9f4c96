// The shapes the transport and one attempt share (#25: here, so that
// src/internal/transport.ts, attempt.ts and report.ts import them without importing
// each other). All private.
import type { RequestInfo } from "../errors.js";
import type { Logger, RetryEvent } from "../logger.js";
import type { BackoffOptions } from "../options.js";

/** An answer read whole: what the call path parses. @internal */
export interface Answer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The body; null when there was none. */
  readonly bytes: Uint8Array<ArrayBuffer> | null;
}

/** @internal */
export interface TransportConfig {
  /** The key for the next attempt: fixed, or asked from the caller's provider. */
  readonly key: () => string | Promise<string>;
  /** The client's one redactor of every key it has sent. */
  readonly redact: (text: string) => string;
  readonly fetch: typeof globalThis.fetch;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly maxResponseBytes: number;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly logger: Logger | undefined;
}

/** Per-call overrides of the client's retry settings. @internal */
export interface CallOverrides {
  readonly maxRetries?: number | undefined;
  readonly timeoutMs?: number | undefined;
  /** The caller's own signal. When the key is present, request.signal is not listened to. */
  readonly signal?: AbortSignal | undefined;
}

/** A request ready to send: what every attempt replays. @internal */
export interface Outgoing {
  readonly method: string;
  readonly url: string;
  /**
   * The caller's headers, handed over: the transport adds the key, `Accept` and the
   * correlation ID to this object rather than copying it on every call.
   */
  readonly headers: Headers;
  /** The body's bytes, replayed byte for byte on every attempt. */
  readonly body: Uint8Array<ArrayBuffer> | undefined;
}

/** The final answer of a call, read whole, with the attempts it took. @internal */
export interface Delivered extends Answer {
  readonly attempts: number;
  readonly request: RequestInfo;
}

/**
 * The transport. As a function it is openapi-fetch's `fetch` (for `poly.raw` and for
 * calls that middleware must see); `send` is the same attempts without the
 * Web-standard objects only middleware needs (issue 15).
 * @internal
 */
export interface Transport {
  (request: Request, overrides?: CallOverrides): Promise<Response>;
  send(outgoing: Outgoing, overrides?: CallOverrides): Promise<Delivered>;
}
