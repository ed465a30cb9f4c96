// #19: a value from a file or from the server may hold ESC, BEL or a C1 control,
// which a terminal obeys (set its title, clear the screen, hide the rest of a line).
// Every character a terminal could act on is written as a `\uXXXX` escape instead:
// C0, DEL, C1, the line and paragraph separators, and the bidi overrides and
// isolates (which reorder what follows). In JSON text the escape is itself JSON,
// so a file written through here parses to the same values.

/** Controls, but newline and tab: what the CLI's own text uses for layout. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Every control, newline and tab included: for one value shown inside a line. */
const EVERY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const asEscape = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `text` with every control character escaped but the newlines and tabs that lay it out. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, asEscape);
}

/** One value made safe to show inside a line: every control character escaped, newlines too. */
export function escapeLine(text: string): string {
  return text.replace(EVERY_CONTROL, asEscape);
}
