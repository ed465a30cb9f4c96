// @ts-nocheck -- consumer fixture: scripts/consumer-test.mjs drops this line and
// compiles the file in a temp project against the packed tarball (moduleResolution
// node16, nodenext and bundler). In the repo, "polyai-connectors" is not installed.
//
// Every public value and type of the three entries is used here; nothing runs.
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
} from "polyai-connectors";
import {
  KNOWN_VOICE_FAMILIES,
  MockSpecViolationError,
  createMockPolyAI,
  type FailNextOptions,
  type MockCallOutcome,
  type MockOutboundCall,
  type MockOutboundOptions,
  type MockConnector,
  type MockPolyAI,
  type MockPhoneNumber,
  type MockPolyAIOptions,
  type RecordedRequest,
  type SeedConnector,
  type SeedPhoneNumber,
} from "polyai-connectors/testing";
import {
  ChangeRejectedError,
  InvalidPlanError,
  PlanStaleError,
  UnknownConnectorError,
  apply,
  countChanges,
  exportState,
  plan,
  renderPlan,
  summarizePlan,
  validateDesiredState,
  type ApplyOptions,
  type ApplyProgress,
  type ApplyResult,
  type ChangeResult,
  type CheckedDesiredState,
  type PlanTargets,
  type PlanWarning,
  type ValidateOptions,
  type ConnectorChange,
  type ConnectorResult,
  type DesiredConnector,
  type DesiredState,
  type ExportOptions,
  type ManagedField,
  type OmittedValue,
  type PhoneNumberChange,
  type PhoneNumberResult,
  type Plan,
  type PlanOptions,
  type ReadOptions,
  type RenderPlanOptions,
  type StaleValue,
  InvalidJournalError,
  JournalMismatchError,
  dialMany,
  memoryJournal,
  type CampaignJournal,
  type CampaignProgress,
  type CampaignResult,
  type CampaignRow,
  type CampaignRowResult,
  type DialManyOptions,
  type JournalEntry,
  type JournalError,
} from "polyai-connectors/telephony";

const AGENT = "PROJECT-58RP822I";

export async function startMock(
  seed: readonly SeedConnector[] = [{ connectorId: "CONN-main", voiceName: "en-GB-Neural2-A" }],
): Promise<MockPolyAI> {
  const options: MockPolyAIOptions = {
    apiKey: "consumer-key",
    connectors: seed,
    phoneNumbers: [{ number: "+442079460099", agentId: AGENT }] satisfies SeedPhoneNumber[],
    unavailableVoices: [`en-GB-${KNOWN_VOICE_FAMILIES[0] ?? "Neural2"}-Z`],
    onSpecViolation: (error: MockSpecViolationError) => void error.message,
    outbound: {
      outcomes: {
        "+442079460098": { status: "FAILURE", reason: "busy" } satisfies MockCallOutcome,
      },
      readsPerStep: 2,
      clock: () => Date.now(),
    } satisfies MockOutboundOptions,
  };
  const mock = await createMockPolyAI(options);
  const fault: FailNextOptions = { status: 503, times: 1 };
  mock.failNext(fault);
  mock.failNext({ operation: "batchUpdateConnectors", method: "patch", path: /\/batch$/ });
  mock.delay(0);
  mock.reset();
  const seen: readonly RecordedRequest[] = mock.requests;
  const state: MockConnector[] = mock.connectors;
  const agents: string[] = state.map((c) => c.agentId);
  const numbers: MockPhoneNumber[] = mock.phoneNumbers;
  const calls: MockOutboundCall[] = mock.outboundCalls;
  mock.failNext({ operation: "createOutboundCall", processed: true, reset: true });
  void [seen, state, agents, numbers, calls];
  return mock;
}

export async function stopMock(mock: MockPolyAI): Promise<void> {
  await mock.close();
}

