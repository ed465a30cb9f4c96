// PolyAI's error envelope and the one exception the mock's handlers throw to
// produce it. Handlers never build HTTP answers for errors themselves, so every
// error the mock sends has the same shape and the same correlation-id rule.
import { STATUS_CODES } from "node:http";
import type { ErrorBody } from "../types.js";

/** Short summaries PolyAI puts in `error`, by status. */
const SUMMARY: Record<number, string> = {
  400: "Validation failed",
  401: "Unauthorised",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  413: "Payload too large",
  429: "Too many requests",
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service unavailable",
};

/** Summaries that depend on the code rather than the status. */
const CODE_SUMMARY: Record<string, string> = {
  PHONE_NUMBERS_INVALID_PHONE_NUMBER_FORMAT: "Invalid phone number",
};

/** The `error_code` the mock uses for a status when nothing more specific applies. */
export function defaultErrorCode(status: number): string {
  if (status === 400) return "CONNECTORS_VALIDATION_FAILED";
  if (status === 401) return "AUTH_USER_UNAUTHORISED";
  if (status === 403) return "USER_ACCESS_FORBIDDEN";
  if (status === 404) return "CONNECTORS_NOT_FOUND";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "INTERNAL_SERVER_ERROR";
  return "REQUEST_FAILED";
}

/**
 * An error answer in the making: a handler throws it and the server turns it into
 * the envelope. `headers` carries extras such as `Allow` or `Retry-After`.
 *
 * It captures no stack trace (#20: one per failing item of a batch of 200,000 took
 * half the time of the answer): it is an answer to send, not a bug to trace.
 * @internal
 */
export class ApiFault extends Error {
  override name = "ApiFault";
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * Why one item was refused: what its {@link ApiFault} would say, as a plain value.
 * A batch returns one per failing item instead of throwing and catching (#20).
 * @internal
 */
export class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

/** The {@link ApiFault} that answers `refusal`. */
export function faultOf(refusal: Refusal): ApiFault {
  return new ApiFault(refusal.status, refusal.code, refusal.message);
}

/** `result` unless it is a {@link Refusal}, which is thrown as its {@link ApiFault}. */
export function orFault<T>(result: T | Refusal): T {
  if (result instanceof Refusal) throw faultOf(result);
  return result;
}

/** The header an answer carries its correlation ID in: an error's `error_id`. */
export const CORRELATION = "X-PolyAI-Correlation-Id";
/** The `Content-Type` of every answer the mock sends. */
export const JSON_TYPE = "application/json; charset=utf-8";

/** PolyAI's error body; `errorId` must also be sent as the {@link CORRELATION} header. */
export function envelope(
  status: number,
  code: string,
  message: string,
  errorId: string,
): ErrorBody {
  return {
    success: false,
    error: CODE_SUMMARY[code] ?? SUMMARY[status] ?? STATUS_CODES[status] ?? "Error",
    error_id: errorId,
    error_code: code,
    error_message: message,
    data: null,
  };
}
