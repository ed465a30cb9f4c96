// The API key must not reach an error, a log line or a cause, even when a server,
// proxy or fetch wrapper echoes it back escaped. Rather than list encoders, each
// character of the key other than a letter or digit may appear in any spelling an
// encoder gives it: itself, a backslash escape (`\/`, `\"`), a JSON or JavaScript
// `\uXXXX`, percent-encoding, or an HTML or XML character reference. That covers
// JSON (also PHP's `\/` and .NET's `\u002B`), URLs and form bodies, and HTML pages,
// in any mixture and either hex case.

const REDACTED = "[redacted]";

const NAMED: Record<string, string> = {
  "&": "amp",
  "<": "lt",
  ">": "gt",
  '"': "quot",
  "'": "apos",
};

// Hex digits in either case, without the regex `i` flag, which would also let
// the key's own letters match in the wrong case.
const anyCase = (hex: string) => hex.replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`);

function spellings(char: string): string {
  if (/[A-Za-z0-9]/.test(char)) return char;
  const code = char.charCodeAt(0);
  const hex = anyCase(code.toString(16).padStart(2, "0"));
  const literal = char.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  const named = NAMED[char] ? `|&${NAMED[char]};` : "";
  return `(?:${literal}|\\\\${literal}|\\\\[uU]00${hex}|%${hex}|&#0*${code};|&#[xX]0*${hex};${named})`;
}

/**
 * A function that replaces every spelling of `key` in a text with `[redacted]`.
 * @internal
 */
export function keyRedactor(key: string): (text: string) => string {
  const pattern = new RegExp([...key].map(spellings).join(""), "g");
  return (text) => text.replace(pattern, REDACTED);
}
