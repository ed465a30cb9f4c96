// plan(): validate, read, diff. Writes nothing. And checkPlan(): the proof that a
// plan (perhaps read back from a file) is one plan() made, before apply trusts it.
import { InvalidInputError, type ClientEnv, type PolyAIClient } from "../index.js";
import { describeType, isPlainObject } from "../internal/validate.js";
import { clientEnvOption } from "./client-env.js";
import { checkTargets, scopeTo } from "./target.js";
import { planWarnings } from "./warnings.js";
import { collectDesiredState, validateDesiredState } from "./desired.js";
import { Problems } from "./problems.js";
import { diff, fingerprint, type ConnectorState, type NumberState, type Snapshot } from "./diff.js";
import { InvalidPlanError, UnknownConnectorError } from "./errors.js";
import { DEFAULT_READ_CHUNK, readLive } from "./live.js";
import {
  MANAGED_FIELDS,
  type CheckedDesiredState,
  type ConnectorChange,
  type DesiredConnector,
  type PhoneNumberChange,
  type Plan,
  type PlanOptions,
  type PlanTargets,
  type PlanWarning,
} from "./types.js";
import { hash64 } from "./hash.js";
import { canonical, checkOptionKeys, intOption, type Limit } from "./util.js";

/** The `kind` of every plan. */
export const PLAN_KIND = "polyai-connectors/plan";

/** @internal Checks the options every read takes. */
export function readOptions(
  options: unknown,
  extra: readonly string[] = [],
): {
  signal: AbortSignal | undefined;
  readChunkSize: number;
  raw: Record<string, unknown>;
} {
  const raw = checkOptionKeys(options, ["signal", "readChunkSize", ...extra]);
  return {
    signal: raw["signal"] as AbortSignal | undefined,
    readChunkSize: intOption(raw["readChunkSize"], "options.readChunkSize", {
      min: 1,
      max: 10_000,
      fallback: DEFAULT_READ_CHUNK,
    }),
    raw,
  };
}

/**
 * What it takes to bring the agent to `desired`: reads the live state (batch reads
 * of the connectors and numbers it names; the connector list when it names none,
 * so a wrong agent ID fails), writes nothing, and returns the changes
 * as plain JSON. Only what differs is listed: a connector patch holds only the
 * fields that differ; a number is imported when the project does not have it and
 * reassigned when it routes elsewhere.
 *
 * @example
 * const p = await plan(poly, JSON.parse(await readFile("phone-lines.json", "utf8")));
 * console.log(renderPlan(p));
 * @throws {InvalidInputError} before any request, naming the path (`connectors.CONN-main.voiceName`).
 * @throws {UnknownConnectorError} when the agent has no connector the desired state names.
 * @throws {APIError} and the SDK's other errors when a read fails (after the client's retries).
 */
export async function plan(
  poly: PolyAIClient,
  desired: unknown,
  options: PlanOptions = {},
): Promise<Plan> {
  return planWithin(poly, desired, options);
}

/**
 * @internal {@link plan} with its reads under `limit`: #19, `apply desired.json
 * --concurrency N` bounds every request of the run, the planning reads included.
 */
export async function planWithin(
  poly: PolyAIClient,
  desired: unknown,
  options: PlanOptions = {},
  limit?: Limit,
): Promise<Plan> {
  const checked = validateDesiredState(desired);
  const opts = readOptions(options, ["targets", "clientEnv"]);
  const clientEnv = clientEnvOption(opts.raw["clientEnv"], "options.clientEnv");
  const rawTargets = opts.raw["targets"];
  // #22: a targeted plan reads, plans and records only the targeted entries.
  const targets = rawTargets === undefined ? undefined : checkTargets(checked, rawTargets);
  const scoped = targets ? scopeTo(checked, targets) : checked;
  const snapshot = await readLive(poly, scoped, opts, limit);
  return planFrom(scoped, snapshot, { targets, clientEnv });
}

/** @internal The plan of `desired` against a snapshot; throws when connectors are missing. */
export function planFrom(
  desired: CheckedDesiredState,
  snapshot: Snapshot,
  scope: { targets?: PlanTargets | undefined; clientEnv?: ClientEnv | undefined } = {},
): Plan {
  const changes = diff(desired, snapshot);
  if (changes.missing.size > 0) throw new UnknownConnectorError(desired.agentId, changes.missing);
  const { targets, clientEnv } = scope;
  return sealed({
    kind: PLAN_KIND,
    version: 1,
    agentId: desired.agentId,
    fingerprint: fingerprint(snapshot),
    connectors: changes.connectors,
    phoneNumbers: changes.phoneNumbers,
    desired,
    warnings: planWarnings(changes, snapshot, clientEnv),
    ...(targets ? { targets } : {}),
    ...(clientEnv ? { clientEnv } : {}),
  });
}

/**
 * #19: the digest of a plan's whole content but the digest: its canonical JSON
 * (keys sorted), so the same plan saved in any key order or spacing has the same
 * digest and any edit (a change, the desired state, the fingerprint, the agent) has
 * another. It detects edits, not an attacker (see hash.ts).
 */
