// The mock's stand-in for PolyAI's TTS probe. The real server asks Google whether
// a voice exists; the mock cannot, so it accepts any well-formed name whose family
// is one Google ships and rejects the rest. That is enough to reproduce the case
// that matters in tests: a name that passes the client's pattern check (a typo
// such as `en-GB-Nueral2-A`) and still fails on the server.
import { formatRules } from "../../generated/operations.js";
import { parseVoiceName } from "../voice.js";

/**
 * The Google Cloud TTS voice families the mock's TTS probe accepts, spelled (and
 * compared) exactly as Google does: `Neural2` passes, `neural2` does not.
 */
export const KNOWN_VOICE_FAMILIES: readonly string[] = Object.freeze([
  // One list, in the spec (x-sdk-voice-families): the client's typo check uses it too.
  ...(formatRules["voice-name"].families ?? []),
]);

/**
 * Why the probe rejects `voiceName`, or null when the voice is available.
 * `unavailable` lists exact names to reject although their family is known.
 */
export function probeVoice(voiceName: string, unavailable: ReadonlySet<string>): string | null {
  const notAvailable = `${JSON.stringify(voiceName)} is not an available voice`;
  if (unavailable.has(voiceName)) return notAvailable;
  let family: string;
  try {
    family = parseVoiceName(voiceName).family;
  } catch {
    return notAvailable;
  }
  if (!KNOWN_VOICE_FAMILIES.includes(family)) {
    return `${notAvailable}: Google has no voice family ${JSON.stringify(family)}`;
  }
  return null;
}
