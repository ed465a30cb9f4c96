// The shapes of "phone lines as code": the desired state a user writes, the plan
// computed from it (plain JSON, so it can be saved and applied later), and what an
// apply reports. Only types here.
import type { ClientEnv } from "../index.js";

/** The connector fields a desired state manages: the ones a user sets in Agent Studio. */
export type ManagedField = "voiceName" | "asrLangCode" | "variantId";

/** The managed fields of a list, in the order they are checked, diffed and shown. */
export const MANAGED_FIELDS: readonly ManagedField[] = ["voiceName", "asrLangCode", "variantId"];

/**
 * The settings of one connector. A field left out is left alone; `variantId: null`
 * means "no variant" (the API reads it back as `""`). `ttsLangCode` is not here: the
 * server derives it from `voiceName`.
 */
export interface DesiredConnector {
  /** The Google TTS voice (`en-GB-Neural2-A`); the server derives `ttsLangCode` from it. */
  voiceName?: string;
  /** The speech recognition language, BCP 47 (`en-GB`). */
  asrLangCode?: string;
  /** The Agent Studio variant; null for none (read back as `""`). */
  variantId?: string | null;
}

/**
 * What an agent's phone lines should look like. Only what is named is managed:
 * connectors and numbers left out, and connector fields left out, are never
 * changed. Connectors are never created or deleted; a number the project does not
 * have is imported, then routed.
 *
 * @example
 * const desired: DesiredState = {
 *   agentId: "PROJECT-58RP822I",
 *   connectors: {
 *     "CONN-main": { voiceName: "en-GB-Neural2-A", variantId: null },
 *     "CONN-support": { asrLangCode: "en-GB" },
 *   },
 *   phoneNumbers: { "+442079460000": "CONN-support", "+442079460009": "CONN-main" },
 * };
 */
export interface DesiredState {
  /** Optional, for editors: the JSON Schema of this file. Ignored. */
  $schema?: string;
  /** The agent (the Agent Studio project ID). */
  agentId: string;
  /** Connector ID → the settings it should have. */
  connectors?: Record<string, DesiredConnector>;
  /** E.164 number → the ID of the connector it should route to. */
  phoneNumbers?: Record<string, string>;
}

/** A desired state after validation: both maps present, `$schema` dropped. */
export interface CheckedDesiredState {
  /** The agent (the Agent Studio project ID). */
  agentId: string;
  /** Connector ID → the settings it should have; `{}` when the file names none. */
  connectors: Record<string, DesiredConnector>;
  /** E.164 number → the ID of the connector it should route to; `{}` when the file names none. */
  phoneNumbers: Record<string, string>;
}

/** An update of one connector: only the fields that differ from the live connector. */
export interface ConnectorChange {
  /** The connector to update. */
  connectorId: string;
  /** What is sent: each field that differs, with its desired value. */
  patch: DesiredConnector;
  /** The live value of each field of `patch` when the plan was made (`variantId` `""` as null). */
  from: DesiredConnector;
}

/** A change of one phone number. */
export interface PhoneNumberChange {
  /** The number, E.164. */
  number: string;
  /** `import`: the project does not have it; it is imported, then routed. `reassign`: routed elsewhere. */
  action: "import" | "reassign";
  /** The connector it routes to now; null when it routes nowhere or is not in the project. */
  from: string | null;
  /** The connector it will route to. */
  to: string;
}

/**
 * What {@link plan} found to change, as plain JSON: save it with
 * `JSON.stringify`, review it, apply it later. `fingerprint` identifies the live
 * state the plan was computed from; {@link apply} refuses the plan when that state
 * changed, and `digest` its content; {@link apply} refuses an edited plan.
 */
export interface Plan {
  /** Marks the JSON as a plan, so a desired state passed to apply by mistake is refused. */
  kind: "polyai-connectors/plan";
  /** The plan format's version. */
  version: 1;
  /** The agent the plan is for. */
  agentId: string;
  /** A hash of every live value the plan depends on (see README: "Stale plans"). */
  fingerprint: string;
  /**
   * A hash of the plan's whole content but itself, in canonical JSON (keys sorted):
   * {@link apply} refuses a plan whose content was edited (`PLAN_INVALID`), while the
   * same plan saved in any key order or spacing applies.
   */
  digest: string;
  /** Connector updates, in the desired state's order. */
  connectors: ConnectorChange[];
  /** Imports and reassignments, in the desired state's order. */
  phoneNumbers: PhoneNumberChange[];
  /** The desired state the plan was made for (validated; `$schema` dropped). */
  desired: CheckedDesiredState;
  /**
   * #22: what applying may break although it is what the file says: a number onto
   * a connector of another `clientEnv`, a voice in another language than the
   * recognition, an import into another environment than its connector's. Shown
   * before apply asks; covered by `digest`. Absent in plans made before 22: none.
   */
  warnings?: PlanWarning[];
  /**
   * #22: the entries of the desired state the plan is limited to (`plan(…, { targets })`,
   * the CLI's `--target`); absent when the plan covers the whole file.
   */
  targets?: PlanTargets;
  /**
   * #22: the environment the plan's imports serve, when one was chosen
   * (`plan(…, { clientEnv })`, `--client-env`); absent: each number is imported
   * into its connector's `clientEnv`.
   */
  clientEnv?: ClientEnv;
}

