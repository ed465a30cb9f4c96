// Runs the esbuild bundle of edge.mjs (edge.bundle.mjs) against the mock.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createMockPolyAI } from "polyai-connectors/testing";
import worker from "./edge.bundle.mjs";

const { agentId, connectors } = JSON.parse(
  readFileSync(new URL("./seed.json", import.meta.url), "utf8"),
);
const mock = await createMockPolyAI({ apiKey: "edge-key", connectors });
try {
  const env = { POLYAI_API_KEY: "edge-key", POLYAI_BASE_URL: mock.url };
  const request = new Request("https://worker.example/", {
    method: "POST",
    body: JSON.stringify({ agentId, connectorId: "CONN-main" }),
  });
  const response = await worker.fetch(request, env);
  const connector = await response.json();
  assert.equal(connector.connectorId, "CONN-main");
  assert.notEqual(connector.variantId, connectors[0].variantId);
  console.log(
    `edge: ok (bundled worker cleared variant ${JSON.stringify(connectors[0].variantId)} -> ${JSON.stringify(connector.variantId)})`,
  );
} finally {
  await mock.close();
}
