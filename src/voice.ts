// Google Cloud TTS voice names: `<language>-<REGION>-<Family>-<Variant>`. The
// server derives the connector's ttsLangCode from the `<language>-<REGION>` prefix;
// we derive it the same way so callers (and dry runs) can predict the result.
import { formatRules, type StringRule } from "../generated/operations.js";
import { InvalidInputError } from "./errors.js";
import { charProblem, describeType, quote } from "./validate.js";

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

/** @internal Validates a voice name for a given field path (`updates[3].voiceName`). */
export function checkVoiceName(name: unknown, field: string, rule?: StringRule): void {
  parse(name, field, rule);
}
