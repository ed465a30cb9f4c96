// Where poly's client-side time goes, by subtraction: the client-side case of the
// bench (a fetch that returns a ready Response) for bare openapi-fetch, for poly,
// and for openapi-fetch behind copies of src/internal/transport.ts's per-attempt work with
// one piece taken out at a time. A copy, not src/ itself, so that pieces can be
// switched off without editing src/; `transport copy, all on` must stay close to
// `openapi-fetch + real transport`, which checks that the copy is faithful.
//   node bench/build.mjs && node --expose-gc bench/.out/ablation.mjs [calls-per-round]
import { loadavg } from "node:os";
import createClient from "openapi-fetch";
import type { paths } from "../generated/openapi.js";
import { createPolyAIClient } from "../src/index.js";
import fixedConnector from "./connector.json" with { type: "json" };
import { checkValue } from "../src/internal/check.js";
import { keyRedactor } from "../src/internal/redact.js";
import { createTransport } from "../src/internal/transport.js";
import { operations } from "../generated/operations.js";

const update = operations.updateConnector;
const cleanPatch = (patch: unknown, field: string) => checkValue(patch, update.body, field, "");
const checkPath = (value: string, name: "agentId" | "connectorId") =>
  checkValue(value, update.params[name], name);

const perRound = Number(process.argv[2] ?? 5_000);
// The machine may be shared: noise from other processes only ever adds time, so
// each case reports its fastest round as well as its median one.
const ROUNDS = Number(process.argv[3] ?? 12);
const KEY = "pk-bench-0123456789abcdef";
const AGENT = "PROJECT-58RP822I";
const CONN = "CONN-7d2f9a";
const PATCH = { voiceName: "en-GB-Neural2-A" } as const;
const ONE = "/v1/agents/{agentId}/telephony/connectors/{connectorId}" as const;
const baseUrl = "http://127.0.0.1:9";
const JSON_TEXT = JSON.stringify(fixedConnector);
const LEN = String(Buffer.byteLength(JSON_TEXT));
const fake = (async () =>
  new Response(JSON_TEXT, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": LEN },
  })) as typeof fetch;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface Pieces {
  headersCopy: boolean;
  bodyReread: boolean;
  abortController: boolean;
  userSignalListener: boolean;
  originUrl: boolean;
  rewrap: boolean;
  /** attempt() and readCapped() as separate async functions, as in src/ (false: inlined). */
  layers: boolean;
  /** safeHeaders(): scan the answer's headers for an echoed API key. */
  headerScan: boolean;
}
const ALL: Pieces = {
  headersCopy: true,
  bodyReread: true,
  abortController: true,
  userSignalListener: true,
  originUrl: true,
  rewrap: true,
  layers: true,
  headerScan: true,
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

// src/internal/transport.ts's success path (no retry, no redirect) with its structure:
// transport() → attempt() → readCapped(), piece by piece.
function transportCopy(p: Pieces) {
  const answers = new WeakMap<Response, unknown>();
  const cap = 10 << 20;
  async function readCapped(response: Response): Promise<Uint8Array<ArrayBuffer> | null> {
    if (!response.body) return null;
    const declared = response.headers.get("content-length");
    if (declared !== null && /^\d+$/.test(declared)) {
      if (Number(declared) > cap) throw new Error("too large");
      return new Uint8Array(await response.arrayBuffer());
    }
    throw new Error("the bench's answers always have a content-length");
  }
  function safeHeaders(headers: Headers): Headers {
    if (!p.headerScan) return headers;
    let echoed = false;
    headers.forEach((value) => {
      echoed ||= value.includes(KEY);
    });
    if (!echoed) return headers;
    const out = new Headers();
    headers.forEach((value, name) => out.append(name, value.replaceAll(KEY, "[redacted]")));
    return out;
  }
  async function finish(response: Response): Promise<Response> {
    const headers = safeHeaders(response.headers);
    if (!p.rewrap) return response;
    const bytes = p.layers
      ? await readCapped(response)
      : response.body
        ? new Uint8Array(await response.arrayBuffer())
        : null;
    const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(nullBody || !bytes || bytes.byteLength === 0 ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
  async function attempt(
    url: string,
    init: { method: string; headers: Headers; body: Uint8Array<ArrayBuffer> | undefined },
    userSignal: AbortSignal,
  ): Promise<Response> {
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const onAbort = () => controller?.abort(userSignal.reason);
    if (p.userSignalListener) userSignal.addEventListener("abort", onAbort, { once: true });
    if (p.abortController) {
      controller = new AbortController();
      timer = setTimeout(() => {
        timedOut = true;
        controller!.abort();
      }, 30_000);
    }
    try {
      if (p.originUrl) void new URL(url).origin;
      const response = await fake(url, {
        method: init.method,
        headers: init.headers,
        body: init.body ?? null,
        signal: controller?.signal ?? null,
        redirect: "manual",
      });
      if (
        response.type === "opaqueredirect" ||
        (REDIRECTS.has(response.status) && response.headers.has("location"))
      )
        throw new Error("redirect");
      return await finish(response);
    } catch (err) {
      throw timedOut ? new Error("timeout", { cause: err }) : err;
    } finally {
      if (timer) clearTimeout(timer);
      if (p.userSignalListener) userSignal.removeEventListener("abort", onAbort);
    }
  }
  return async (request: Request, overrides: { maxRetries?: number } = {}): Promise<Response> => {
    const maxRetries = overrides.maxRetries ?? 2;
    const info = { method: request.method, url: request.url };
    const userSignal = request.signal;
    if (userSignal.aborted) throw new Error("aborted");
    let headers: Headers = request.headers;
    if (p.headersCopy) {
      headers = new Headers(request.headers);
      if (!headers.has("x-api-key")) headers.set("x-api-key", KEY);
    }
    const body =
      p.bodyReread && request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const init = { method: request.method, headers, body };
    for (let n = 1; ; n++) {
      const response = p.layers
        ? await attempt(request.url, init, userSignal)
        : await (async () => {
            // attempt() inlined: the same work without the extra async frames.
            let controller: AbortController | undefined;
            let timer: ReturnType<typeof setTimeout> | undefined;
            const onAbort = () => controller?.abort(userSignal.reason);
            if (p.userSignalListener) userSignal.addEventListener("abort", onAbort, { once: true });
            if (p.abortController) {
              controller = new AbortController();
              timer = setTimeout(() => controller!.abort(), 30_000);
            }
            try {
              if (p.originUrl) void new URL(request.url).origin;
              const r = await fake(request.url, {
                method: init.method,
                headers,
                body: body ?? null,
                signal: controller?.signal ?? null,
                redirect: "manual",
              });
              const answerHeaders = safeHeaders(r.headers);
              if (!p.rewrap) return r;
              const bytes = r.body ? new Uint8Array(await r.arrayBuffer()) : null;
              return new Response(bytes, {
                status: r.status,
                statusText: r.statusText,
                headers: answerHeaders,
              });
            } finally {
              if (timer) clearTimeout(timer);
              if (p.userSignalListener) userSignal.removeEventListener("abort", onAbort);
            }
          })();
      if (n <= maxRetries && RETRYABLE.has(response.status)) continue;
      answers.set(response, { attempts: n, request: info });
      return response;
    }
  };
}

type Call = () => Promise<unknown>;
const path = { agentId: AGENT, connectorId: CONN };
function viaOaf(
  fetchImpl: (r: Request) => Promise<Response>,
  parseAs: "json" | "text" = "json",
): Call {
  const client = createClient<paths>({ baseUrl, headers: { "x-api-key": KEY }, fetch: fetchImpl });
  return async () => {
    const { data, error } = await client.PATCH(ONE, { params: { path }, body: PATCH, parseAs });
    if (error !== undefined) throw new Error("error");
    return parseAs === "text" ? JSON.parse(data as unknown as string) : data;
  };
}

const poly = createPolyAIClient({ apiKey: KEY, baseUrl, fetch: fake });
const realTransport = createTransport({
  key: () => KEY,
  redact: keyRedactor(KEY),
  fetch: fake,
  maxRetries: 2,
  timeoutMs: 30_000,
  backoff: {},
  maxResponseBytes: 10 << 20,
  onRetry: undefined,
  logger: undefined,
});
const validateOnly: Call = async () => {
  checkPath(AGENT, "agentId");
  checkPath(CONN, "connectorId");
  return cleanPatch(PATCH, "patch");
};

// A sketch of the other design: the connector methods build the request themselves
// (URL, headers, JSON bytes) and call the transport with them, with every safety
// feature kept (validation, timeout, user signal, redirect check, body cap), and
// openapi-fetch used for types and for poly.raw only. No Request object, no body
// stream to read back, no re-wrapped Response.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
async function directUpdate(
  agentId: string,
  connectorId: string,
  patch: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  checkPath(agentId, "agentId");
  checkPath(connectorId, "connectorId");
  const body = encoder.encode(JSON.stringify(cleanPatch(patch, "patch")));
  const url = `${baseUrl}/v1/agents/${encodeURIComponent(agentId)}/telephony/connectors/${encodeURIComponent(connectorId)}`;
  const headers = { "content-type": "application/json", "x-api-key": KEY };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await fake(url, {
      method: "PATCH",
      headers,
      body,
      signal: controller.signal,
      redirect: "manual",
    });
    if (
      response.type === "opaqueredirect" ||
      (REDIRECTS.has(response.status) && response.headers.has("location"))
    )
      throw new Error("redirect");
    let echoed = false; // the API-key echo check of safeHeaders()
    response.headers.forEach((value) => {
      echoed ||= value.includes(KEY);
    });
    if (echoed) throw new Error("echoed key");
    const declared = response.headers.get("content-length");
    if (declared === null || Number(declared) > 10 << 20)
      throw new Error("the bench's answers always have a small content-length");
    const text = decoder.decode(await response.arrayBuffer());
    if (!response.ok) throw new Error(`status ${response.status}`);
    return JSON.parse(text);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

const cases: [string, Call][] = [
  ["openapi-fetch, bare", viaOaf(fake)],
  ["poly.connectors.update", () => poly.connectors.update(AGENT, CONN, PATCH)],
  ["openapi-fetch + real transport", viaOaf((r) => realTransport(r))],
  [
    "openapi-fetch + real transport, parseAs text + JSON.parse",
    viaOaf((r) => realTransport(r), "text"),
  ],
  ["openapi-fetch + pass-through fetch wrapper", viaOaf((r) => fake(r))],
  ["transport copy, all on", viaOaf(transportCopy(ALL))],
  ["  without headers copy", viaOaf(transportCopy({ ...ALL, headersCopy: false }))],
  [
    "  without body re-read (request.arrayBuffer)",
    viaOaf(transportCopy({ ...ALL, bodyReread: false })),
  ],
  ["  without AbortController + timer", viaOaf(transportCopy({ ...ALL, abortController: false }))],
  [
    "  without request.signal listener",
    viaOaf(transportCopy({ ...ALL, userSignalListener: false })),
  ],
  ["  without new URL().origin", viaOaf(transportCopy({ ...ALL, originUrl: false }))],
  ["  without safeHeaders() scan", viaOaf(transportCopy({ ...ALL, headerScan: false }))],
  [
    "  without response re-wrap (arrayBuffer + new Response)",
    viaOaf(transportCopy({ ...ALL, rewrap: false })),
  ],
  [
    "  without the attempt()/readCapped() async layers",
    viaOaf(transportCopy({ ...ALL, layers: false })),
  ],
  [
    "  without re-read, AbortController, listener, URL, re-wrap",
    viaOaf(
      transportCopy({
        headersCopy: true,
        bodyReread: false,
        abortController: false,
        userSignalListener: false,
        originUrl: false,
        rewrap: false,
        layers: false,
        headerScan: true,
      }),
    ),
  ],
  ["validation alone (agent, connector, cleanPatch)", validateOnly],
  [
    "direct-transport sketch (no openapi-fetch on the call path)",
    () => directUpdate(AGENT, CONN, PATCH),
  ],
];

// CPU time of this process (all its threads, so GC helpers count), in ms: unlike
// wall time it hardly grows when other processes compete for the cores.
async function time(call: Call, n: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

for (const [, call] of cases) await time(call, 2_000);
const totals = new Map(cases.map(([name]) => [name, [] as number[]]));
for (let r = 0; r < ROUNDS; r++) {
  const order = [...cases.slice(r % cases.length), ...cases.slice(0, r % cases.length)];
  for (const [name, call] of order) {
    gc();
    totals.get(name)!.push(((await time(call, perRound)) * 1000) / perRound);
  }
}
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
const min = (a: number[]) => Math.min(...a);
const base = min(totals.get("openapi-fetch, bare")!);
const full = min(totals.get("transport copy, all on")!);
console.log(
  `CPU µs per call: fastest and median of ${ROUNDS} rounds of ${perRound} sequential calls (node ${process.version}, load ${loadavg()[0]!.toFixed(2)})`,
);
console.log(`${"case".padEnd(62)} fastest   median  (ratios and savings from the fastest)`);
for (const [name] of cases) {
  const m = min(totals.get(name)!);
  const extra = name.startsWith("  ")
    ? `saves ${(full - m).toFixed(1)} µs`
    : `${(m / base).toFixed(2)}× openapi-fetch`;
  console.log(
    `${name.padEnd(62)} ${m.toFixed(1).padStart(7)}  ${med(totals.get(name)!).toFixed(1).padStart(7)}  ${extra}`,
  );
}
