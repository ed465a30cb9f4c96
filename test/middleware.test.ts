// A call goes around openapi-fetch's Request only while no middleware is registered
// on poly.raw (issue 15): middleware must see every call, and both ways must put the
// same bytes on the wire.
import type { Middleware } from "openapi-fetch";
import { afterEach, describe, expect, it } from "vitest";
import { createPolyAIClient } from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { sampleConnector } from "./support/fixtures.js";

const AGENT = sampleConnector.projectId;
const CONN = sampleConnector.connectorId;
let mock: MockPolyAI | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start() {
  mock = await createMockPolyAI({
    apiKey: "sk-middleware-test",
    connectors: [{ ...sampleConnector, phoneNumbers: ["+442079460000"] }],
  });
  const poly = createPolyAIClient({
    apiKey: mock.apiKey,
    baseUrl: mock.url,
    headers: { "x-team": "voice" },
  });
  return { poly, mock };
}

/** Every kind of call: path, body, query, per-call headers. */
async function calls(poly: ReturnType<typeof createPolyAIClient>) {
  await poly.connectors.get(AGENT, CONN, { headers: { "x-trace": "1" } });
  await poly.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" });
  await poly.connectors.batchGet(AGENT, [CONN]);
  await poly.phoneNumbers.list(AGENT, { connectorId: CONN });
  await poly.phoneNumbers.get(AGENT, "+442079460000");
}

describe("middleware on poly.raw", () => {
  it("sees every call of every resource while registered, and none after eject", async () => {
    const { poly } = await start();
    const seen: string[] = [];
    const watcher: Middleware = {
      onRequest({ request }) {
        seen.push(`${request.method} ${new URL(request.url).pathname}`);
      },
    };
    poly.raw.use(watcher);
    await calls(poly);
    expect(seen).toHaveLength(5);
    expect(seen[3]).toBe(`GET /v1/agents/${AGENT}/telephony/phone-numbers`);
    poly.raw.eject(watcher);
    await calls(poly);
    expect(seen).toHaveLength(5);
  });

  it("can change a call, which the answer checks then see", async () => {
    const { poly } = await start();
    poly.raw.use({
      onRequest({ request }) {
        request.headers.set("x-added-by", "middleware");
      },
    });
    await poly.connectors.get(AGENT, CONN);
    expect(mock?.requests.at(-1)?.headers["x-added-by"]).toBe("middleware");
  });

  it("both ways put the same method, path, headers and body on the wire", async () => {
    const { poly, mock: server } = await start();
    await calls(poly);
    const direct = server.requests;
    server.reset();
    poly.raw.use({ onRequest: () => undefined });
    await calls(poly);
    const through = server.requests;
    const strip = (r: (typeof direct)[number]) => {
      // Connection-level headers are the socket's, not the SDK's; the correlation ID
      // is new on every call.
      const {
        connection: _c,
        "keep-alive": _k,
        "x-polyai-correlation-id": id,
        ...headers
      } = r.headers as Record<string, string>;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      return { ...r, headers };
    };
    expect(through.map(strip)).toEqual(direct.map(strip));
    expect(direct[0]?.headers["x-team"]).toBe("voice");
    expect(direct[0]?.headers["x-trace"]).toBe("1");
    expect(direct[1]?.headers["content-type"]).toBe("application/json");
  });
});