function digestOf(plan: Record<string, unknown>): string {
  return `pd1:${hash64(canonical({ ...plan, digest: undefined }))}`;
}

/** The plan with its digest, after the fingerprint. */
function sealed(plan: Omit<Plan, "digest">): Plan {
  const { kind, version, agentId, fingerprint: print, ...changes } = plan;
  const digest = digestOf(plan as unknown as Record<string, unknown>);
  return { kind, version, agentId, fingerprint: print, digest, ...changes };
}

/** How many changes a plan lists. */
export function countChanges(plan: Pick<Plan, "connectors" | "phoneNumbers">): number {
  return plan.connectors.length + plan.phoneNumbers.length;
}

// --- checking a plan -------------------------------------------------------------

function fail(field: string, reason: string): never {
  throw new InvalidPlanError(field, reason);
}

function objectAt(
  value: unknown,
  field: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (!isPlainObject(value)) fail(field, `expected an object, got ${describeType(value)}`);
  for (const key of Object.keys(value))
    if (!keys.includes(key) && !optional.includes(key))
      fail(`${field}.${key}`, "is not part of a plan");
  for (const key of keys) if (!(key in value)) fail(`${field}.${key}`, "is missing");
  return value;
}

function stringAt(value: unknown, field: string, nullable = false): string | null {
  if (typeof value === "string" || (nullable && value === null)) return value;
  return fail(field, `expected a string${nullable ? " or null" : ""}, got ${describeType(value)}`);
}

function fieldsAt(value: unknown, field: string): DesiredConnector {
  if (!isPlainObject(value)) fail(field, `expected an object, got ${describeType(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (!(MANAGED_FIELDS as readonly string[]).includes(key))
      fail(`${field}.${key}`, "is not a managed connector field");
    stringAt(v, `${field}.${key}`, true);
  }
  return value as DesiredConnector;
}

/** Fails unless `got` lists exactly the changes of `want`, each once, in any order. */
function compare<T>(kind: string, got: readonly T[], want: readonly T[], id: (c: T) => string) {
  const wanted = new Map(want.map((c) => [id(c), canonical(c)]));
  got.forEach((change, i) => {
    const expected = wanted.get(id(change));
    if (expected !== canonical(change))
      fail(
        `${kind}[${i}]`,
        `does not follow from the plan's desired state (expected ${expected ?? "no change here"}); the plan was edited: make a new one`,
      );
    wanted.delete(id(change));
  });
  for (const missing of wanted.values())
    fail(
      kind,
      `lacks a change the plan's desired state implies (${missing}); the plan was edited: make a new one`,
    );
}

/** The parts of a plan added by #22: each absent in older plans. */
function planExtras(
  top: Record<string, unknown>,
  desired: CheckedDesiredState,
): Pick<Plan, "warnings" | "targets" | "clientEnv"> {
  const out: Pick<Plan, "warnings" | "targets" | "clientEnv"> = {};
  const warnings = top["warnings"];
  if (warnings !== undefined) {
    if (!Array.isArray(warnings))
      fail("warnings", `expected an array, got ${describeType(warnings)}`);
    out.warnings = warnings.map((w, i) => {
      const o = objectAt(w, `warnings[${i}]`, ["path", "code", "message"]);
      for (const key of ["path", "code", "message"]) stringAt(o[key], `warnings[${i}].${key}`);
      return o as unknown as PlanWarning;
    });
  }
  if (top["targets"] !== undefined) {
    const o = objectAt(top["targets"], "targets", ["connectors", "phoneNumbers"]);
    // A targeted plan's desired state holds exactly its targets.
    for (const kind of ["connectors", "phoneNumbers"] as const) {
      const list = o[kind];
      if (!Array.isArray(list) || canonical(list) !== canonical(Object.keys(desired[kind])))
        fail(
          `targets.${kind}`,
          `does not list the entries of desired.${kind}; the plan was edited`,
        );
    }
    out.targets = o as unknown as PlanTargets;
  }
  if (top["clientEnv"] !== undefined) {
    try {
      out.clientEnv = clientEnvOption(top["clientEnv"], "clientEnv") as ClientEnv;
    } catch (e) {
      if (e instanceof InvalidInputError) fail(e.field, e.reason);
      throw e;
    }
  }
  return out;
}

/**
 * Checks that `value` is a plan {@link plan} made: its shape, its desired state,
 * and that its changes and fingerprint follow from them. Returns the desired state
 * and the live values the plan was made against.
 * @throws {InvalidPlanError} naming the path in the plan (`connectors[2].patch`).
 * @internal
 */
