// The errors of plan and apply. Each has a stable `code` to branch on, and a
// message that names the path in the desired state or plan (`connectors.CONN-main`),
// so the CLI can prefix it with the file name and be done.
import { PolyAIError } from "../index.js";

/** One live value a plan depended on that is different now. */
export interface StaleValue {
  /** Where, as a path into the desired state: `connectors.CONN-main.voiceName`, `phoneNumbers.+442079460000`. */
  readonly path: string;
  /** The value when the plan was made, as shown in messages (JSON for values). */
  readonly was: string;
  /** The value now. */
  readonly now: string;
}

/**
 * The live state changed since the plan was made: applying it now could write
 * over someone else's change. Nothing was written. Make a new plan.
 */
export class PlanStaleError extends PolyAIError {
  override name = "PlanStaleError";
  /** Stable, to branch on (the CLI's `--json` shows it too). */
  readonly code = "PLAN_STALE" as const;
  /** What changed: every value the plan depended on that differs now. */
  readonly changed: readonly StaleValue[];
  constructor(changed: readonly StaleValue[]) {
    const shown = changed.slice(0, 5).map((c) => `${c.path}: ${c.was} → ${c.now}`);
    if (changed.length > 5) shown.push(`and ${changed.length - 5} more`);
    super(
      `the plan is stale: ${changed.length === 1 ? "a value it depends on has" : `${changed.length} values it depends on have`} changed since it was made (${shown.join("; ")}); nothing was written, make a new plan`,
    );
    this.changed = changed;
  }
}

/**
 * A plan that is not one {@link plan} made: its changes do not follow from its
 * desired state and fingerprint (edited by hand, truncated, another version).
 * Nothing was written.
 */
export class InvalidPlanError extends PolyAIError {
  override name = "InvalidPlanError";
  /** Stable, to branch on (the CLI's `--json` shows it too). */
  readonly code = "PLAN_INVALID" as const;
  /** The offending part of the plan, as a path (`connectors[2].patch`). */
  readonly field: string;
  /** Why, without the path. */
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/**
 * The desired state names connectors the agent does not have. Connectors are never
 * created or deleted by a plan: create it in Agent Studio, or fix the ID.
 */
export class UnknownConnectorError extends PolyAIError {
  override name = "UnknownConnectorError";
  /** Stable, to branch on (the CLI's `--json` shows it too). */
  readonly code = "UNKNOWN_CONNECTOR" as const;
  /** The first path that names a missing connector (`connectors.CONN-x`, `phoneNumbers.+44…`). */
  readonly field: string;
  /** Every missing connector ID. */
  readonly connectorIds: readonly string[];
  /** Every path that names one. */
  readonly fields: readonly string[];
  constructor(agentId: string, missing: ReadonlyMap<string, readonly string[]>) {
    const ids = [...missing.keys()];
    const fields = [...missing.values()].flat();
    const each = ids.map(
      (id) =>
        `${(missing.get(id) ?? []).join(", ")}: agent ${agentId} has no connector ${JSON.stringify(id)}`,
    );
    super(
      `${each.join("; ")} (connectors are never created or deleted here: create ${ids.length === 1 ? "it" : "them"} in Agent Studio, or fix the ID)`,
    );
    this.field = fields[0] ?? "connectors";
    this.connectorIds = ids;
    this.fields = fields;
  }
}

/** The server refused one update of a batch (`success: false`): `reason` is what it said. */
export class ChangeRejectedError extends PolyAIError {
  override name = "ChangeRejectedError";
  /** Stable, to branch on (the CLI's `--json` shows it too). */
  readonly code = "CHANGE_REJECTED" as const;
  /** The connector whose update was refused. */
  readonly connectorId: string;
  /** The server's message for this item. */
  readonly reason: string;
  constructor(connectorId: string, reason: string) {
    super(`connectors.${connectorId}: the server refused the update: ${reason}`);
    this.connectorId = connectorId;
    this.reason = reason;
  }
}
