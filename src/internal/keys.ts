// The one check of an object's keys against the keys it may have, used for client
// options, call options, bodies, filters and the mock's options alike, so a typo
// gets the same "did you mean" everywhere (enum values too, #23).

/**
 * The known name `key` is a near miss of: the same but for case, `_`, `-` and spaces,
 * or for the unit (#23: `timeout` is `timeoutMs`, `pollInterval` is `pollIntervalMs`).
 */
export function nearMiss(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");
  return known.find((k) => norm(k) === norm(key) || norm(k) === `${norm(key)}ms`);
}

/** `; did you mean "voiceName"?` for a near miss, else the list of known keys. */
export function suggestKey(
  key: string,
  known: readonly string[],
  listed = "known options are",
): string {
  const hit = nearMiss(key, known);
  return hit ? `; did you mean ${JSON.stringify(hit)}?` : `; ${listed} ${known.join(", ")}`;
}

/** The first own key of `value` that is not in `known`, or undefined. */
export function unknownKey(value: object, known: readonly string[]): string | undefined {
  return Object.keys(value).find((key) => !known.includes(key));
}
