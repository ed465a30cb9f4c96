// Every export of `polyai-connectors`, used once. Type-checked with the project
// (`npm run typecheck`); a quick reference rather than a program to run.
// In your project: import { … } from "polyai-connectors";
import {
  APIPromise,
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  CallOutcomeUnknownError,
  CallWaitError,
  CallWaitTimeoutError,
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
  type ApiKeyProvider,
  type BackoffOptions,
  type InputProblem,
  type BatchGetPhoneNumbersResult,
  type BatchGetResult,
  type BatchUpdateFailure,
  type BatchUpdateItem,
  type BatchUpdateResult,
  type BatchUpdateSuccess,
  type ClientEnv,
  type ClientOptions,
  type Connector,
  type ConnectorPatch,
  type ConnectorsResource,
  type DeleteConnectorResult,
  type DeletePhoneNumberResult,
  type DeletePhoneNumbersResult,
  type ErrorBody,
  type ImportPhoneNumberResult,
  type ImportPhoneNumbersResult,
  type ImportSettings,
  type Logger,
  type OutboundCall,
  type OutboundCallRequest,
  type OutboundCalls,
  type OutboundCallsResource,
  type OutboundCallState,
  type OutboundCallStatus,
  type PhoneNumber,
  type PhoneNumberFilter,
  type PhoneNumbersResource,
  type PolyAIClient,
  type Region,
  type RequestInfo,
  type RequestOptions,
  type RetryEvent,
  type VoiceName,
  type WaitOptions,
  type WithResponse,
  type WriteOptions,
} from "../src/index.js";

const region: Region = "eu";
const backoff: BackoffOptions = { initialMs: 250, maxMs: 4_000 };
const logger: Logger = { warn: (message) => console.warn(message) };
/** A key provider: asked before every attempt, so a rotated key is picked up. */
const apiKey: ApiKeyProvider = async () => process.env["POLYAI_API_KEY"] ?? "";
const options: ClientOptions = {
  apiKey,
  region,
  maxRetries: 3,
  timeoutMs: 10_000,
  backoff,
  logger,
  onRetry: (event: RetryEvent) =>
    console.log(`attempt ${event.attempt} failed; waiting ${event.delayMs} ms`),
};
export const poly: PolyAIClient = createPolyAIClient(options);
const connectors: ConnectorsResource = poly.connectors;

/** Moves every sandbox connector to a new voice, one batch, and reports failures. */
export async function migrateSandboxVoices(
  agentId: string,
  voiceName: string,
): Promise<BatchUpdateFailure[]> {
  const readOptions: RequestOptions = { timeoutMs: 5_000 };
  const all: Connector[] = await connectors.list(agentId, readOptions);
  const env: ClientEnv = "sandbox";
  const updates: BatchUpdateItem[] = all
    .filter((c) => c.clientEnv === env)
    .map((c) => ({ connectorId: c.connectorId, voiceName }));
  if (updates.length === 0) return [];
  const preview: WriteOptions = { dryRun: true };
  await connectors.batchUpdate(agentId, updates, preview);
  const results: BatchUpdateResult[] = await connectors.batchUpdate(agentId, updates);
  const applied: BatchUpdateSuccess[] = results.filter((r): r is BatchUpdateSuccess => r.success);
  console.log(`${applied.length} connectors now speak ${ttsLangCodeFromVoice(voiceName)}`);
  return results.filter((r): r is BatchUpdateFailure => !r.success);
}

/** Reads two connectors, then deletes the first, if it exists. */
export async function cleanUp(
  agentId: string,
  ids: [string, string],
): Promise<DeleteConnectorResult | undefined> {
  const { found, notFound }: BatchGetResult = await connectors.batchGet(agentId, ids);
  if (notFound.includes(ids[0]) || found.length === 0) return undefined;
  const byNumber = await connectors.lookup(agentId, "+14155550123");
  console.log(`+14155550123 is served by ${byNumber.connectorId}`);
  return connectors.delete(agentId, ids[0], { maxRetries: 0 });
}

/** Predicts, then applies, a voice change with the variant cleared. */
export async function revoice(
  agentId: string,
  connectorId: string,
  voice: string,
): Promise<Connector> {
  const parts: VoiceName = parseVoiceName(voice); // throws InvalidInputError for a malformed name
  const patch: ConnectorPatch = { ...clearVariant(), voiceName: voice };
  const current = await connectors.get(agentId, connectorId);
  const predicted = applyConnectorPatch(current, patch);
  console.log(`${parts.family} voice; ttsLangCode will be ${predicted.ttsLangCode}`);
  return connectors.update(agentId, connectorId, patch, { signal: AbortSignal.timeout(60_000) });
}

const phoneNumbers: PhoneNumbersResource = poly.phoneNumbers;

/** Provisions a line: imports the number, routes it to the connector, sets the voice. */
export async function provisionLine(
  agentId: string,
  number: string,
  connectorId: string,
  voiceName: string,
): Promise<PhoneNumber> {
  const settings: ImportSettings = { clientEnv: "live" };
  const { imported }: ImportPhoneNumberResult = await phoneNumbers.importOne(
    agentId,
    number,
    settings,
  );
  const routed = await phoneNumbers.reassign(agentId, imported, connectorId);
  await connectors.update(agentId, connectorId, { voiceName });
  return routed;
}

