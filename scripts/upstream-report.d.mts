// Types of scripts/upstream-report.mjs, for test/spec-upstream.test.ts.
import type { UpstreamResult, VendoredSource } from "./spec-upstream.mjs";

/** The human-readable report. */
export function formatUpstreamReport(result: UpstreamResult): string;

/** Whether the result holds anything to act on (exit status 1). */
export function hasProblems(result: UpstreamResult): boolean;

/** docs/upstream-differences.md for a result against the vendored copy. */
export function renderDifferencesDoc(result: UpstreamResult, source: VendoredSource): string;

/**
 * The deliberate differences the committed table (docs/upstream-differences.md) does
 * not record as they are now: PolyAI changed its side of one, or a reason is new.
 */
export function unpinned(
  result: UpstreamResult,
  table: string,
): NonNullable<UpstreamResult["changed"]>;
