// #23: the retry rule of an operation that must not take effect twice
// (`x-sdk-at-most-once` in the spec: placing a call). The transport and the call
// path both ask this module, so the rule is written once: retry only where the
// request certainly had no effect; everything after which it may have had one is
// CallOutcomeUnknownError, whatever `maxRetries` says.
import { operations, type OperationSpec } from "../../generated/operations.js";
import { RETRYABLE_STATUSES } from "./retry.js";

/** The at-most-once rule of one request. @internal */
export interface AtMostOnce {
  /** Statuses answered before anything was done (429, 502, 503): retried. */
  readonly retryStatuses: readonly number[];
}

const RULES = (Object.values(operations) as OperationSpec[]).flatMap((op) =>
  op.atMostOnce
    ? [
        {
          method: op.method,
          // The path's parameters as one segment each; anchored at the end, so a
          // proxy prefix in the base URL still matches. Matched against pathOf(url).
          path: new RegExp(`${op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`, "i"),
          rule: op.atMostOnce,
        },
      ]
    : [],
);

/**
 * #23: the URL's path as servers commonly route it (nginx merges slashes, many
 * frameworks drop a trailing one or a `;param`, some ignore case, all decode `%6F`
 * but few `%2F`): a `poly.raw` post written any of these ways may ring the number
 * too, so it gets the same rule.
 */
function pathOf(url: string): string {
  return url
    .replace(/[?#][\s\S]*$/, "")
    .replace(/%(?!2f)([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/;[^/]*/g, "")
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "");
}

/** The rule of a request to `url`, for `poly.raw` calls as much as for methods. @internal */
export function atMostOnceFor(method: string, url: string): AtMostOnce | undefined {
  const path = pathOf(url);
  const verb = method.toUpperCase();
  return RULES.find((r) => r.method === verb && r.path.test(path))?.rule;
}

/** Whether an answer with `status` is worth another attempt under `rule` (or the ordinary rule). @internal */
export function retriesStatus(rule: AtMostOnce | undefined, status: number): boolean {
  return rule ? rule.retryStatuses.includes(status) : RETRYABLE_STATUSES.has(status);
}

/**
 * Whether, after an answer with `status`, the request may have taken effect: a
 * server fault or timeout it did not say came first. A 4xx refused it (408 aside:
 * a proxy may time out while the server goes on). @internal
 */
export function mayHaveActed(rule: AtMostOnce, status: number): boolean {
  if (rule.retryStatuses.includes(status)) return false;
  return status >= 500 || status === 408 || (status >= 200 && status < 300);
}
