// Google Cloud TTS voice names: `<language>-<REGION>-<Family>-<Variant>`. The
// server derives the connector's ttsLangCode from the `<language>-<REGION>` prefix;
// we derive it the same way so callers (and dry runs) can predict the result.
import { formatRules, type StringRule } from "../generated/operations.js";
import { InvalidInputError } from "./errors.js";
import { charProblem, describeType, quote } from "./internal/validate.js";

/** The parts of a Google TTS voice name. */
export interface VoiceName {
  /** BCP 47 language code in canonical case, for example `en-GB` or `cmn-CN`. */
  readonly languageCode: string;
  /** Voice family, possibly hyphenated: `Neural2`, `Chirp3-HD`. */
  readonly family: string;
  /** The last segment: `A`, `Achernar`, `1`. */
  readonly variant: string;
}

const voiceRule: StringRule = formatRules["voice-name"];
const FORM = "<language>-<REGION>-<Family>-<Variant>, like en-GB-Neural2-A";

function reject(field: string, name: string, why: string): never {
  throw new InvalidInputError(field, `${quote(name)} is not a Google TTS voice name: ${why}`);
}

/** Says why `name` is not a voice name, or returns its parts. */
function parse(name: unknown, field: string, rule: StringRule = voiceRule): VoiceName {
  if (typeof name !== "string") {
    throw new InvalidInputError(
      field,
      `expected a voice name string (${FORM}), got ${describeType(name)}`,
    );
  }
  if (name === "") reject(field, name, `it is empty; expected ${FORM}`);
  const chars = charProblem(name);
  if (chars) reject(field, name, `it ${chars}`);
  if (rule.maxLength !== undefined && name.length > rule.maxLength)
    reject(field, name, `it is ${name.length} characters long; the limit is ${rule.maxLength}`);
  const parts = name.split("-");
  if (parts.some((p) => p === ""))
    reject(
      field,
      name,
      `it has an empty segment (a doubled, leading or trailing hyphen); expected ${FORM}`,
    );
  const [language = "", region = "", ...rest] = parts;
  if (!/^[A-Za-z]{2,3}$/.test(language) || !/^(?:[A-Za-z]{2}|[0-9]{3})$/.test(region)) {
    reject(
      field,
      name,
      `it does not start with a locale prefix such as en-GB or cmn-CN; expected ${FORM}`,
    );
  }
  if (rest.length < 2)
    reject(field, name, `it has a locale but no family and variant; expected ${FORM}`);
  if (rule.pattern && !rule.pattern.test(name))
    reject(field, name, `only ASCII letters, digits and hyphens are allowed; expected ${FORM}`);
  const variant = rest[rest.length - 1] as string;
  return {
    languageCode: `${language.toLowerCase()}-${region.toUpperCase()}`,
    family: rest.slice(0, -1).join("-"),
    variant,
  };
}

/**
 * Splits a Google TTS voice name into its parts.
 *
 * @example
 * parseVoiceName("en-US-Chirp3-HD-Achernar");
 * // { languageCode: "en-US", family: "Chirp3-HD", variant: "Achernar" }
 * @throws {InvalidInputError} when `name` is not a voice name; the message says why.
 */
export function parseVoiceName(name: string): VoiceName {
  return parse(name, "voiceName");
}

/**
 * The TTS language code PolyAI derives from a voice name, in canonical BCP 47 case.
 *
 * @example
 * ttsLangCodeFromVoice("en-GB-Neural2-A"); // "en-GB"
 * ttsLangCodeFromVoice("yue-HK-Standard-A"); // "yue-HK"
 * @throws {InvalidInputError} when `name` is not a voice name.
 */
export function ttsLangCodeFromVoice(name: string): string {
  return parse(name, "voiceName").languageCode;
}

/** Edit distance with transpositions (`Nueral2` is one edit from `Neural2`). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known family `family` is probably a typo of (issue 14): the same but for case,
 * or one or two edits away. A family that differs only in its digits is a new
 * version (`Chirp4-HD`), and one far from all is new: both are sent, since Google
 * adds families and the server's probe has the last word.
 */
function typoOf(family: string, known: readonly string[]): string | undefined {
  const lower = family.toLowerCase();
  const digitless = (s: string) => s.replace(/[0-9]+/g, "#");
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  if (known.some((k) => digitless(k.toLowerCase()) === digitless(lower))) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const digits = (s: string) => s.replace(/[^0-9]/g, "");
  for (const k of known) {
    const d = distance(k.toLowerCase(), lower);
    // Between equally near families, the one with the same version digits.
    const score = d + (digits(k) === digits(family) ? 0 : 0.5);
    if (score < bestDistance && d <= (k.length > 5 ? 2 : 1)) [best, bestDistance] = [k, score];
  }
  return best;
}

/** @internal Validates a voice name for a given field path (`updates[3].voiceName`). */
export function checkVoiceName(name: unknown, field: string, rule: StringRule = voiceRule): void {
  const { family } = parse(name, field, rule);
  const known = rule.families ?? [];
  if (known.includes(family)) return;
  const near = typoOf(family, known);
  if (near)
    reject(
      field,
      name as string,
      `${quote(family)} is not a Google voice family; did you mean ${quote((name as string).replace(family, near))}?`,
    );
}
