// @ts-nocheck -- consumer fixture (see consumer.ts): a CommonJS TypeScript file,
// so its imports resolve through the "require" conditions (dist/cjs types).
import { APIError, clearVariant, createPolyAIClient, type Connector } from "polyai-connectors";
import { createMockPolyAI } from "polyai-connectors/testing";
import spec = require("polyai-connectors/openapi.json");

/** The bundled spec through `require` (resolveJsonModule): typed from the JSON itself. */
export const specVersion: string = spec.openapi;

export async function cjsJob(agentId: string): Promise<Connector | undefined> {
  const mock = await createMockPolyAI();
  try {
    const poly = createPolyAIClient({ apiKey: mock.apiKey, baseUrl: mock.url });
    // @ts-expect-error voiceName cannot be null
    await poly.connectors.update(agentId, "CONN-main", { voiceName: null });
    return await poly.connectors.update(agentId, "CONN-main", clearVariant());
  } catch (err) {
    if (err instanceof APIError) return undefined;
    throw err;
  } finally {
    await mock.close();
  }
}