/** The types a wrapper library would name in its own signatures. */
export interface Wrapper {
  readonly resource: ConnectorsResource;
  readonly read: RequestOptions;
  readonly write: WriteOptions;
  readonly backoff: BackoffOptions;
  readonly logger: Logger;
  readonly request: RequestInfo | undefined;
  readonly env: ClientEnv;
  readonly envelope: ErrorBody;
  readonly outcome: BatchUpdateSuccess | BatchUpdateFailure;
}

export function describeError(err: unknown): string {
  if (err instanceof InvalidInputError) {
    const problems: readonly InputProblem[] = err.errors;
    return `bad input ${err.field}: ${err.reason} (${problems.length + err.more} problems)`;
  }
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
    backoff: { initialMs: 100, maxMs: 1_000 } satisfies BackoffOptions,
    logger: console satisfies Logger,
  };
  const poly: PolyAIClient = createPolyAIClient(options);
  const provider: ApiKeyProvider = () => "sk-region-key";
  const regional: PolyAIClient = createPolyAIClient({ apiKey: provider, region });
  void regional;

  const list: Connector[] = await poly.connectors.list(AGENT);
  const pending: APIPromise<Connector> = poly.connectors.get(
    AGENT,
    list[0]?.connectorId ?? "CONN-main",
  );
  const traced: WithResponse<Connector> = await pending.withResponse();
  const one: Connector = traced.data;
  void [traced.response.status, traced.correlationId, pending instanceof APIPromise];
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

  const phones: PhoneNumbersResource = poly.phoneNumbers;
  const settings: ImportSettings = { clientEnv: "sandbox" };
  const many: ImportPhoneNumbersResult = await phones.import(AGENT, ["+442079460010"], settings);
  const single: ImportPhoneNumberResult = await phones.importOne(AGENT, "+442079460011");
  const filter: PhoneNumberFilter = { connectorId: one.connectorId };
  const routed: PhoneNumber[] = await phones.list(AGENT, filter);
  const moved: PhoneNumber = await phones.reassign(AGENT, single.imported, one.connectorId);
  const read: PhoneNumber = await phones.get(AGENT, moved.number);
  const both: BatchGetPhoneNumbersResult = await phones.batchGet(AGENT, many.imported);
  const gone: DeletePhoneNumberResult = await phones.delete(AGENT, read.number);
  const rest: DeletePhoneNumbersResult = await phones.deleteMany(AGENT, many.imported);
  const failures: { phoneNumber: string; error: string }[] = rest.errors;
  // @ts-expect-error clientEnv is one of sandbox, pre-release, live
  await phones.import(AGENT, ["+442079460012"], { clientEnv: "staging" });

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
  void [routed, both, gone, failures];

  // #23: outbound calls.
  const calls: OutboundCalls = poly.outboundCalls;
  const plain: OutboundCallsResource = calls;
  const request: OutboundCallRequest = {
    toNumber: "020 7946 0000",
    countryCode: "GB",
    environment: "sandbox",
  };
  const placed: OutboundCall = await plain.create(AGENT, request);
  const status: OutboundCallStatus = await plain.get(AGENT, placed.callSid, {
    environment: "sandbox",
  });
  const state: OutboundCallState = status.status;
  const waiting: WaitOptions = {
    pollIntervalMs: 500,
    timeoutMs: 60_000,
    signal: AbortSignal.timeout(90_000),
  };
  try {
    await calls.createAndWait(AGENT, { ...request, metadata: { customer: "Paul" } }, waiting);
  } catch (err) {
    if (err instanceof CallOutcomeUnknownError) void [err.code, err.correlationId, err.status];
    if (err instanceof CallWaitTimeoutError) void [err.callSid, err.lastStatus.status];
    if (err instanceof CallWaitError) void [err.code, err.callSid, err.lastStatus.status];
  }
  // @ts-expect-error metadata values are strings
  await calls.create(AGENT, { ...request, metadata: { attempt: 2 } });
  // @ts-expect-error the status read needs the call's environment
  await calls.get(AGENT, placed.callSid);
  void state;
  return updated;
}