export function checkPlan(value: unknown): { plan: Plan; planned: Snapshot } {
  if (!isPlainObject(value))
    fail("plan", `expected a plan object (from plan()), got ${describeType(value)}`);
  if (value["kind"] !== PLAN_KIND)
    fail("kind", `expected ${JSON.stringify(PLAN_KIND)}: this is not a plan made by plan()`);
  if (value["version"] !== 1)
    fail("version", `expected 1, got ${JSON.stringify(value["version"]) ?? "nothing"}`);
  const top = objectAt(
    value,
    "plan",
    [
      "kind",
      "version",
      "agentId",
      "fingerprint",
      "digest",
      "connectors",
      "phoneNumbers",
      "desired",
    ],
    ["warnings", "targets", "clientEnv"],
  );
  const problems = new Problems();
  const desired = collectDesiredState(top["desired"], "desired.", problems);
  const first = problems.listed[0];
  if (first) fail(first.path, first.message);
  if (top["agentId"] !== desired.agentId)
    fail("agentId", `expected ${JSON.stringify(desired.agentId)}, the agent of desired.agentId`);
  const print = stringAt(top["fingerprint"], "fingerprint") as string;
  const extras = planExtras(top, desired);
  const digest = stringAt(top["digest"], "digest") as string;

  const rawConnectors = top["connectors"];
  if (!Array.isArray(rawConnectors))
    fail("connectors", `expected an array, got ${describeType(rawConnectors)}`);
  const connectorChanges = rawConnectors.map((item, i): ConnectorChange => {
    const at = `connectors[${i}]`;
    const o = objectAt(item, at, ["connectorId", "patch", "from"]);
    const connectorId = stringAt(o["connectorId"], `${at}.connectorId`) as string;
    if (!Object.hasOwn(desired.connectors, connectorId))
      fail(`${at}.connectorId`, `${JSON.stringify(connectorId)} is not in desired.connectors`);
    return {
      connectorId,
      patch: fieldsAt(o["patch"], `${at}.patch`),
      from: fieldsAt(o["from"], `${at}.from`),
    };
  });
  const rawNumbers = top["phoneNumbers"];
  if (!Array.isArray(rawNumbers))
    fail("phoneNumbers", `expected an array, got ${describeType(rawNumbers)}`);
  const numberChanges = rawNumbers.map((item, i): PhoneNumberChange => {
    const at = `phoneNumbers[${i}]`;
    const o = objectAt(item, at, ["number", "action", "from", "to"]);
    const number = stringAt(o["number"], `${at}.number`) as string;
    if (!Object.hasOwn(desired.phoneNumbers, number))
      fail(`${at}.number`, `${JSON.stringify(number)} is not in desired.phoneNumbers`);
    const action = o["action"];
    if (action !== "import" && action !== "reassign")
      fail(`${at}.action`, `expected "import" or "reassign", got ${JSON.stringify(action)}`);
    return {
      number,
      action,
      from: stringAt(o["from"], `${at}.from`, true),
      to: stringAt(o["to"], `${at}.to`) as string,
    };
  });

  // The live values the plan claims it saw: `from` where it lists a change, the
  // desired value where it lists none.
  const byConnector = new Map(connectorChanges.map((c) => [c.connectorId, c]));
  const byNumber = new Map(numberChanges.map((c) => [c.number, c]));
  const connectors = new Map<string, ConnectorState>();
  for (const id of [...Object.keys(desired.connectors), ...Object.values(desired.phoneNumbers)]) {
    if (connectors.has(id)) continue;
    const change = byConnector.get(id);
    const fields: DesiredConnector = { ...desired.connectors[id] };
    for (const field of MANAGED_FIELDS)
      if (change && field in change.patch)
        (fields as Record<string, unknown>)[field] = change.from[field];
    connectors.set(id, { exists: true, fields });
  }
  const numbers = new Map<string, NumberState>();
  for (const [number, to] of Object.entries(desired.phoneNumbers)) {
    const change = byNumber.get(number);
    numbers.set(
      number,
      change?.action === "import"
        ? { inProject: false, route: null }
        : { inProject: true, route: change ? change.from : to },
    );
  }
  const planned: Snapshot = { agentId: desired.agentId, connectors, numbers };

  // Re-derive: a plan whose changes were edited no longer matches its own diff.
  // Matched by connector or number, not position: a plan saved with the desired
  // state's keys in another order lists the same changes in another order (#19).
  const expected = diff(desired, planned);
  compare("connectors", connectorChanges, expected.connectors, (c) => c.connectorId);
  compare("phoneNumbers", numberChanges, expected.phoneNumbers, (c) => c.number);
  if (fingerprint(planned) !== print)
    fail(
      "fingerprint",
      "does not match the live values the plan's changes were computed from; the plan was edited: make a new one",
    );
  // #19: the changes and the fingerprint can agree with an edited desired state (a
  // number sent to another connector the plan already names): the digest covers it all.
  if (digestOf(top) !== digest)
    fail(
      "digest",
      "does not match the plan's content: the plan was edited after plan() made it; make a new one",
    );
  return {
    plan: {
      kind: PLAN_KIND,
      version: 1,
      agentId: desired.agentId,
      fingerprint: print,
      digest,
      connectors: connectorChanges,
      phoneNumbers: numberChanges,
      desired,
      ...extras,
    },
    planned,
  };
}