/** #22: something a plan would do that may break a phone line; the plan warns, it does not refuse. */
export interface PlanWarning {
  /** Where, as a path into the desired state: `phoneNumbers.+442079460000`, `connectors.CONN-main.voiceName`. */
  path: string;
  /**
   * Stable, to branch on: `NUMBER_CLIENT_ENV_MISMATCH` (a number routed to a connector
   * of another clientEnv than the number's), `VOICE_LANGUAGE_MISMATCH` (a voice whose
   * language is not the connector's asrLangCode's), `IMPORT_CLIENT_ENV_MISMATCH` (an
   * import into another clientEnv than its connector's).
   */
  code: "NUMBER_CLIENT_ENV_MISMATCH" | "VOICE_LANGUAGE_MISMATCH" | "IMPORT_CLIENT_ENV_MISMATCH";
  /** What would happen, for people. */
  message: string;
}

/** #22: the entries of a desired state a plan is limited to, like Terraform's `-target`. */
export interface PlanTargets {
  /** Connector IDs: their settings are planned (not the numbers routed to them). */
  connectors: string[];
  /** E.164 numbers: their routes (and imports) are planned. */
  phoneNumbers: string[];
}

/** Options of {@link plan} and {@link exportState}. */
export interface ReadOptions {
  /** Cancels the reads. */
  signal?: AbortSignal | undefined;
  /** IDs or numbers per batch read (`batchGet`). Default 500. */
  readChunkSize?: number | undefined;
}

/** Options of {@link plan}. */
export interface PlanOptions extends ReadOptions {
  /**
   * #22: limit the plan to these entries of the desired state (each must be in it);
   * nothing else is read, planned or applied.
   */
  targets?: Partial<PlanTargets> | undefined;
  /**
   * #22: the environment imports will serve. Default: each number is imported into
   * the `clientEnv` of the connector it is routed to. Recorded in the plan.
   */
  clientEnv?: ClientEnv | undefined;
}

/** Options of {@link renderPlan}. */
export interface RenderPlanOptions {
  /** #22: list every number of every group, one per line, not only the first 3. Default false. */
  full?: boolean | undefined;
}

/** A live value {@link exportState} left out because a desired state cannot hold it. */
export interface OmittedValue {
  /** Where it would have been: `connectors.CONN-main.asrLangCode`, `phoneNumbers.+442079460000`. */
  readonly path: string;
  /** The live value (for a number, the connector it routes to). */
  readonly value: unknown;
  /** Why a desired state cannot hold it: the validator's words. */
  readonly reason: string;
}

/** Options of {@link exportState}. */
export interface ExportOptions extends ReadOptions {
  /** Told of each value left out of the export, in the order of the export. */
  onOmit?: ((omitted: OmittedValue) => void) | undefined;
}

/** Progress of an apply, after each change settles. */
export interface ApplyProgress {
  /** Changes settled (applied or failed) so far. */
  readonly done: number;
  /** Changes in the plan. */
  readonly total: number;
  /** The change that just settled. */
  readonly result: ChangeResult;
}

/** Options of {@link apply}. */
export interface ApplyOptions extends ReadOptions {
  /** Connector updates per `batchUpdate` request, and numbers per import request. Default 100. */
  chunkSize?: number | undefined;
  /** Requests in flight at once (reassignments, batches). Default 8. */
  concurrency?: number | undefined;
  /**
   * The environment imported numbers serve: the plan's (`plan(…, { clientEnv })`), else
   * each number's connector's. #22: any other is refused (`InvalidInputError`), a
   * plan made without one included: its warnings were not about it.
   */
  clientEnv?: ClientEnv | undefined;
  /** Called after each change settles; a throwing callback is ignored. */
  onProgress?: ((progress: ApplyProgress) => void) | undefined;
}

type Outcome =
  | {
      /** `applied`: the server accepted the change. */
      status: "applied";
    }
  | {
      /** `failed`: the change was not made (as far as the client knows: see `recovered`). */
      status: "failed";
      /** The typed error: an API error, a `ChangeRejectedError`, … */
      error: Error;
    };

/** What happened to one connector update. */
export type ConnectorResult = {
  /** Tells a connector's result from a number's. */
  kind: "connector";
  /** The connector updated. */
  connectorId: string;
  /** The change of the plan this is the result of. */
  change: ConnectorChange;
} & Outcome;

/** What happened to one phone-number change. */
export type PhoneNumberResult = {
  /** Tells a number's result from a connector's. */
  kind: "phoneNumber";
  /** The number imported or reassigned. */
  number: string;
  /** The change of the plan this is the result of. */
  change: PhoneNumberChange;
} & Outcome;

/** What happened to one change of the plan: applied, or failed with a typed error. */
export type ChangeResult = ConnectorResult | PhoneNumberResult;

/** What {@link apply} did. */
export interface ApplyResult {
  /** The agent the plan was applied to. */
  agentId: string;
  /**
   * Every change of the plan is in effect, as read back after the writes: each was
   * applied, or failed but is in effect anyway (`recovered`). False when the
   * read-back failed.
   */
  ok: boolean;
  /** One result per change of the plan: connectors first, then numbers, in plan order. */
  results: ChangeResult[];
  /** How many results are `applied`. */
  applied: number;
  /** How many results are `failed`. */
  failed: number;
  /**
   * Changes reported applied that the read-back after the writes does not show
   * (another writer changed them again, or the server did not keep them).
   */
  notTaken: ChangeResult[];
  /**
   * Changes reported failed that the read-back shows in effect: a write the server
   * applied whose answer was lost (a timeout, a dropped connection, a 5xx after
   * the fact). Their `error` is what the client saw.
   */
  recovered: ChangeResult[];
  /** The read-back after the writes failed: `notTaken` could not be checked. */
  verifyError?: Error;
}
