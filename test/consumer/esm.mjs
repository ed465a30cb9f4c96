// Consumer test, ESM: `import` from the installed tarball, start the mock, update
// a connector through the client against it, and import the bundled spec as JSON.
// Run by scripts/consumer-test.mjs in a temp project, under this Node.js and, with
// --matrix, under Node.js 20, 22, 24, 26, Bun and Deno; not part of the repo's own
// test run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  APIError,
  InvalidInputError,
  NotFoundError,
  PolyAIError,
  applyConnectorPatch,
  clearVariant,
  createPolyAIClient,
  parseVoiceName,
  ttsLangCodeFromVoice,
} from "polyai-connectors";
import { createMockPolyAI } from "polyai-connectors/testing";
import { PlanStaleError, plan, renderPlan } from "polyai-connectors/telephony";
import spec from "polyai-connectors/openapi.json" with { type: "json" };

// The bundled spec, a JSON module through the package's "./openapi.json" export.
assert.match(spec.openapi, /^3\.1\./);
assert.ok("/v1/agents/{agentId}/telephony/connectors/{connectorId}" in spec.paths);

const { agentId, connectors } = JSON.parse(
  readFileSync(new URL("./seed.json", import.meta.url), "utf8"),
);
const mock = await createMockPolyAI({ apiKey: "consumer-key", connectors });
try {
  const poly = createPolyAIClient({ apiKey: "consumer-key", baseUrl: mock.url, maxRetries: 0 });

  const before = await poly.connectors.get(agentId, "CONN-main");
  const updated = await poly.connectors.update(agentId, "CONN-main", {
    voiceName: "en-GB-Neural2-A",
  });
  assert.equal(updated.voiceName, "en-GB-Neural2-A");
  assert.equal(updated.ttsLangCode, ttsLangCodeFromVoice("en-GB-Neural2-A"));
  assert.deepEqual(updated, applyConnectorPatch(before, { voiceName: "en-GB-Neural2-A" }));
  assert.deepEqual(mock.requests.at(-1)?.body, { voiceName: "en-GB-Neural2-A" });

  const cleared = await poly.connectors.update(agentId, "CONN-main", clearVariant());
  assert.deepEqual(cleared, applyConnectorPatch(updated, clearVariant()));

  assert.equal(parseVoiceName("en-GB-Neural2-A").family, "Neural2");

  const missing = await poly.connectors.get(agentId, "CONN-nope").catch((err) => err);
  assert.ok(
    missing instanceof NotFoundError &&
      missing instanceof APIError &&
      missing instanceof PolyAIError,
  );
  assert.equal(missing.status, 404);
  assert.throws(() => createPolyAIClient({ apiKey: "" }), InvalidInputError);

  // Phone lines as code, from the telephony entry: a plan that would change one voice.
  const planned = await plan(poly, {
    agentId,
    connectors: { "CONN-main": { voiceName: "en-US-Neural2-C" } },
  });
  assert.match(renderPlan(planned), /en-US-Neural2-C/);
  // #21: one copy of the core in the process: telephony throws the core's classes.
  const bad = await plan(poly, { agentId: 5 }).catch((err) => err);
  assert.ok(bad instanceof InvalidInputError && bad instanceof PolyAIError, String(bad));
  assert.equal(Object.getPrototypeOf(PlanStaleError.prototype), PolyAIError.prototype);

  console.log(
    `esm: ok (voice ${before.voiceName} -> ${updated.voiceName}, tts ${updated.ttsLangCode}, variant ${JSON.stringify(cleared.variantId)}; openapi.json imported, ${Object.keys(spec.paths).length} paths)`,
  );
} finally {
  await mock.close();
}
