// The two ways a call reaches the transport. Without middleware on `poly.raw`, the
// call builds its URL and body bytes itself and the transport answers with bytes:
// no Request, no body stream read back, no second Response (issue 15). With
// middleware, the call goes through openapi-fetch so that middleware sees it, as
// every `poly.raw` call does. Both give the same bytes on the wire.
import type { Client } from "openapi-fetch";
import type { OperationSpec } from "../../generated/operations.js";
import type { paths } from "../../generated/openapi.js";
import type { RequestInfo } from "../errors.js";
import { answerInfo } from "./transport.js";
import type { Transport } from "./transport-types.js";
import type { Arguments, CallOptions } from "./arguments.js";

/** An answer as the call path reads it. @internal */
export interface Exchanged {
  readonly status: number;
  readonly headers: Headers;
  /** The body's text on success; undefined when it had none. */
  readonly data: string | undefined;
  /** The body on failure: parsed JSON, its text, or undefined when empty. */
  readonly error: unknown;
  readonly attempts: number;
  readonly request: RequestInfo | undefined;
}

/** Where a client sends: its base URL and default headers. @internal */
export interface Endpoint {
  readonly baseUrl: string;
  readonly headers: Headers | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The URL as openapi-fetch builds it: path parameters and query values percent-encoded. */
function urlOf(endpoint: Endpoint, op: OperationSpec, args: Arguments): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(args.path[name] ?? ""),
  );
  const query = Object.entries(args.query ?? {})
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
    .join("&");
  return `${endpoint.baseUrl}${path}${query ? `?${query}` : ""}`;
}

/** Sends without Web-standard objects. @internal */
export async function exchangeDirect(
  transport: Transport,
  endpoint: Endpoint,
  op: OperationSpec,
  args: Arguments,
  options: CallOptions,
): Promise<Exchanged> {
  // Headers in openapi-fetch's order: Content-Type, the client's, the call's.
  const headers = new Headers(
    args.body === undefined ? undefined : { "content-type": "application/json" },
  );
  endpoint.headers?.forEach((value, name) => headers.set(name, value));
  options.headers?.forEach((value, name) => headers.set(name, value));
  const body = args.body === undefined ? undefined : encoder.encode(JSON.stringify(args.body));
  const answer = await transport.send(
    { method: op.method, url: urlOf(endpoint, op, args), headers, body },
    options.overrides,
  );
  const text = answer.bytes?.byteLength ? decoder.decode(answer.bytes) : undefined;
  const ok = answer.status >= 200 && answer.status < 300;
  let error: unknown = text;
  if (!ok && text !== undefined) {
    try {
      error = JSON.parse(text);
    } catch {}
  }
  return { ...answer, data: ok ? text : undefined, error: ok ? undefined : error };
}

/** Sends through openapi-fetch, so that middleware on `poly.raw` sees the call. @internal */
export async function exchangeThroughClient(
  raw: Client<paths>,
  transport: Transport,
  op: OperationSpec,
  args: Arguments,
  options: CallOptions,
): Promise<Exchanged> {
  const { overrides } = options;
  // #23: what the transport delivered, kept here: middleware may hand back another Response
  // (rebuilt to log or decorate it), and an unknown outcome must still carry the correlation ID.
  let sent: ReturnType<typeof answerInfo> | undefined;
  const { data, error, response }: { data?: unknown; error?: unknown; response: Response } =
    await raw.request(
      op.method.toLowerCase() as "get",
      op.path as never,
      {
        params: { path: args.path, query: args.query },
        body: args.body,
        parseAs: "text",
        ...(overrides.signal ? { signal: overrides.signal } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        fetch: async (request: Request) => {
          const delivered = await transport(request, overrides);
          sent = answerInfo(delivered);
          return delivered;
        },
      } as never,
    );
  const { attempts, request } = sent ?? answerInfo(response);
  const text = typeof data === "string" && data !== "" ? data : undefined;
  return {
    status: response.status,
    headers: response.headers,
    data: text,
    error,
    attempts,
    request,
  };
}
