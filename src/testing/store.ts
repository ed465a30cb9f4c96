// The mock's in-memory PolyAI: connectors by agent, the phone numbers of each
// agent and their routes, and the rules the real server applies when they
// change. Patches go through the SDK's own applyConnectorPatch, so the mock
// cannot disagree with the SDK's prediction of an update's result.
import { InvalidInputError } from "../errors.js";
import { applyConnectorPatch } from "../patch.js";
import { ttsLangCodeFromVoice } from "../voice.js";
import { describeType, isPlainObject } from "../internal/validate.js";
import type { components } from "../../generated/openapi.js";
import type {
  BatchGetResult,
  BatchUpdateItem,
  BatchUpdateResult,
  ClientEnv,
  Connector,
  ConnectorPatch,
  DeleteConnectorResult,
} from "../types.js";
import { ApiFault, faultOf, orFault, Refusal } from "./envelope.js";
import { specIndex, type Check } from "./validate.js";
import { probeVoice } from "./voices.js";

type Schemas = components["schemas"];

/** A phone number as the API returns it: no `connectorId` while it routes nowhere. */
export type PhoneNumber = Schemas["PhoneNumber"];

/**
 * A phone number in the mock's state, as {@link MockPolyAI.phoneNumbers} shows it:
 * the API's {@link PhoneNumber} plus the `agentId` it is served under.
 */
export type MockPhoneNumber = PhoneNumber & { agentId: string };

/**
 * A connector in the mock's state, as {@link MockPolyAI.connectors} shows it: the
 * API's {@link Connector} plus the `agentId` it is served under.
 */
export type MockConnector = Connector & { agentId: string };

/**
 * One connector of the mock's initial state: the fields of a {@link Connector}
 * that matter to the test, plus where it lives and which numbers it answers.
 * Only `connectorId` and `voiceName` are required; every other field has a
 * default, and any field given is checked against the spec:
 *
 * | field            | default                                                         |
 * | ---------------- | --------------------------------------------------------------- |
 * | `name`           | the `connectorId`                                               |
 * | `projectId`      | the `agentId` when given, else `"PROJECT-LOCAL"`                |
 * | `accountId`      | `"ws-local"`                                                    |
 * | `clientEnv`      | `"live"`                                                        |
 * | `variantId`      | `""` (no variant)                                               |
 * | `asrLangCode`    | the voice's language (`en-GB` for `en-GB-Neural2-A`)            |
 * | `ttsLangCode`    | derived from the voice, as PolyAI does (`ttsLangCodeFromVoice`) |
 * | `disableHandoff` | `false`                                                         |
 *
 * A `ttsLangCode` that is given must be the one derived from `voiceName`: the
 * server derives it, so any other value describes a state PolyAI cannot reach.
 *
 * - `agentId`: the agent the connector is served under; defaults to its
 *   `projectId`, because PolyAI's agent ID is the Agent Studio project ID. A
 *   minimal seed therefore lives under `"PROJECT-LOCAL"`.
 * - `phoneNumbers`: E.164 numbers routed to it (for `lookup`, released by `delete`).
 *   A number may belong to one connector only. Each becomes a phone number of the
 *   connector's agent with the connector's `projectId`, `accountId` and `clientEnv`.
 *   For numbers that route nowhere, or that differ from their connector, see
 *   {@link SeedPhoneNumber}.
 *
 * @example
 * // Only what the test is about: served under PROJECT-LOCAL, live, en-GB.
 * const minimal: SeedConnector = { connectorId: "CONN-main", voiceName: "en-GB-Neural2-A" };
 * // Everything spelled out, as the API would return it.
 * const seed: SeedConnector = {
 *   connectorId: "CONN-7d2f9a", name: "Main line", accountId: "ws-fd112d8f",
 *   projectId: "PROJECT-58RP822I", clientEnv: "live", variantId: "",
 *   asrLangCode: "en-GB", ttsLangCode: "en-GB", voiceName: "en-GB-Neural2-A",
 *   disableHandoff: false, phoneNumbers: ["+442079460000"],
 * };
 */
