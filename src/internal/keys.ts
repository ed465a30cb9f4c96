// The one check of an object's keys against the keys it may have, used for client
// options, call options, bodies, filters and the mock's options alike, so a typo
// gets the same "did you mean" everywhere (enum values too, #23).

/**
 * Whether `b` is `a` after one typo: a letter left out, added, or two swapped, or
 * one changed in a word of 6 letters or more (#23 review: `sanbox`, `lvie`). A
 * different first letter, or a short word with another letter, is another word:
 * `dive`, `love` and `olive` must not point at `live`, which rings real people.
 */
function oneTypo(a: string, b: string): boolean {
  let i = 0;
  while (a[i] === b[i] && i < a.length) i++;
  const rest = (from: string, n: number) => from.slice(i + n);
  return (
    i > 0 &&
    ((a.length >= 6 && rest(a, 1) === rest(b, 1)) ||
      rest(a, 0) === rest(b, 1) ||
      rest(a, 1) === rest(b, 0) ||
      (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, 2) === rest(b, 2)))
  );
}

/**
 * The known name `key` is a near miss of: the same but for case, `_`, `-` and spaces,
 * for the unit (#23: `timeout` is `timeoutMs`, `pollInterval` is `pollIntervalMs`),
 * or, from 4 letters, for one typo.
 */
export function nearMiss(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");
  const n = norm(key);
  return (
    known.find((k) => norm(k) === n || norm(k) === `${n}ms`) ??
    (n.length < 4 ? undefined : known.find((k) => oneTypo(n, norm(k))))
  );
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
