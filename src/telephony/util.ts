// Small helpers of plan and apply: chunking, bounded concurrency, option checks and
// a canonical JSON for comparing plans.
import { checkInteger, isPlainObject } from "../internal/validate.js";
import { setOwn } from "../internal/set-own.js";

/** `items` in consecutive slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and resolves when all
 * have settled. `fn` must not reject (callers record failures themselves); if it
 * does, the first rejection is rethrown after every call has settled.
 */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/** Runs a task when a slot is free. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * One bound on tasks in flight, shared by every caller that holds it (#19: apply's
 * `concurrency` bounds its requests whatever path a change takes: batches, the
 * number-by-number retries of a refused import, reads). A task holds its slot only
 * while it runs, so a task may wait for slots of its own without a deadlock.
 */
export function limiter(slots: number): Limit {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= slots) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** The path of `key` inside `path` (`connectors.CONN-main`), as error messages name a place. */
export function keyPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** An integer option's range and default (one object, so the CLI checks its flags with it too). */
export interface IntRange {
  readonly min: number;
  readonly max: number;
  readonly fallback: number;
}

/** Checks an integer option with the client's own integer check; undefined gives `range.fallback`. */
export function intOption(value: unknown, field: string, range: IntRange): number {
  return checkInteger(value, field, range.min, range.max) ?? range.fallback;
}

// #23: shared with the core's createAndWait, so it lives in src/internal/.
export { checkOptionKeys } from "../internal/option-keys.js";
// #23: shared with the core's checks of metadata, so it lives in src/internal/.
export { setOwn } from "../internal/set-own.js";

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!isPlainObject(v)) return v;
    const sorted: Record<string, unknown> = {};
    // setOwn: a connector named __proto__ is content too (a plan's digest covers it).
    for (const key of Object.keys(v).sort()) setOwn(sorted, key, v[key]);
    return sorted;
  });
}

/** `items` grouped by `key`, groups in the order their first item comes. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}
