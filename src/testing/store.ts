// The mock's in-memory PolyAI: connectors by agent, phone numbers, and the rules
// the real server applies when they change. Patches go through the SDK's own
// applyConnectorPatch, so the mock cannot disagree with the SDK's prediction of
// an update's result.
import { InvalidInputError } from "../errors.js";
import { applyConnectorPatch } from "../patch.js";
import { ttsLangCodeFromVoice } from "../voice.js";
import { describeType, isPlainObject } from "../validate.js";
import type {
  BatchGetResult,
  BatchUpdateItem,
  BatchUpdateResult,
  Connector,
  ConnectorPatch,
  DeleteConnectorResult,
} from "../types.js";
import { ApiFault } from "./envelope.js";
import { specIndex, type Check } from "./validate.js";
import { probeVoice } from "./voices.js";

/**
 * One connector of the mock's initial state: a {@link Connector} as the API
 * returns it, plus where it lives and which numbers it answers.
 *
 * - `agentId`: the agent the connector is served under; defaults to its
 *   `projectId`, because PolyAI's agent ID is the Agent Studio project ID.
 * - `phoneNumbers`: E.164 numbers routed to it (for `lookup`, released by `delete`).
 *   A number may belong to one connector only.
 *
 * @example
 * const seed: SeedConnector = {
 *   connectorId: "CONN-7d2f9a", name: "Main line", accountId: "ws-fd112d8f",
 *   projectId: "PROJECT-58RP822I", clientEnv: "live", variantId: "",
 *   asrLangCode: "en-GB", ttsLangCode: "en-GB", voiceName: "en-GB-Neural2-A",
 *   disableHandoff: false, phoneNumbers: ["+442079460000"],
 * };
 */
export type SeedConnector = Connector & { agentId?: string; phoneNumbers?: string[] };

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

function checkSeed(check: Check | undefined, value: unknown, field: string): void {
  const problem = check?.(value);
  if (problem) throw seedError(field, problem.message);
}

/**
 * The connectors of every agent and the phone numbers that point at them.
 *
 * Connectors are keyed by the agent they were seeded under. A connector whose
 * `projectId` is later patched stays under that agent: PolyAI's documentation
 * does not say whether a moved connector is still served under the old agent's
 * path, and keeping it there lets a test read back what it just changed.
 */
export class ConnectorStore {
  private readonly agents = new Map<string, Map<string, Connector>>();
  /** Phone number → the agent and connector it routes to. */
  private readonly numbers = new Map<string, { agentId: string; connectorId: string }>();
  private readonly allowedProjects: ReadonlySet<string>;
  private readonly unavailableVoices: ReadonlySet<string>;

