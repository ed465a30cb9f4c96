// Runs the esbuild bundle of edge.mjs (edge.bundle.mjs) in workerd, Cloudflare Workers'
// runtime, through miniflare, against the mock. The worker gets no nodejs_compat
// flag: the core entry must run on the Web APIs alone. The mock runs here, in Node.
//
//   node (22 or later) workerd-run.mjs <folder where miniflare is installed>
//
// Run by scripts/consumer-test.mjs --matrix, which installs miniflare (and with it
// workerd) into a temp folder with Node.js 22, the oldest Node miniflare supports.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMockPolyAI } from "polyai-connectors/testing";

const where = process.argv[2];
if (!where) throw new Error("usage: workerd-run.mjs <folder where miniflare is installed>");
const { Miniflare } = createRequire(join(where, "package.json"))("miniflare");
const version = (name) =>
  JSON.parse(readFileSync(join(where, "node_modules", name, "package.json"), "utf8")).version;

const { agentId, connectors } = JSON.parse(
  readFileSync(new URL("./seed.json", import.meta.url), "utf8"),
);
const mock = await createMockPolyAI({ apiKey: "edge-key", connectors });
const mf = new Miniflare({
  modules: true,
  scriptPath: fileURLToPath(new URL("./edge.bundle.mjs", import.meta.url)),
  compatibilityDate: "2025-06-01",
  bindings: { POLYAI_API_KEY: "edge-key", POLYAI_BASE_URL: mock.url },
});
try {
  const response = await mf.dispatchFetch("https://worker.example/", {
    method: "POST",
    body: JSON.stringify({ agentId, connectorId: "CONN-main" }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the worker answered ${response.status}: ${text}`);
  const connector = JSON.parse(text);
  assert.equal(connector.connectorId, "CONN-main");
  assert.notEqual(connector.variantId, connectors[0].variantId);
  assert.equal(mock.requests.at(-1)?.method, "PATCH");
  console.log(
    `workerd: ok (workerd ${version("workerd")} via miniflare ${version("miniflare")}, bundled worker cleared variant ${JSON.stringify(connectors[0].variantId)} -> ${JSON.stringify(connector.variantId)})`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await mf.dispose();
  await mock.close();
}
