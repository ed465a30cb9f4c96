// #22: warnings that save a phone line. A plan warns (it does not refuse) when what
// the file says would likely break calls once applied:
// - a number routed to a connector of another clientEnv than the number's own (a
//   number keeps its clientEnv when reassigned: a live number on a sandbox
//   connector stops serving live callers the agent they expect);
// - a connector whose voice speaks another language than its asrLangCode, after
//   the plan (callers heard in one language, answered in another). The language
//   subtag is compared, not the region: an en-GB voice over en-US recognition is
//   English both ways and does not warn; a de-DE voice over en-GB does;
// - an import into another clientEnv than the connector it is routed to.
import type { ClientEnv, Connector } from "../index.js";
import { parseVoiceName } from "../index.js";
import type { Snapshot } from "./diff.js";
import type { ConnectorChange, PhoneNumberChange, PlanWarning } from "./types.js";

/** Tags that name the same spoken language (Google's voices say `cmn`, its recognition `zh`). */
const SAME_LANGUAGE: Record<string, string> = { cmn: "zh", yue: "zh" };

/** The language of a BCP 47 tag, or of a voice name: its first subtag, lower case. */
function languageOf(tag: string): string {
  const first = (tag.split(/[-_]/)[0] ?? "").toLowerCase();
  return SAME_LANGUAGE[first] ?? first;
}

function voiceLanguage(voiceName: string): string | undefined {
  try {
    return parseVoiceName(voiceName).languageCode;
  } catch {
    return undefined; // a voice the server knows and the parser does not: no warning
  }
}

function voiceWarning(change: ConnectorChange, live: Connector | undefined): PlanWarning[] {
  const { patch } = change;
  if (patch.voiceName === undefined && patch.asrLangCode === undefined) return [];
  const voice = patch.voiceName ?? live?.voiceName;
  const asr = patch.asrLangCode ?? live?.asrLangCode;
  if (!voice || !asr) return [];
  const spoken = voiceLanguage(voice);
  if (spoken === undefined || languageOf(spoken) === languageOf(asr)) return [];
  const field = patch.voiceName === undefined ? "asrLangCode" : "voiceName";
  return [
    {
      path: `connectors.${change.connectorId}.${field}`,
      code: "VOICE_LANGUAGE_MISMATCH",
      message: `voice ${JSON.stringify(voice)} speaks ${spoken} but asrLangCode is ${JSON.stringify(asr)}: callers would be heard in one language and answered in another`,
    },
  ];
}

function numberWarning(
  change: PhoneNumberChange,
  connector: Connector | undefined,
  numberEnv: ClientEnv | undefined,
  importEnv: ClientEnv | undefined,
): PlanWarning[] {
  const target = connector?.clientEnv;
  const to = JSON.stringify(change.to);
  if (target === undefined) return [];
  if (change.action === "import") {
    if (importEnv === undefined || importEnv === target) return [];
    return [
      {
        path: `phoneNumbers.${change.number}`,
        code: "IMPORT_CLIENT_ENV_MISMATCH",
        message: `is imported for clientEnv ${importEnv} but routed to ${to}, a ${target} connector: its callers would reach the ${target} agent`,
      },
    ];
  }
  if (numberEnv === undefined || numberEnv === target) return [];
  return [
    {
      path: `phoneNumbers.${change.number}`,
      code: "NUMBER_CLIENT_ENV_MISMATCH",
      message: `serves clientEnv ${numberEnv} but moves to ${to}, a ${target} connector: its ${numberEnv} callers would reach the ${target} agent the moment it applies`,
    },
  ];
}

/**
 * The warnings of a plan's changes against the live objects read: connector
 * warnings first, then numbers, each in the plan's order.
 */
export function planWarnings(
  changes: { connectors: readonly ConnectorChange[]; phoneNumbers: readonly PhoneNumberChange[] },
  snapshot: Snapshot,
  importEnv: ClientEnv | undefined,
): PlanWarning[] {
  const connectors = snapshot.found?.connectors;
  const numbers = snapshot.found?.numbers;
  return [
    ...changes.connectors.flatMap((c) => voiceWarning(c, connectors?.get(c.connectorId))),
    ...changes.phoneNumbers.flatMap((c) =>
      numberWarning(c, connectors?.get(c.to), numbers?.get(c.number)?.clientEnv, importEnv),
    ),
  ];
}