export type SeedConnector = Pick<Connector, "connectorId" | "voiceName"> &
  Partial<Omit<Connector, "connectorId" | "voiceName">> & {
    agentId?: string;
    phoneNumbers?: string[];
  };

/**
 * One phone number of the mock's initial state, for numbers a connector seed's
 * `phoneNumbers` cannot describe: numbers that route to no connector (as after an
 * import), or whose project, account or environment differ from their connector's.
 *
 * - `number`: E.164 (`+` then 1 to 15 digits, the first not 0). Required; a number
 *   may be seeded once, here or on a connector.
 * - `agentId`: the agent whose number it is. Required. Another agent sees it as
 *   missing (404), and importing it there answers 403.
 * - `connectorId`: the connector it routes to, which must be seeded under the same
 *   agent. Default: none, so `connectorId` is absent from the API's answers and
 *   `connectors.lookup` answers 404 for it.
 * - `projectId`, `accountId`: default to the connector's when `connectorId` is
 *   given; otherwise to the agent's: those of the first connector seeded under
 *   `agentId`, else of the first number seeded for it, else `agentId` (PolyAI's
 *   agent ID is the project ID) and `"ws-local"`. Numbers imported into the agent
 *   get the agent's too.
 * - `clientEnv`: defaults to the connector's when `connectorId` is given,
 *   otherwise `"live"` (the API's default on import).
 *
 * @example
 * const unrouted: SeedPhoneNumber = { number: "+442079460003", agentId: "PROJECT-58RP822I" };
 * const sandbox: SeedPhoneNumber = {
 *   number: "+442079460004", agentId: "PROJECT-58RP822I", clientEnv: "sandbox",
 * };
 */
export interface SeedPhoneNumber {
  readonly number: string;
  readonly agentId: string;
  readonly projectId?: string | undefined;
  readonly accountId?: string | undefined;
  readonly clientEnv?: ClientEnv | undefined;
  readonly connectorId?: string | undefined;
}

const SEED_PHONE_NUMBER_KEYS: readonly string[] = Object.keys({
  number: true,
  agentId: true,
  projectId: true,
  accountId: true,
  clientEnv: true,
  connectorId: true,
} satisfies Record<keyof SeedPhoneNumber, true>);

/** The account of a seed that names none, and of an agent's numbers when nothing seeded under the agent names one. */
const DEFAULT_ACCOUNT_ID = "ws-local";

/** The project (and so the agent) of a connector seed that names neither. */
const DEFAULT_PROJECT_ID = "PROJECT-LOCAL";

/**
 * A connector seed with {@link SeedConnector}'s defaults filled in. Only fields
 * left out (or undefined) get a default; a value given, even a wrong one, is kept
 * for the spec check to name.
 */
