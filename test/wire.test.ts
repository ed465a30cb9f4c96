// What the client puts on the wire: the headers it sends and the JSON body of a
// write, checked against a recording server on 127.0.0.1.
import { describe, expect, it } from "vitest";
import { createPolyAIClient, type ConnectorPatch } from "../src/index.js";
import { sampleConnector } from "./support/fixtures.js";
import { AGENT, CONN, KEY, json, serve } from "./support/loopback.js";

describe("requests on the wire: headers and body", () => {
  it("asks for JSON and sends the key and content type, nothing the caller did not set", async () => {
    const headers: Record<string, string | undefined>[] = [];
    const server = await serve((req, res) => {
      headers.push({
        accept: req.headers.accept,
        key: String(req.headers["x-api-key"]),
        type: req.headers["content-type"],
      });
      json(res, 200, sampleConnector);
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    // A JavaScript caller's undefined key (the type forbids it under exactOptionalPropertyTypes).
    const patch = {
      voiceName: "en-GB-Neural2-A",
      asrLangCode: undefined,
    } as unknown as ConnectorPatch;
    await poly.connectors.update(AGENT, CONN, patch);
    expect(headers).toEqual([{ accept: "application/json", key: KEY, type: "application/json" }]);
    expect(server.seen[0]?.body).toBe('{"voiceName":"en-GB-Neural2-A"}');
  });
});
