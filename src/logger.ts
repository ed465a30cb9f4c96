// What the client tells the caller about its work: the `logger` and `onRetry`
// options of `createPolyAIClient`. Public types only; the lines themselves are
// written by src/internal/report.ts (#25: kept here, not in the transport, so the
// transport and its helpers can all import them without importing each other).
import type { PolyAIError } from "./errors.js";

/** What {@link Logger} and `onRetry` are told about a retry. */
export interface RetryEvent {
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  /** Retries allowed for this call. */
  readonly maxRetries: number;
  /** How long the client waits before the next attempt. */
  readonly delayMs: number;
  readonly method: string;
  readonly url: string;
  /** Status of the failed attempt's answer, when there was one. */
  readonly status: number | undefined;
  /** The failure, when the attempt got no answer (connection error or timeout). */
  readonly error: PolyAIError | undefined;
  /** The call's `X-PolyAI-Correlation-Id`, the same on every attempt. */
  readonly correlationId?: string | undefined;
}

/**
 * Where the client reports what it does: at `debug` each attempt (headers with
 * credentials redacted) and each attempt's answer, at `info` each call's final
 * answer (status, duration, correlation ID), at `warn` each retry, in one line
 * without a stack. `POLYAI_LOG` picks the console's stderr without code: a logger
 * should not write to stdout, which belongs to the program (its JSON, its export).
 */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
}