  /** @throws {TypeError} when the seed is not valid API data; the message names the field. */
  constructor(seed: readonly SeedConnector[], rules: StoreRules = {}) {
    const index = specIndex();
    if (!Array.isArray(seed))
      throw seedError("connectors", `must be an array, got ${describeType(seed)}`);
    seed.forEach((raw: unknown, i) => {
      const at = `connectors[${i}]`;
      // Seeds also come from JSON files (the CLI), so the declared type is not a
      // guarantee: every value below is checked before it is trusted.
      if (!isPlainObject(raw)) throw seedError(at, `must be an object, got ${describeType(raw)}`);
      const { agentId: agentOverride, phoneNumbers = [], ...rest } = raw as SeedConnector;
      for (const key of Object.keys(rest)) {
        if (!index.connectorFields.includes(key)) throw seedError(`${at}.${key}`, "unknown field");
      }
      const problem = index.connector(rest);
      if (problem)
        throw seedError(
          problem.field === "connector" ? at : `${at}.${problem.field}`,
          problem.message,
        );
      const connector = structuredClone(rest) as Connector;
      // The real API derives ttsLangCode from voiceName, so a seed where they
      // disagree describes a state the mock could not have reached: a test mistake.
      let derived: string;
      try {
        derived = ttsLangCodeFromVoice(connector.voiceName);
      } catch (err) {
        throw seedError(`${at}.voiceName`, (err as InvalidInputError).reason);
      }
      if (derived !== connector.ttsLangCode)
        throw seedError(
          `${at}.ttsLangCode`,
          `is ${JSON.stringify(connector.ttsLangCode)}, but the server derives ${JSON.stringify(derived)} from voiceName ${JSON.stringify(connector.voiceName)}`,
        );
      const agentId = agentOverride ?? connector.projectId;
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
      if (!Array.isArray(phoneNumbers)) throw seedError(`${at}.phoneNumbers`, "must be an array");
      phoneNumbers.forEach((number, j) => {
        checkSeed(index.phoneNumber, number, `${at}.phoneNumbers[${j}]`);
        if (this.numbers.has(number))
          throw seedError(
            `${at}.phoneNumbers[${j}]`,
            `${number} is already routed to another connector`,
          );
        this.numbers.set(number, { agentId, connectorId: connector.connectorId });
      });
    });
    const seededProjects = seed.map((c) => c.projectId);
    this.allowedProjects = new Set(rules.allowedProjects ?? seededProjects);
    this.unavailableVoices = new Set(rules.unavailableVoices ?? []);
  }

  /** Every connector of every agent, as deep copies, in seed order. */
  all(): Connector[] {
    return [...this.agents.values()]
      .flatMap((agent) => [...agent.values()])
      .map((c) => structuredClone(c));
  }

  /** The agent's connectors; an agent the store does not know has none. */
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
    const current = this.find(agentId, connectorId);
    if (patch.projectId !== undefined && patch.projectId !== current.projectId) {
      for (const project of [current.projectId, patch.projectId]) {
        if (!this.allowedProjects.has(project)) {
          throw new ApiFault(
            403,
            "USER_ACCESS_FORBIDDEN",
            `The API key has no access to project ${project}`,
          );
        }
      }
    }
    if (patch.voiceName !== undefined) {
      const why = probeVoice(patch.voiceName, this.unavailableVoices);
      if (why) throw new ApiFault(400, VALIDATION, `voiceName: ${why}`);
    }
    let next: Connector;
    try {
      next = applyConnectorPatch(current, patch);
    } catch (err) {
      // The request passed the spec's schema, so this is the SDK's stricter check
      // speaking; answer as the server would rather than crash the mock.
      if (err instanceof InvalidInputError)
        throw new ApiFault(400, VALIDATION, `${err.field.replace(/^patch\./, "")}: ${err.reason}`);
      throw err;
    }
    this.agents.get(agentId)?.set(connectorId, next);
    return structuredClone(next);
  }

  /**
   * Removes the connector and releases every number routed to it.
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
      try {
        return { connectorId, success: true, data: this.update(agentId, connectorId, patch) };
      } catch (err) {
        if (err instanceof ApiFault) return { connectorId, success: false, error: err.message };
        throw err;
      }
    });
  }

  /** @throws {ApiFault} 404 PHONE_NUMBERS_NOT_FOUND when no connector of the agent answers `phoneNumber`. */
  lookup(agentId: string, phoneNumber: string): Connector {
    const owner = this.numbers.get(phoneNumber);
    const connector =
      owner?.agentId === agentId ? this.agents.get(agentId)?.get(owner.connectorId) : undefined;
    if (!connector)
      throw new ApiFault(404, "PHONE_NUMBERS_NOT_FOUND", `Phone number ${phoneNumber} not found`);
    return structuredClone(connector);
  }

  private find(agentId: string, connectorId: string): Connector {
    const connector = this.agents.get(agentId)?.get(connectorId);
    if (!connector)
      throw new ApiFault(404, "CONNECTORS_NOT_FOUND", `Connector ${connectorId} not found`);
    return connector;
  }
}
