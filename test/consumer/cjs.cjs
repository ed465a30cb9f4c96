// Consumer test, CommonJS: the same job through `require` (the package's CJS build).
"use strict";
const assert = require("node:assert/strict");
const {
  APIError,
  InvalidInputError,
  NotFoundError,
  PolyAIError,
  applyConnectorPatch,
  clearVariant,
  createPolyAIClient,
  parseVoiceName,
  ttsLangCodeFromVoice,
} = require("polyai-connectors");
const { createMockPolyAI } = require("polyai-connectors/testing");
const { PlanStaleError, plan, renderPlan } = require("polyai-connectors/telephony");
const spec = require("polyai-connectors/openapi.json");
const { agentId, connectors } = require("./seed.json");

async function main() {
  // The CJS build really is CommonJS, not require(esm) of the ESM build.
  assert.match(require.resolve("polyai-connectors"), /[\\/]dist[\\/]cjs[\\/]/);
  assert.match(spec.openapi, /^3\.1\./);
  assert.ok("/v1/agents/{agentId}/telephony/connectors/{connectorId}" in spec.paths);
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

    const cleared = await poly.connectors.update(agentId, "CONN-main", clearVariant());
    assert.deepEqual(cleared, applyConnectorPatch(updated, clearVariant()));

    assert.equal(parseVoiceName("en-GB-Neural2-A").languageCode, "en-GB");

    const missing = await poly.connectors.get(agentId, "CONN-nope").catch((err) => err);
    assert.ok(
      missing instanceof NotFoundError &&
        missing instanceof APIError &&
        missing instanceof PolyAIError,
    );
    assert.throws(() => createPolyAIClient({ apiKey: "" }), InvalidInputError);

    // Phone lines as code through require, with the core's client; #21: telephony
    // throws the core's classes (one copy of the core in the process).
    const planned = await plan(poly, {
      agentId,
      connectors: { "CONN-main": { voiceName: "en-US-Neural2-C" } },
    });
    assert.match(renderPlan(planned), /en-US-Neural2-C/);
    const bad = await plan(poly, { agentId: 5 }).catch((err) => err);
    assert.ok(bad instanceof InvalidInputError && bad instanceof PolyAIError, String(bad));
    assert.equal(Object.getPrototypeOf(PlanStaleError.prototype), PolyAIError.prototype);

    console.log(
      `cjs: ok (voice ${before.voiceName} -> ${updated.voiceName}, tts ${updated.ttsLangCode}, variant ${JSON.stringify(cleared.variantId)}; openapi.json required, ${Object.keys(spec.paths).length} paths)`,
    );
  } finally {
    await mock.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
