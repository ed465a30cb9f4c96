// Types of scripts/spec-diff.mjs, for test/spec-diff.test.ts.

/** The direction a schema travels: sent by clients, or read by them. */
export type Direction = "request" | "response";

/** One difference between two versions of the spec. */
export interface Change {
  /** Where: a component (`VoiceName`), a property path (`UpdateConnectorBody.voiceName`), an operation or parameter. */
  readonly location: string;
  /** What changed, for example `enum value "sandbox" removed`. */
  readonly message: string;
  /** Whether clients built against the old spec can break. */
  readonly breaking: boolean;
  /** The directions the location was reached in. */
  readonly directions: Direction[];
  /** The operations (`PATCH /path (operationId)`) the location is used by. */
  readonly operations: string[];
}

export interface DiffResult {
  readonly changes: Change[];
  readonly breaking: Change[];
}

/** Compares two bundled OpenAPI 3.x documents (local `$ref`s only). */
export function diffSpecs(oldDoc: object, newDoc: object): DiffResult;

/** Human-readable report of {@link diffSpecs}' result. */
export function formatReport(
  result: DiffResult,
  labels?: { oldLabel?: string; newLabel?: string },
): string;

/** Loads a spec: `{ ref }` (openapi/ at a git ref), a `.json` bundle, or a root YAML to bundle into `tmp`. */
export function loadSpec(
  source: { ref: string } | { path: string },
  tmp: string,
): Promise<Record<string, unknown>>;
