// Key scrubbing of what comes back: a server, proxy or fetch wrapper that echoes
// the request could put the API key into a header, a body or a thrown error. Each
// function takes the client's one redactor (src/internal/redact.ts).

type Redact = (text: string) => string;

/** A JSON value with the key redacted in every string and key. Past a sane depth the rest is dropped. @internal */
export function scrubBody(body: unknown, redact: Redact, depth = 0): unknown {
  // A hostile body must not overflow the stack.
  if (depth > 64) return "[too deep]";
  if (typeof body === "string") return redact(body);
  if (Array.isArray(body)) return body.map((v) => scrubBody(v, redact, depth + 1));
  if (body && typeof body === "object")
    return Object.fromEntries(
      Object.entries(body).map(([k, v]) => [redact(k), scrubBody(v, redact, depth + 1)]),
    );
  return body;
}

/** The headers, or a redacted copy when any name or value echoes the key. @internal */
export function safeHeaders(headers: Headers, redact: Redact): Headers {
  let echoed = false;
  headers.forEach((value, name) => {
    echoed ||= redact(value) !== value || redact(name) !== name;
  });
  if (!echoed) return headers;
  const out = new Headers();
  headers.forEach((value, name) => {
    // "[redacted]" is not a valid header name; the name keeps what it can.
    const safeName = redact(name).replace(/[^!#$%&'*+.^_`|~0-9a-z-]/gi, "");
    out.append(safeName || "x-redacted", redact(value));
  });
  return out;
}

/** `ECONNRESET (fetch failed)`: the code of a Node network error and the message. @internal */
export function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)
    ?.cause;
  // `localhost` resolves to two addresses: Node then throws an AggregateError whose
  // own code is missing and whose errors carry it (ECONNREFUSED).
  const nested = inner?.code ?? inner?.errors?.find((e) => typeof e?.code === "string")?.code;
  const code = typeof nested === "string" ? nested : undefined;
  const message = cause instanceof Error ? String(cause.message) : String(cause);
  return code ? `${code} (${message})` : message;
}

/**
 * A copy of a thrown value holding only name, message, code, stack and cause, each
 * redacted, never the original: a custom fetch (or an instrumentation wrapper) may
 * put the request's headers anywhere in what it throws, such as a `config` property.
 * @internal
 */
export function safeCause(cause: unknown, redact: Redact, depth = 0): unknown {
  if (cause === undefined || cause === null) return cause;
  if (depth > 4) return new Error("[cause chain truncated]");
  const { name, message, code, stack, cause: inner } = cause as Record<string, unknown>;
  const clean = new Error(redact(typeof message === "string" ? message : String(cause)));
  clean.name = typeof name === "string" ? redact(name) : "Error";
  clean.stack = typeof stack === "string" ? redact(stack) : `${clean.name}: ${clean.message}`;
  const copy: { code?: string; cause?: unknown } = clean;
  if (typeof code === "string") copy.code = redact(code);
  if (inner !== undefined) copy.cause = safeCause(inner, redact, depth + 1);
  return clean;
}

/** The caller's own abort reason as given, unless it carries the key. @internal */
export function abortCause(reason: unknown, redact: Redact): unknown {
  let json = "";
  try {
    json = JSON.stringify(reason) ?? "";
  } catch {}
  const text = `${describeCause(reason)} ${String((reason as { stack?: unknown } | null)?.stack ?? "")} ${json}`;
  return redact(text) === text ? reason : safeCause(reason, redact);
}
