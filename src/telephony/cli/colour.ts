// #22: colour for the plan's markers, decided once per stream: on a terminal only,
// never when NO_COLOR is set (https://no-color.org), and on off a terminal when
// FORCE_COLOR asks (a CI log that shows colour). NO_COLOR wins over FORCE_COLOR: a
// user who turned colour off is never shown it. TERM=dumb means no colour.
// Painting runs on text already escaped (output.ts), so no value can add a colour.

/** Adds colour to cleaned text; the identity when colour is off. */
export type Paint = (text: string) => string;

const SGR: Record<string, string> = { "+": "32", "~": "33", "-": "31", "!": "1;33" };

/** A line the renderer starts with a marker (`+ `, `~ `, `- `, `! `): its marker and heading are coloured. */
const MARKED = /^([+~!-]) .*$/gm;

/** Whether to colour a stream with `isTTY`, in `env`. */
export function wantsColour(
  isTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if ((env["NO_COLOR"] ?? "") !== "") return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force !== "false";
  return isTTY && env["TERM"] !== "dumb";
}

/** The plan's painter for a stream: markers coloured, or the text as it is. */
export function planPaint(
  isTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
): Paint {
  if (!wantsColour(isTTY, env)) return (text) => text;
  return (text) =>
    text.replace(MARKED, (line, marker: string) => `\u001b[${SGR[marker]}m${line}\u001b[0m`);
}