function withDefaults(
  rest: Record<string, unknown>,
  agentId: unknown,
  languageCode: string,
  fields: readonly string[],
): Record<string, unknown> {
  const defaults: Record<string, unknown> = {
    name: rest["connectorId"],
    accountId: DEFAULT_ACCOUNT_ID,
    projectId: agentId ?? DEFAULT_PROJECT_ID,
    clientEnv: "live",
    variantId: "",
    asrLangCode: languageCode,
    ttsLangCode: languageCode,
    disableHandoff: false,
  };
  // In the schema's order, so a minimal seed is answered in the same order as a full one.
  const out: Record<string, unknown> = {};
  for (const key of fields) {
    const value = rest[key] === undefined ? defaults[key] : rest[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** How the store judges changes; see {@link MockPolyAIOptions} for the public meaning. */
export interface StoreRules {
  /** Projects the API key may reach; undefined means every project in the seed. */
  readonly allowedProjects?: readonly string[] | undefined;
  /** Voice names the TTS probe rejects although their family exists. */
  readonly unavailableVoices?: readonly string[] | undefined;
}

const VALIDATION = "CONNECTORS_VALIDATION_FAILED";

function seedError(field: string, message: string): TypeError {
  return new TypeError(`createMockPolyAI: invalid seed: ${field}: ${message}`);
}

function numberNotFound(phoneNumber: string): Refusal {
  return new Refusal(404, "PHONE_NUMBERS_NOT_FOUND", `Phone number ${phoneNumber} not found`);
}

/** A stored number as the API shows it: no `agentId`, and no `connectorId` while unrouted. */
function toApi(record: MockPhoneNumber): PhoneNumber {
  const { number, projectId, accountId, clientEnv, connectorId } = record;
  return connectorId === undefined
    ? { number, projectId, accountId, clientEnv }
    : { number, projectId, accountId, clientEnv, connectorId };
}

function checkSeed(check: Check | undefined, value: unknown, field: string): void {
  const problem = check?.(value);
  if (problem) throw seedError(field, problem.message);
}

/** Where an agent's new numbers belong: its project and account. */
interface Home {
  readonly projectId: string;
  readonly accountId: string;
}

/**
 * The connectors of every agent, and every phone number with its route.
 *
 * Connectors are keyed by the agent they were seeded under. A connector whose
 * `projectId` is later patched stays under that agent: PolyAI's documentation
 * does not say whether a moved connector is still served under the old agent's
 * path, and keeping it there lets a test read back what it just changed.
 *
 * Phone numbers are one map for every agent, so a number belongs to one agent
 * at a time: another agent sees it as missing, and cannot import it (403). A
 * number's `connectorId` is always a connector of its own agent, or absent. The
 * connector operations (`lookup`, `delete`) and the phone-number operations
 * read and change this same map, so a reassigned number is found by `lookup` and
 * released by deleting the connector it was moved to.
 */
export class ConnectorStore {
  private readonly agents = new Map<string, Map<string, Connector>>();
  /** Phone number → the number with its agent and route (`connectorId` absent: unrouted). */
  private readonly numbers = new Map<string, MockPhoneNumber>();
  /** Agent → the project and account of numbers imported into it. */
  private readonly homes = new Map<string, Home>();
  private readonly allowedProjects: ReadonlySet<string>;
  private readonly unavailableVoices: ReadonlySet<string>;
  /** The agents the key can reach, fixed at seed time; see {@link serves}. */
  private readonly served: ReadonlySet<string>;

  /** @throws {TypeError} when the seed is not valid API data; the message names the field. */
  constructor(
    seed: readonly SeedConnector[],
    rules: StoreRules = {},
    seedNumbers: readonly SeedPhoneNumber[] = [],
  ) {
    const index = specIndex();
    if (!Array.isArray(seed))
      throw seedError("connectors", `must be an array, got ${describeType(seed)}`);
    seed.forEach((raw: unknown, i) => {
      const at = `connectors[${i}]`;
      // Seeds also come from JSON files (the CLI), so the declared type is not a
      // guarantee: every value below is checked before it is trusted.
      if (!isPlainObject(raw)) throw seedError(at, `must be an object, got ${describeType(raw)}`);
      const { agentId: agentOverride, phoneNumbers = [], ...rest } = raw as Record<string, unknown>;
      for (const key of Object.keys(rest)) {
        if (!index.connectorFields.includes(key)) throw seedError(`${at}.${key}`, "unknown field");
      }
      for (const key of ["connectorId", "voiceName"])
        if (rest[key] === undefined)
          throw seedError(
            `${at}.${key}`,
            "is required (the other fields have defaults; see SeedConnector)",
          );
      if (agentOverride !== undefined)
        checkSeed(index.pathParams.get("agentId"), agentOverride, `${at}.agentId`);
      // The voice comes first: two defaults are derived from it.
      let derived: string;
      try {
        derived = ttsLangCodeFromVoice(rest["voiceName"] as string);
      } catch (err) {
        throw seedError(`${at}.voiceName`, (err as InvalidInputError).reason);
      }
      const full = withDefaults(rest, agentOverride, derived, index.connectorFields);
      const problem = index.connector(full);
      if (problem)
        throw seedError(
          problem.field === "connector" ? at : `${at}.${problem.field}`,
          problem.message,
        );
      const connector = structuredClone(full) as unknown as Connector;
      // The real API derives ttsLangCode from voiceName, so a seed where they
      // disagree describes a state the mock could not have reached: a test mistake.
      if (derived !== connector.ttsLangCode)
        throw seedError(
          `${at}.ttsLangCode`,
          `is ${JSON.stringify(connector.ttsLangCode)}, but the server derives ${JSON.stringify(derived)} from voiceName ${JSON.stringify(connector.voiceName)}`,
        );
      const agentId = (agentOverride as string | undefined) ?? connector.projectId;
      checkSeed(index.pathParams.get("agentId"), agentId, `${at}.agentId`);
      checkSeed(index.pathParams.get("connectorId"), connector.connectorId, `${at}.connectorId`);
      const agent = this.agents.get(agentId) ?? new Map<string, Connector>();
      if (agent.has(connector.connectorId)) {
        throw seedError(
          `${at}.connectorId`,
          `${JSON.stringify(connector.connectorId)} appears twice under agent ${agentId}`,
        );
      }
      agent.set(connector.connectorId, connector);
      this.agents.set(agentId, agent);
      if (!this.homes.has(agentId))
        this.homes.set(agentId, { projectId: connector.projectId, accountId: connector.accountId });
      if (!Array.isArray(phoneNumbers)) throw seedError(`${at}.phoneNumbers`, "must be an array");
      (phoneNumbers as string[]).forEach((number, j) => {
        checkSeed(index.phoneNumber, number, `${at}.phoneNumbers[${j}]`);
        if (this.numbers.has(number))
          throw seedError(
            `${at}.phoneNumbers[${j}]`,
            `${number} is already routed to another connector`,
          );
        this.numbers.set(number, {
          number,
          projectId: connector.projectId,
          accountId: connector.accountId,
          clientEnv: connector.clientEnv,
          connectorId: connector.connectorId,
          agentId,
        });
      });
    });
    this.seedNumbers(seedNumbers);
    const seededProjects = [
      ...[...this.agents.values()].flatMap((agent) => [...agent.values()].map((c) => c.projectId)),
      ...[...this.numbers.values()].map((n) => n.projectId),
    ];
    this.allowedProjects = new Set(rules.allowedProjects ?? seededProjects);
    this.served = new Set([
      ...this.agents.keys(),
      ...[...this.numbers.values()].map((n) => n.agentId),
      ...(rules.allowedProjects ?? []),
    ]);
    this.unavailableVoices = new Set(rules.unavailableVoices ?? []);
  }

  /** Adds the `phoneNumbers` option's numbers, after the connectors they may route to. */
  private seedNumbers(seed: readonly SeedPhoneNumber[]): void {
    const index = specIndex();
    if (!Array.isArray(seed))
      throw seedError("phoneNumbers", `must be an array, got ${describeType(seed)}`);
    // The answer schema of getPhoneNumber is the PhoneNumber schema: the record
    // built below must be one the mock could send.
    const phoneNumber = index.operations
      .find((op) => op.operationId === "getPhoneNumber")
      ?.responses.get("200")?.body;
    seed.forEach((raw: unknown, i) => {
      const at = `phoneNumbers[${i}]`;
      if (!isPlainObject(raw)) throw seedError(at, `must be an object, got ${describeType(raw)}`);
      for (const key of Object.keys(raw)) {
        if (!SEED_PHONE_NUMBER_KEYS.includes(key)) throw seedError(`${at}.${key}`, "unknown field");
      }
      const { number, agentId, connectorId, projectId, accountId, clientEnv } = raw as Partial<
        Record<keyof SeedPhoneNumber, unknown>
      >;
      if (number === undefined) throw seedError(`${at}.number`, "is required");
      checkSeed(index.phoneNumber, number, `${at}.number`);
      if (agentId === undefined) throw seedError(`${at}.agentId`, "is required");
      checkSeed(index.pathParams.get("agentId"), agentId, `${at}.agentId`);
      const owner = this.numbers.get(number as string);
      if (owner)
        throw seedError(
          `${at}.number`,
          `${owner.number} is already seeded (for agent ${owner.agentId}${owner.connectorId === undefined ? "" : `, on connector ${owner.connectorId}`}); a number belongs to one agent and routes to one connector at most`,
        );
      for (const [field, value] of Object.entries({ projectId, accountId })) {
        if (value !== undefined && (typeof value !== "string" || value === ""))
          throw seedError(
            `${at}.${field}`,
            `must be a non-empty string, got ${describeType(value)}`,
          );
      }
      let connector: Connector | undefined;
      if (connectorId !== undefined) {
        checkSeed(index.pathParams.get("connectorId"), connectorId, `${at}.connectorId`);
        connector = this.agents.get(agentId as string)?.get(connectorId as string);
        if (!connector)
          throw seedError(
            `${at}.connectorId`,
            `no connector ${JSON.stringify(connectorId)} is seeded under agent ${agentId as string}; a number routes to a connector of its own agent`,
          );
      }
      const home = connector ?? this.home(agentId as string);
      const record = {
        number,
        projectId: projectId ?? home.projectId,
        accountId: accountId ?? home.accountId,
        clientEnv: clientEnv ?? connector?.clientEnv ?? "live",
        ...(connector ? { connectorId: connector.connectorId } : {}),
      };
      const problem = phoneNumber?.(record);
      if (problem)
        throw seedError(problem.field === "body" ? at : `${at}.${problem.field}`, problem.message);
      const stored = { ...(record as PhoneNumber), agentId: agentId as string };
      this.numbers.set(stored.number, stored);
      if (!this.homes.has(stored.agentId))
        this.homes.set(stored.agentId, {
          projectId: stored.projectId,
          accountId: stored.accountId,
        });
    });
  }

  /**
   * Whether the mock serves `agentId`: a connector or a phone number was seeded
   * under it, or it is in the `allowedProjects` option (an agent ID is a project
   * ID). Requests for any other agent answer 403 USER_ACCESS_FORBIDDEN. An agent
   * stays served after its last connector or number is gone.
   */
  serves(agentId: string): boolean {
    return this.served.has(agentId);
  }

  /** Every connector of every agent with the agent it is served under, as deep copies, in seed order. */
  all(): MockConnector[] {
    return [...this.agents].flatMap(([agentId, agent]) =>
      [...agent.values()].map((c) => ({ ...structuredClone(c), agentId })),
    );
  }

  /** The agent's connectors; an agent without any has none (the server refuses agents it does not {@link serves}). */
  list(agentId: string): Connector[] {
    return [...(this.agents.get(agentId)?.values() ?? [])].map((c) => structuredClone(c));
  }

  /** @throws {ApiFault} 404 CONNECTORS_NOT_FOUND */
  get(agentId: string, connectorId: string): Connector {
    return structuredClone(this.find(agentId, connectorId));
  }

  /**
   * Applies a merge-patch the way PolyAI does: the key must reach every project
   * involved in a move, and a new voice must pass the TTS probe.
   * @throws {ApiFault} 404 CONNECTORS_NOT_FOUND, 403 USER_ACCESS_FORBIDDEN, 400 CONNECTORS_VALIDATION_FAILED
   */
  update(agentId: string, connectorId: string, patch: ConnectorPatch): Connector {
    return orFault(this.tryUpdate(agentId, connectorId, patch));
  }

  /** {@link update}, returning its refusal instead of throwing it (#20: a batch has one per item). */
  private tryUpdate(
    agentId: string,
    connectorId: string,
    patch: ConnectorPatch,
  ): Connector | Refusal {
    const current = this.tryFind(agentId, connectorId);
    if (current instanceof Refusal) return current;
    if (patch.projectId !== undefined && patch.projectId !== current.projectId) {
      for (const project of [current.projectId, patch.projectId]) {
        if (!this.allowedProjects.has(project))
          return new Refusal(
            403,
            "USER_ACCESS_FORBIDDEN",
            `The API key has no access to project ${project}`,
          );
      }
    }
    if (patch.voiceName !== undefined) {
      const why = probeVoice(patch.voiceName, this.unavailableVoices);
      if (why) return new Refusal(400, VALIDATION, `voiceName: ${why}`);
    }
    let next: Connector;
    try {
      next = applyConnectorPatch(current, patch);
    } catch (err) {
      // The request passed the spec's schema, so this is the SDK's stricter check
      // speaking; answer as the server would rather than crash the mock. At most
      // once per connector of the agent: a batch names each connector once.
      if (err instanceof InvalidInputError)
        return new Refusal(400, VALIDATION, `${err.field.replace(/^patch\./, "")}: ${err.reason}`);
      throw err;
    }
    this.agents.get(agentId)?.set(connectorId, next);
    return structuredClone(next);
  }

  /**
   * Removes the connector and releases every number routed to it at this moment
   * (seeded on it or moved onto it by a reassign), as {@link deleteNumber} would;
   * the answer lists them.
   * @throws {ApiFault} 404 CONNECTORS_NOT_FOUND
   */
  delete(agentId: string, connectorId: string): DeleteConnectorResult {
    this.find(agentId, connectorId);
    this.agents.get(agentId)?.delete(connectorId);
    const deletedPhoneNumbers: string[] = [];
    for (const [number, owner] of this.numbers) {
      if (owner.agentId === agentId && owner.connectorId === connectorId) {
        this.numbers.delete(number);
        deletedPhoneNumbers.push(number);
      }
    }
    return { deletedConnector: connectorId, deletedPhoneNumbers };
  }

  /** The connectors found, in request order, and the IDs that were not. */
  batchGet(agentId: string, connectorIds: readonly string[]): BatchGetResult {
    const result: BatchGetResult = { found: [], notFound: [] };
    const agent = this.agents.get(agentId);
    for (const id of connectorIds) {
      const connector = agent?.get(id);
      if (connector) result.found.push(structuredClone(connector));
      else result.notFound.push(id);
    }
    return result;
  }

  /** Applies each update independently, as {@link update} would; one result per item, in order. */
  batchUpdate(agentId: string, items: readonly BatchUpdateItem[]): BatchUpdateResult[] {
    return items.map(({ connectorId, ...patch }): BatchUpdateResult => {
      const result = this.tryUpdate(agentId, connectorId, patch);
      return result instanceof Refusal
        ? { connectorId, success: false, error: result.message }
        : { connectorId, success: true, data: result };
    });
  }

  /**
   * The connector `phoneNumber` routes to. A number of the agent that routes
   * nowhere (imported, not yet reassigned) is as unknown here as a missing one.
   * @throws {ApiFault} 404 PHONE_NUMBERS_NOT_FOUND when no connector of the agent answers `phoneNumber`.
   */
  lookup(agentId: string, phoneNumber: string): Connector {
    const owner = this.owned(agentId, phoneNumber);
    const connector =
      owner?.connectorId === undefined
        ? undefined
        : this.agents.get(agentId)?.get(owner.connectorId);
    if (connector) return structuredClone(connector);
    if (!owner) throw faultOf(numberNotFound(phoneNumber));
    // The spec's 404 for lookup covers a number the agent has that routes nowhere;
    // say which, so a caller can tell "not routed yet" from "no such number".
    throw new ApiFault(
      404,
      "PHONE_NUMBERS_NOT_FOUND",
      `Phone number ${phoneNumber} routes to no connector; reassign it to one first`,
    );
  }

  /** Every phone number of every agent, as deep copies, in seed then import order. */
  allNumbers(): MockPhoneNumber[] {
    return [...this.numbers.values()].map((n) => structuredClone(n));
  }

  /** The agent's numbers, routed or not; with `connectorId`, only those routed to it. */
  listNumbers(agentId: string, connectorId?: string): PhoneNumber[] {
    return [...this.numbers.values()]
      .filter(
        (n) =>
          n.agentId === agentId && (connectorId === undefined || n.connectorId === connectorId),
      )
      .map(toApi);
  }

  /** @throws {ApiFault} 404 PHONE_NUMBERS_NOT_FOUND, also for a number of another agent. */
  getNumber(agentId: string, phoneNumber: string): PhoneNumber {
    return toApi(this.ownedOrThrow(agentId, phoneNumber));
  }

  /** The agent's numbers among `phoneNumbers`, in request order, and the rest. */
  batchGetNumbers(
    agentId: string,
    phoneNumbers: readonly string[],
  ): Schemas["BatchGetPhoneNumbersResult"] {
    const result: Schemas["BatchGetPhoneNumbersResult"] = { found: [], notFound: [] };
    for (const number of phoneNumbers) {
      const owned = this.owned(agentId, number);
      if (owned) result.found.push(toApi(owned));
      else result.notFound.push(number);
    }
    return result;
  }

  /**
   * Adds the numbers to the agent's project, unrouted, for `clientEnv`. All or
   * nothing: a number of another agent refuses the whole request. A number the
   * agent already has is left as it is (route and `clientEnv`) and still listed.
   * @returns every number of the request, in request order.
   * @throws {ApiFault} 403 USER_ACCESS_FORBIDDEN when a number belongs to another agent.
   */
  importNumbers(agentId: string, phoneNumbers: readonly string[], clientEnv: ClientEnv): string[] {
    for (const number of phoneNumbers) {
      const owner = this.numbers.get(number);
      if (owner && owner.agentId !== agentId)
        throw new ApiFault(
          403,
          "USER_ACCESS_FORBIDDEN",
          `Phone number ${number} belongs to another project`,
        );
    }
    const home = this.home(agentId);
    for (const number of phoneNumbers) {
      if (!this.numbers.has(number))
        this.numbers.set(number, {
          number,
          projectId: home.projectId,
          accountId: home.accountId,
          clientEnv,
          agentId,
        });
    }
    return [...phoneNumbers];
  }

  /**
   * Routes the number to a connector of the same agent; only the route changes.
   * The number is checked first, and nothing changes when either is missing.
   * @throws {ApiFault} 404 PHONE_NUMBERS_NOT_FOUND, then 404 CONNECTORS_NOT_FOUND
   */
  reassignNumber(agentId: string, phoneNumber: string, connectorId: string): PhoneNumber {
    const owned = this.ownedOrThrow(agentId, phoneNumber);
    this.find(agentId, connectorId);
    owned.connectorId = connectorId;
    return toApi(owned);
  }

  /**
   * Releases the number: it leaves the agent with its route; its connector stays.
   * @throws {ApiFault} 404 PHONE_NUMBERS_NOT_FOUND, also for a number of another agent.
   */
  deleteNumber(agentId: string, phoneNumber: string): Schemas["DeletePhoneNumberResult"] {
    this.ownedOrThrow(agentId, phoneNumber);
    this.numbers.delete(phoneNumber);
    return { deleted: phoneNumber };
  }

  /**
   * Releases each number independently, as {@link deleteNumber} would. `errors`
   * is left out when empty, as the real API does (the SDK fills in `[]`).
   */
  deleteNumbers(
    agentId: string,
    phoneNumbers: readonly string[],
  ): Omit<Schemas["DeletePhoneNumbersResult"], "errors"> &
    Partial<Pick<Schemas["DeletePhoneNumbersResult"], "errors">> {
    const deleted: string[] = [];
    const errors: Schemas["DeletePhoneNumbersResult"]["errors"] = [];
    // #20: a number the agent does not have is a plain result, not a thrown fault.
    for (const number of phoneNumbers) {
      if (this.owned(agentId, number)) {
        this.numbers.delete(number);
        deleted.push(number);
      } else errors.push({ phoneNumber: number, error: numberNotFound(number).message });
    }
    return errors.length === 0 ? { deleted } : { deleted, errors };
  }

  /** The project and account a number imported into the agent gets. */
  private home(agentId: string): Home {
    return this.homes.get(agentId) ?? { projectId: agentId, accountId: DEFAULT_ACCOUNT_ID };
  }

  /** The agent's record of `phoneNumber` (mutable), or undefined for a number it does not have. */
  private owned(agentId: string, phoneNumber: string): MockPhoneNumber | undefined {
    const record = this.numbers.get(phoneNumber);
    return record?.agentId === agentId ? record : undefined;
  }

  private ownedOrThrow(agentId: string, phoneNumber: string): MockPhoneNumber {
    return orFault(this.owned(agentId, phoneNumber) ?? numberNotFound(phoneNumber));
  }

  private find(agentId: string, connectorId: string): Connector {
    return orFault(this.tryFind(agentId, connectorId));
  }

  private tryFind(agentId: string, connectorId: string): Connector | Refusal {
    return (
      this.agents.get(agentId)?.get(connectorId) ??
      new Refusal(404, "CONNECTORS_NOT_FOUND", `Connector ${connectorId} not found`)
    );
  }
}
