// #22: all errors at once. A check of a desired state collects every problem (its
// path, its line in the file when lines are known, a stable code) instead of
// throwing at the first, and throws one InvalidInputError listing them, up to a cap.
import { InvalidInputError, type InputProblem } from "../index.js";

/** The most problems listed one by one; the rest are counted ("and N more"). */
export const MAX_LISTED_PROBLEMS = 50;

/** Path → line of the key written there (the CLI's JSON scanner makes one). */
export type LineMap = ReadonlyMap<string, number>;

/** The line of `path`, or of its nearest parent that has one (a missing key's object). */
export function lineOf(lines: LineMap | undefined, path: string): number | undefined {
  if (lines === undefined) return undefined;
  for (let at = path; at !== ""; at = at.slice(0, Math.max(0, at.lastIndexOf(".")))) {
    const line = lines.get(at);
    if (line !== undefined) return line;
  }
  return undefined;
}

/** A collector of problems, capped, thrown as one InvalidInputError. */
export class Problems {
  readonly listed: InputProblem[] = [];
  more = 0;
  constructor(private readonly lines?: LineMap) {}

  /** Notes a problem; its line is `line`, else the line of its path (or of the nearest parent). */
  add(path: string, message: string, code = "INVALID_VALUE", line?: number): void {
    if (this.listed.length >= MAX_LISTED_PROBLEMS) {
      this.more++; // counted only: no line looked up past the cap (#22: 300,000 problems)
      return;
    }
    const at = line ?? lineOf(this.lines, path);
    this.listed.push({ path, message, code, ...(at === undefined ? {} : { line: at }) });
  }

  /** Runs `check`; an InvalidInputError it throws becomes a problem, and `fallback` is returned. */
  attempt<T>(check: () => T, fallback: T): T {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      for (const p of e.errors) this.add(p.path, p.message, p.code);
      this.more += e.more;
      return fallback;
    }
  }

  /** Throws the problems found, in the order of the file (by line, when lines are known), as one error. */
  throwIfAny(): void {
    if (this.lines) this.listed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const first = this.listed[0];
    if (first === undefined) return;
    throw new InvalidInputError(first.path, first.message, this.listed, this.more);
  }
}
