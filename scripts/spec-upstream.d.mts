// Types of scripts/spec-upstream.mjs, for test/spec-upstream.test.ts.

/** A difference between our spec and PolyAI's, at one annotation place and aspect. */
export interface Finding {
  /** What differs, for example `nullable`, `enum:"staging"`, `property:callerId`, `absent-upstream`. */
  readonly aspect: string;
  /** The JSON pointer of the node of our bundled spec whose `x-upstream-differs` explains it. */
  readonly annotateAt: string;
  /** What differs, in words. */
  readonly messages: string[];
  /** Where it was seen: a JSON pointer into each spec (null for the side that lacks it). */
  readonly where: { ours: string | null; upstream: string | null }[];
  /** The operations (`GET /path (operationId)`) it was seen in. */
  readonly operations: string[];
  /** The annotation's reason, for a deliberate difference. */
  readonly reason?: string;
}

export interface UpstreamResult {
  readonly upstream: { title: string; version: string; label: string };
  readonly drift: Finding[];
  readonly deliberate: Finding[];
  /** Reasons no difference asks for. */
  readonly stale: { at: string; aspect: string; reason: string }[];
  /** Annotations that are not an object of non-empty reasons. */
  readonly invalid: { at: string; message: string }[];
  /** Deliberate differences not as docs/upstream-differences.md records them (the CLI only). */
  changed?: {
    at: string;
    aspects: string[];
    differences: string[];
    /** The operationIds it is in. */
    operations: string[];
    reason: string;
  }[];
  docsStale?: string;
}

export interface VendoredSource {
  file: string;
  repository: string;
  path: string;
  commit: string;
  date: string;
  version: string;
  blob: string;
}

export const UPSTREAM_DIR: string;
export const DOCS_FILE: string;

/** Our bundled spec against PolyAI's. */
export function checkUpstream(ours: object, upstream: object, label?: string): UpstreamResult;

/** The vendored copy, refused when it is not byte for byte the one source.json records. */
export function loadVendored(
  dir?: string,
): Promise<{ doc: Record<string, any>; source: VendoredSource; label: string }>;

/** A copy of PolyAI's spec (`--upstream FILE`), refused unless it is an OpenAPI 3 document with `paths` whose `$ref`s resolve. */
export function readUpstream(file: string): Promise<Record<string, any>>;
