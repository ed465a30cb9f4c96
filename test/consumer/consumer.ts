// @ts-nocheck -- consumer fixture: scripts/consumer-test.mjs drops this line and
// compiles the file in a temp project against the packed tarball (moduleResolution
// node16, nodenext and bundler). In the repo, "polyai-connectors" is not installed.
//
// Every public value of both entries is used here, with its types; nothing runs.
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  PolyAIError,
  RateLimitError,
  UnprocessableEntityError,
  applyConnectorPatch,
  clearVariant,
  createPolyAIClient,
  parseVoiceName,
  ttsLangCodeFromVoice,
  type BatchGetResult,
  type BatchUpdateItem,
  type BatchUpdateResult,
  type ClientOptions,
  type Connector,
  type ConnectorPatch,
  type DeleteConnectorResult,
  type PolyAIClient,
  type Region,
  type RetryEvent,
  type VoiceName,
} from "polyai-connectors";
import { createMockPolyAI, type MockPolyAI, type SeedConnector } from "polyai-connectors/testing";

const AGENT = "PROJECT-58RP822I";

export async function startMock(seed: readonly SeedConnector[]): Promise<MockPolyAI> {
  return createMockPolyAI({ apiKey: "consumer-key", connectors: seed });
}

export function describeError(err: unknown): string {
  if (err instanceof InvalidInputError) return `bad input ${err.field}: ${err.reason}`;
  if (err instanceof RateLimitError)
    return `rate limited, retry after ${err.retryAfterMs ?? "?"} ms`;
  if (
    err instanceof BadRequestError ||
    err instanceof AuthenticationError ||
    err instanceof PermissionDeniedError ||
    err instanceof NotFoundError ||
    err instanceof ConflictError ||
    err instanceof UnprocessableEntityError ||
    err instanceof InternalServerError
  ) {
    return `${err.name} ${err.status}`;
  }
  if (err instanceof APIError) {
    const status: number = err.status;
    const code: string | undefined = err.code;
    return `API error ${status} ${code ?? ""} after ${err.attempts} attempt(s)`;
  }
  if (err instanceof APITimeoutError) return "timed out";
  if (err instanceof APIConnectionError) return `connection failed: ${err.message}`;
  if (err instanceof APIUserAbortError) return "aborted";
  if (err instanceof PolyAIError) return err.message;
  return String(err);
}

export async function job(mock: MockPolyAI): Promise<Connector> {
  const region: Region = "eu";
  const options: ClientOptions = {
    apiKey: mock.apiKey,
    baseUrl: mock.url,
    maxRetries: 1,
    timeoutMs: 5_000,
    onRetry: (event: RetryEvent) => void event,
  };
  const poly: PolyAIClient = createPolyAIClient(options);
  const regional: PolyAIClient = createPolyAIClient({ apiKey: "sk-region-key", region });
  void regional;

  const list: Connector[] = await poly.connectors.list(AGENT);
  const one: Connector = await poly.connectors.get(AGENT, list[0]?.connectorId ?? "CONN-main");
  const patch: ConnectorPatch = { voiceName: "en-GB-Neural2-A", asrLangCode: "en-GB" };
  const updated: Connector = await poly.connectors.update(AGENT, one.connectorId, patch, {
    dryRun: true,
  });
  const predicted: Connector = applyConnectorPatch(one, patch);
  const cleared: Connector = await poly.connectors.update(AGENT, one.connectorId, clearVariant());
  const items: BatchUpdateItem[] = [{ connectorId: one.connectorId, voiceName: "en-US-Neural2-A" }];
  const results: BatchUpdateResult[] = await poly.connectors.batchUpdate(AGENT, items);
  for (const r of results) {
    if (r.success) void r.data.voiceName;
    else void r.error;
  }
  const found: BatchGetResult = await poly.connectors.batchGet(AGENT, [one.connectorId]);
  const byNumber: Connector = await poly.connectors.lookup(AGENT, "+14155550123", {
    signal: AbortSignal.timeout(1_000),
  });
  const deleted: DeleteConnectorResult = await poly.connectors.delete(AGENT, one.connectorId);

  const voice: VoiceName = parseVoiceName(updated.voiceName);
  const tts: string = ttsLangCodeFromVoice(updated.voiceName);
  const raw = await poly.raw.GET("/v1/agents/{agentId}/telephony/connectors", {
    params: { path: { agentId: AGENT } },
  });
  const names: string[] = raw.data?.connectors.map((c) => c.name) ?? [];

  // @ts-expect-error voiceName cannot be null: only variantId can be cleared
  await poly.connectors.update(AGENT, one.connectorId, { voiceName: null });
  // @ts-expect-error unknown keys do not compile
  await poly.connectors.update(AGENT, one.connectorId, { voicename: "en-GB-Neural2-A" });
  // @ts-expect-error "mars" is not a region
  createPolyAIClient({ region: "mars" });

  void [predicted, cleared, found, byNumber, deleted, voice, tts, names];
  return updated;
}