/** Phone lines as code, with the core's client: every telephony name in a signature. */
export async function phoneLines(poly: PolyAIClient): Promise<ApplyResult | string> {
  const main: DesiredConnector = { voiceName: "en-GB-Neural2-A", variantId: null };
  const desired: DesiredState = {
    agentId: AGENT,
    connectors: { "CONN-main": main },
    phoneNumbers: { "+442079460099": "CONN-main" },
  };
  const validateOptions: ValidateOptions = { lines: new Map([["agentId", 2]]) };
  const checked: CheckedDesiredState = validateDesiredState(desired, validateOptions);
  const reads: ReadOptions = { readChunkSize: 500 };
  const targets: PlanTargets = { connectors: ["CONN-main"], phoneNumbers: [] };
  const planOptions: PlanOptions = {
    ...reads,
    signal: AbortSignal.timeout(5_000),
    targets,
    clientEnv: "live",
  };
  const p: Plan = await plan(poly, checked, planOptions);
  const warnings: PlanWarning[] = p.warnings ?? [];
  void warnings.map((w) => `${w.code} ${w.path}: ${w.message}`);
  const updates: ConnectorChange[] = p.connectors;
  const moves: PhoneNumberChange[] = p.phoneNumbers;
  const fields: ManagedField[] = updates.flatMap((c) => Object.keys(c.patch) as ManagedField[]);
  void [moves, fields, summarizePlan(p), countChanges(p)];
  const options: ApplyOptions = {
    chunkSize: 100,
    concurrency: 8,
    clientEnv: "live",
    onProgress: (step: ApplyProgress) => void step.result,
  };
  try {
    const result: ApplyResult = await apply(poly, JSON.parse(JSON.stringify(p)), options);
    const failed: ChangeResult[] = result.results.filter((r) => r.status === "failed");
    for (const r of failed) {
      if (r.kind === "connector") void (r satisfies ConnectorResult).connectorId;
      else void (r satisfies PhoneNumberResult).number;
      if (r.status === "failed" && r.error instanceof ChangeRejectedError) void r.error.reason;
    }
    const exportOptions: ExportOptions = { onOmit: (o: OmittedValue) => void o.path };
    const state: DesiredState = await exportState(poly, AGENT, exportOptions);
    void state;
    return result;
  } catch (err) {
    if (err instanceof PlanStaleError) {
      const changed: readonly StaleValue[] = err.changed;
      return `${err.code}: ${changed.map((c) => `${c.path} ${c.was} → ${c.now}`).join("; ")}`;
    }
    if (err instanceof InvalidPlanError) return `${err.code} at ${err.field}`;
    if (err instanceof UnknownConnectorError) return err.connectorIds.join(", ");
    const view: RenderPlanOptions = { full: true };
    return renderPlan(p, view);
  }
}

/** #23: a campaign with every campaign name in a signature. */
export async function campaign(poly: PolyAIClient): Promise<string> {
  const rows: CampaignRow[] = [{ toNumber: "+442079460001", metadata: { firstName: "Ann" } }];
  const journal: CampaignJournal = memoryJournal();
  const options: DialManyOptions = {
    environment: "sandbox",
    journal,
    concurrency: 4,
    ratePerSecond: 2,
    wait: true,
    onProgress: (p: CampaignProgress) => void p.done,
  };
  try {
    const result: CampaignResult = await dialMany(poly, AGENT, rows, options);
    const unknown: CampaignRowResult[] = result.rows.filter((r) => r.outcome === "unknown");
    const errors: (JournalError | undefined)[] = unknown.map((r) => r.error);
    const entries = (await journal.read()) as JournalEntry[];
    return `${entries.length} entries, ${errors.length} unknown`;
  } catch (err) {
    if (err instanceof JournalMismatchError) return err.code;
    if (err instanceof InvalidJournalError) return `${err.code} at entry ${err.entry}`;
    throw err;
  }
}
