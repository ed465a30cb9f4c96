// The hand-written string checks the spec names with `x-sdk-format`: what a
// pattern cannot say. Keyed by the generated Format union, so a format added to
// the spec without a check here fails to compile.
import type { Format, StringRule } from "../../generated/operations.js";
import { checkVoiceName } from "../voice.js";

/** @internal */
export const formats: Record<Format, (value: unknown, field: string, rule: StringRule) => void> = {
  "voice-name": checkVoiceName,
};