/** Moves every number of one connector to another, then releases two spare numbers. */
export async function moveNumbers(
  agentId: string,
  from: string,
  to: string,
  spares: [string, string],
): Promise<DeletePhoneNumbersResult> {
  const filter: PhoneNumberFilter = { connectorId: from };
  for (const { number } of await phoneNumbers.list(agentId, filter))
    await phoneNumbers.reassign(agentId, number, to);
  const batch: ImportPhoneNumbersResult = await phoneNumbers.import(agentId, spares);
  const { found, notFound }: BatchGetPhoneNumbersResult = await phoneNumbers.batchGet(
    agentId,
    batch.imported,
  );
  console.log(`${found.length} spares imported, ${notFound.length} missing`);
  const first: PhoneNumber = await phoneNumbers.get(agentId, spares[0]);
  const released: DeletePhoneNumberResult = await phoneNumbers.delete(agentId, first.number);
  console.log(`released ${released.deleted}`);
  const result = await phoneNumbers.deleteMany(agentId, [spares[1]]);
  for (const { phoneNumber, error } of result.errors) console.warn(phoneNumber, error);
  return result;
}

const outboundCalls: OutboundCalls = poly.outboundCalls;
const generated: OutboundCallsResource = outboundCalls; // create and get, without createAndWait

/**
 * #23: rings a customer about an appointment once, and waits for the call to end.
 * A call whose outcome is unknown is never placed again here: it is reported.
 */
export async function remind(agentId: string, number: string, date: string): Promise<string> {
  const call: OutboundCallRequest = {
    toNumber: number, // E.164, or national digits with countryCode: "GB"
    environment: "live",
    metadata: { appointment_date: date },
  };
  const waiting: WaitOptions = {
    pollIntervalMs: 2_000,
    timeoutMs: 15 * 60_000,
    onPlaced: (placed: OutboundCall) => console.log(`placed ${placed.callSid}`),
  };
  try {
    const final: OutboundCallStatus = await outboundCalls.createAndWait(agentId, call, waiting);
    const state: OutboundCallState = final.status;
    return state === "FAILURE" ? `failed: ${final.reason}` : "reminded";
  } catch (err) {
    if (err instanceof CallOutcomeUnknownError)
      return `may have been placed; ask PolyAI about ${err.correlationId}, do not redial`;
    if (err instanceof CallWaitTimeoutError) {
      const now = await generated.get(agentId, err.callSid, { environment: "live" });
      return `still ${now.status} after the wait`;
    }
    if (err instanceof CallWaitError) return `placed as ${err.callSid}; following it failed`;
    throw err;
  }
}

/** Changes a voice and returns the correlation ID to quote to PolyAI support. */
export async function traceableUpdate(agentId: string, connectorId: string): Promise<string> {
  const pending: APIPromise<Connector> = connectors.update(agentId, connectorId, {
    voiceName: "en-GB-Neural2-A",
  });
  const { data, response, correlationId }: WithResponse<Connector> = await pending.withResponse();
  console.log(`${response.status}: ${data.voiceName} (correlation id ${correlationId})`);
  return correlationId;
}

/** What to do about each error this package throws. */
export function explain(err: unknown): string {
  if (!(err instanceof PolyAIError)) return "not from polyai-connectors";
  if (err instanceof InvalidInputError) {
    // #22: every problem found (a desired state lists them all, each with its path and line).
    const problems: readonly InputProblem[] = err.errors;
    return problems.map((p) => `fix the input ${p.path}: ${p.message}`).join("\n");
  }
  if (err instanceof APIUserAbortError) return "cancelled by us";
  if (err instanceof CallOutcomeUnknownError) return `the call may have been placed: ${err.code}`;
  if (err instanceof CallWaitTimeoutError) return `placed as ${err.callSid}, still going`;
  if (err instanceof CallWaitError) return `placed as ${err.callSid}, not followed: ${err.code}`;
  if (err instanceof APITimeoutError) return `timed out after ${err.attempts} attempts`;
  if (err instanceof APIConnectionError) return "network problem; safe to retry later";
  if (!(err instanceof APIError)) return err.message;
  const where: RequestInfo | undefined = err.request;
  const body = err.body as Partial<ErrorBody> | undefined;
  const ref = `${where?.method} ${where?.url} (error_id ${err.errorId ?? body?.error_id ?? "none"})`;
  if (err instanceof BadRequestError)
    return `the server rejected the request (${err.code}): ${ref}`;
  if (err instanceof AuthenticationError) return "check POLYAI_API_KEY and the region";
  if (err instanceof PermissionDeniedError) return "the key may not do this";
  if (err instanceof NotFoundError) return `no such agent, connector or number: ${ref}`;
  if (err instanceof ConflictError) return "the connector changed underneath; re-read and retry";
  if (err instanceof UnprocessableEntityError) return "well-formed but not processable";
  if (err instanceof RateLimitError)
    return `rate limited; wait ${err.retryAfterMs ?? "a while"} ms`;
  if (err instanceof InternalServerError)
    return `PolyAI failed (${err.status}); quote ${ref} to support`;
  return `HTTP ${err.status}`;
}
