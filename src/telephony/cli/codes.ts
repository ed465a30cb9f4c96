// #22: every failure the CLI reports carries a stable `code` for --json, not only a
// `name`: the error's own code (PLAN_STALE, USAGE, an API's error_code), else one
// for its class. One table, so a new failure path cannot go without a code.
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "../../index.js";

/** Class → code, most specific first (APITimeoutError before APIConnectionError). */
const BY_CLASS: readonly (readonly [abstract new (...args: never[]) => Error, string])[] = [
  [InvalidInputError, "INVALID_INPUT"],
  [BadRequestError, "BAD_REQUEST"],
  [AuthenticationError, "AUTHENTICATION_FAILED"],
  [PermissionDeniedError, "PERMISSION_DENIED"],
  [NotFoundError, "NOT_FOUND"],
  [ConflictError, "CONFLICT"],
  [UnprocessableEntityError, "UNPROCESSABLE"],
  [RateLimitError, "RATE_LIMITED"],
  [InternalServerError, "SERVER_ERROR"],
  [APIError, "API_ERROR"],
  [APITimeoutError, "TIMEOUT"],
  [APIConnectionError, "CONNECTION_FAILED"],
  [APIUserAbortError, "ABORTED"],
];

/** The code for --json: the error's own when it has one, else its class's, else INTERNAL. */
export function codeOf(error: unknown): string {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === "string" && own !== "") return own;
  for (const [type, code] of BY_CLASS) if (error instanceof type) return code;
  return "INTERNAL";
}
