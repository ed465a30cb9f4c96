// The API key must not reach an error, a log line or a cause, even when a server,
// proxy or fetch wrapper echoes it back escaped. Rather than list encoders, each
// character of the key may appear in any spelling an encoder gives it: itself, a
// backslash escape (`\/`, `\"`), a JSON or JavaScript `\uXXXX`, percent-encoding,
// or an HTML or XML character reference, numeric or named. That covers JSON (also
// PHP's `\/` and .NET's `\u002B`), URLs and form bodies, and HTML pages, in any
// mixture. A backslash spelling may have its backslash doubled, or more: the same
// text inside JSON again (#19: the CLI's JSON of a value the server returned as
// `\u0073k…`). Matching ignores case: header names and host names come back
// lower-cased, and a long random key cannot be mistaken for ordinary text.

import { InvalidInputError } from "../errors.js";

/** What stands where the key was. @internal */
export const REDACTED = "[redacted]";

// HTML5 and XML names of the ASCII punctuation a key may contain.
const NAMED: Record<string, string> = {
  "&": "amp",
  "<": "lt",
  ">": "gt",
  '"': "quot",
  "'": "apos",
  "/": "sol",
  "\\": "bsol",
  "+": "plus",
  "=": "equals",
  "%": "percnt",
  "#": "num",
  $: "dollar",
  "!": "excl",
  "?": "quest",
  "@": "commat",
  _: "lowbar",
  ".": "period",
  ",": "comma",
  ":": "colon",
  ";": "semi",
  "*": "ast",
  "(": "lpar",
  ")": "rpar",
  "[": "lsqb|lbrack",
  "]": "rsqb|rbrack",
  "{": "lcub|lbrace",
  "}": "rcub|rbrace",
  "|": "vert|verbar",
  "^": "hat",
  "`": "grave",
};

/** `text` as a regular expression that matches only itself. */
const literally = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

function spellings(char: string): string {
  const code = char.charCodeAt(0);
  const hex = code.toString(16).padStart(2, "0");
  const literal = literally(char);
  // `\n` is not an escaped n: only punctuation has a backslash spelling. One
  // backslash or more (`\\+`): each JSON encoding doubles them.
  const escaped = /[A-Za-z0-9]/.test(char) ? "" : `|\\\\+${literal}`;
  const named = NAMED[char] ? `|&(?:${NAMED[char]});` : "";
  return `(?:${literal}${escaped}|\\\\+u00${hex}|%${hex}|&#0*${code};|&#x0*${hex};${named})`;
}

/**
 * The longest key taken. A key's pattern of every spelling is about 80 characters
 * per character of the key, and V8 refuses one past about 6,500 key characters: a
 * longer key threw a SyntaxError quoting it, after a provider's key was sent (#23).
 * @internal
 */
export const MAX_KEY_LENGTH = 1024;

/**
 * A function that replaces every spelling of `key` in a text with `[redacted]`
 * (a key over MAX_KEY_LENGTH, which is refused before it is sent, as itself only).
 * @internal
 */
export function keyRedactor(key: string): (text: string) => string {
  const chars = key.length > MAX_KEY_LENGTH ? [literally(key)] : [...key].map(spellings);
  const pattern = new RegExp(chars.join(""), "gi");
  return (text) => text.replace(pattern, REDACTED);
}

/**
 * The same InvalidInputError with the key redacted, when the caller passed the key
 * where another value belongs; any other error as it is.
 * @internal
 */
export function redactInputError(err: unknown, redact: (text: string) => string): unknown {
  if (!(err instanceof InvalidInputError) || redact(err.message) === err.message) return err;
  return new InvalidInputError(redact(err.field), redact(err.reason));
}
