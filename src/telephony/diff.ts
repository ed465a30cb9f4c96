// The pure core: the live values a desired state depends on (a snapshot), the
// changes that take them to the desired state (diff), and the fingerprint of a
// snapshot. plan() is read + diff + fingerprint; apply() re-reads and compares
// fingerprints before it writes.
import type { Connector, PhoneNumber } from "../index.js";
import { referencedConnectors } from "./desired.js";
import type { StaleValue } from "./errors.js";
import { hash64 } from "./hash.js";
import {
  MANAGED_FIELDS,
  type CheckedDesiredState,
  type ConnectorChange,
  type DesiredConnector,
  type PhoneNumberChange,
} from "./types.js";

/** A connector as far as the desired state names it: whether it exists, and its named fields. */
export interface ConnectorState {
  readonly exists: boolean;
  /** Only the fields the desired state names; `variantId` `""` read as null. */
  readonly fields: DesiredConnector;
}

/** A phone number as far as the desired state names it. */
export interface NumberState {
  readonly inProject: boolean;
  /** The connector it routes to; null when it routes nowhere (or is not in the project). */
  readonly route: string | null;
}

/**
 * Every live value a plan of `desired` depends on: each connector it refers to
 * (named, or the target of a number) with the fields it names, and each number it
 * names. Nothing else: a change elsewhere cannot make a plan stale.
 */
export interface Snapshot {
  readonly agentId: string;
  readonly connectors: ReadonlyMap<string, ConnectorState>;
  readonly numbers: ReadonlyMap<string, NumberState>;
  /**
   * #22: the live objects read, for warnings and for the clientEnv of imports; not
   * part of the fingerprint (a plan's warnings are in its digest instead). Absent
   * in the snapshot a saved plan claims.
   */
  readonly found?: {
    readonly connectors: ReadonlyMap<string, Connector>;
    readonly numbers: ReadonlyMap<string, PhoneNumber>;
  };
}

/** The managed value of a live connector's field, as a desired state writes it. */
export function liveValue(connector: Connector, field: keyof DesiredConnector): string | null {
  if (field === "variantId") return connector.variantId === "" ? null : connector.variantId;
  return connector[field];
}

/** The snapshot of `desired` from what the batch reads found (missing ones are absent). */
export function snapshotFromLive(
  desired: CheckedDesiredState,
  connectors: readonly Connector[],
  numbers: readonly PhoneNumber[],
): Snapshot {
  const foundConnectors = new Map(connectors.map((c) => [c.connectorId, c]));
  const foundNumbers = new Map(numbers.map((n) => [n.number, n]));
  const connectorStates = new Map<string, ConnectorState>();
  for (const id of referencedConnectors(desired).keys()) {
    const live = foundConnectors.get(id);
    const fields: DesiredConnector = {};
    const named = desired.connectors[id] ?? {};
    if (live) {
      for (const field of MANAGED_FIELDS)
        if (field in named) (fields as Record<string, unknown>)[field] = liveValue(live, field);
    }
    connectorStates.set(id, { exists: live !== undefined, fields });
  }
  const numberStates = new Map<string, NumberState>();
  for (const number of Object.keys(desired.phoneNumbers)) {
    const live = foundNumbers.get(number);
    numberStates.set(number, {
      inProject: live !== undefined,
      route: live?.connectorId ?? null,
    });
  }
  return {
    agentId: desired.agentId,
    connectors: connectorStates,
    numbers: numberStates,
    found: { connectors: foundConnectors, numbers: foundNumbers },
  };
}

/** The changes that take `snapshot` to `desired`, and the connectors that are missing. */
export function diff(
  desired: CheckedDesiredState,
  snapshot: Snapshot,
): {
  connectors: ConnectorChange[];
  phoneNumbers: PhoneNumberChange[];
  /** Missing connector → the paths that name it. */
  missing: Map<string, string[]>;
} {
  const missing = new Map<string, string[]>();
  for (const [id, paths] of referencedConnectors(desired)) {
    if (!snapshot.connectors.get(id)?.exists) missing.set(id, paths);
  }
  const connectors: ConnectorChange[] = [];
  for (const [connectorId, want] of Object.entries(desired.connectors)) {
    const state = snapshot.connectors.get(connectorId);
    if (!state?.exists) continue;
    const patch: DesiredConnector = {};
    const from: DesiredConnector = {};
    for (const field of MANAGED_FIELDS) {
      if (!(field in want)) continue;
      const live = state.fields[field];
      if (live !== want[field]) {
        (patch as Record<string, unknown>)[field] = want[field];
        (from as Record<string, unknown>)[field] = live;
      }
    }
    if (Object.keys(patch).length > 0) connectors.push({ connectorId, patch, from });
  }
  const phoneNumbers: PhoneNumberChange[] = [];
  for (const [number, to] of Object.entries(desired.phoneNumbers)) {
    if (missing.has(to)) continue;
    const state = snapshot.numbers.get(number);
    if (!state?.inProject) phoneNumbers.push({ number, action: "import", from: null, to });
    else if (state.route !== to)
      phoneNumbers.push({ number, action: "reassign", from: state.route, to });
  }
  return { connectors, phoneNumbers, missing };
}

/** A stable hash of a snapshot: equal snapshots, equal fingerprints, whatever the order read. */
export function fingerprint(snapshot: Snapshot): string {
  const rows: unknown[] = [snapshot.agentId];
  for (const id of [...snapshot.connectors.keys()].sort()) {
    const state = snapshot.connectors.get(id) as ConnectorState;
    const fields = MANAGED_FIELDS.filter((f) => f in state.fields).map((f) => [f, state.fields[f]]);
    rows.push(["c", id, state.exists, fields]);
  }
  for (const number of [...snapshot.numbers.keys()].sort()) {
    const state = snapshot.numbers.get(number) as NumberState;
    rows.push(["n", number, state.inProject, state.route]);
  }
  return `fp1:${hash64(JSON.stringify(rows))}`;
}

function showNumber(state: NumberState | undefined): string {
  if (!state?.inProject) return "not in the project";
  return state.route === null ? "routed nowhere" : `routed to ${JSON.stringify(state.route)}`;
}

/** Every value that differs between two snapshots of the same desired state, as paths. */
export function differences(was: Snapshot, now: Snapshot): StaleValue[] {
  const out: StaleValue[] = [];
  for (const [id, before] of was.connectors) {
    const after = now.connectors.get(id);
    const path = `connectors.${id}`;
    if (before.exists !== (after?.exists ?? false)) {
      out.push({
        path,
        was: before.exists ? "exists" : "missing",
        now: after?.exists ? "exists" : "missing",
      });
      continue;
    }
    for (const field of MANAGED_FIELDS) {
      if (!(field in before.fields)) continue;
      const a = before.fields[field];
      const b = after?.fields[field];
      if (a !== b)
        out.push({ path: `${path}.${field}`, was: JSON.stringify(a), now: JSON.stringify(b) });
    }
  }
  for (const [number, before] of was.numbers) {
    const after = now.numbers.get(number);
    if (before.inProject !== after?.inProject || before.route !== after.route)
      out.push({
        path: `phoneNumbers.${number}`,
        was: showNumber(before),
        now: showNumber(after),
      });
  }
  return out;
}
