// Consumer test, edge runtime: a worker-style module that uses only the core entry.
// scripts/consumer-test.mjs bundles it with esbuild for platform "neutral" with
// nothing external (no Node built-ins available), then runs the bundle against the
// mock to show the bundled client works.
import { clearVariant, createPolyAIClient } from "polyai-connectors";

export async function clearVariantOf(env, agentId, connectorId) {
  const poly = createPolyAIClient({
    apiKey: env.POLYAI_API_KEY,
    baseUrl: env.POLYAI_BASE_URL,
    maxRetries: 0,
  });
  return poly.connectors.update(agentId, connectorId, clearVariant());
}

export default {
  async fetch(request, env) {
    const { agentId, connectorId } = await request.json();
    return Response.json(await clearVariantOf(env, agentId, connectorId));
  },
};
