// The API key must not reach an error, a log line or a cause, even when a server,
// proxy or fetch wrapper echoes it back escaped: as a JSON string (also with the
// \u003c style some encoders use for < > &), percent-encoded, or as HTML.

const REDACTED = "[redacted]";

/**
 * A function that replaces every spelling of `key` in a text with `[redacted]`.
 * @internal
 */
export function keyRedactor(key: string): (text: string) => string {
  const json = JSON.stringify(key).slice(1, -1);
  const percent = encodeURIComponent(key);
  const html = key.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const forms = new Set([
    key,
    json,
    json.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase()),
    html,
    html.replace(
      /&#(\d+);/g,
      (_, n: string) =>
        ({ 38: "&amp;", 60: "&lt;", 62: "&gt;", 34: "&quot;", 39: "&#x27;" })[n] ?? "",
    ),
  ]);
  // Longest first, so that a form is not cut in half by a shorter one inside it.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    for (const form of ordered) if (text.includes(form)) text = text.replaceAll(form, REDACTED);
    return text;
  };
}
