// The API key: its rule, where each attempt gets it (a fixed string, or a provider
// asked before every attempt so long-running automation can rotate keys, issue 14),
// and the one redactor per client that hides every key the client has ever sent.
import { InvalidInputError } from "../errors.js";
import type { ApiKeyProvider } from "../options.js";
import { keyRedactor, MAX_KEY_LENGTH } from "./redact.js";
import { describeType } from "./validate.js";
import { safeCause } from "./scrub.js";

/** Keys shorter than this are refused: redacting them would garble ordinary text. @internal */
export const MIN_KEY_LENGTH = 8;
/** The characters a key may hold: visible ASCII. @internal */
export const KEY_CHARS = /^[\x21-\x7E]+$/;

/** Checks a key; messages describe it, never quote it. @internal */
export function checkApiKey(key: unknown, what = "is"): string {
  const fail = (reason: string) => new InvalidInputError("apiKey", reason);
  if (key === undefined && what === "is")
    throw fail("is missing: pass { apiKey } or set the POLYAI_API_KEY environment variable");
  if (typeof key !== "string") throw fail(`${what} ${describeType(key)}, not a string`);
  if (key.trim() === "") throw fail(`${what} empty`);
  // Redaction replaces the key wherever it appears: a key of a few characters
  // would also match ordinary text (codes, IDs, header values) and garble it.
  if (key.length < MIN_KEY_LENGTH)
    throw fail(
      `${what} ${key.length} characters long; keys have at least ${MIN_KEY_LENGTH} (a truncated paste?)`,
    );
  if (key.length > MAX_KEY_LENGTH)
    throw fail(
      `${what} ${key.length} characters long; keys have at most ${MAX_KEY_LENGTH} (two pastes, or a file?)`,
    );
  if (!KEY_CHARS.test(key))
    throw fail(
      `${what} a key with whitespace, control or non-ASCII characters (a copy-paste accident?)`,
    );
  return key;
}

/** Every key a client has sent, and the redactor that hides them all. @internal */
export interface KeyRing {
  /** Replaces every spelling of every key added so far with `[redacted]`. */
  readonly redact: (text: string) => string;
  add(key: string): void;
}

/** @internal */
export function keyRing(): KeyRing {
  const keys = new Map<string, (text: string) => string>();
  return {
    redact: (text) => {
      for (const redact of keys.values()) text = redact(text);
      return text;
    },
    // A key rotated out stays here: a server may echo it later.
    add(key) {
      if (!keys.has(key)) keys.set(key, keyRedactor(key));
    },
  };
}

/**
 * Where each attempt gets its key. A provider that throws or returns a bad key fails
 * the call before anything is sent, with an error that says so.
 * @internal
 */
export function keySource(
  option: string | ApiKeyProvider,
  ring: KeyRing,
): () => string | Promise<string> {
  if (typeof option === "string") {
    ring.add(option);
    return () => option;
  }
  return async () => {
    let key: unknown;
    try {
      key = await option();
    } catch (err) {
      const error = new InvalidInputError(
        "apiKey",
        `the key provider threw: ${ring.redact(String((err as Error)?.message ?? err))}`,
      );
      (error as { cause?: unknown }).cause = safeCause(err, ring.redact);
      throw error;
    }
    const checked = checkApiKey(key, "the key provider returned");
    ring.add(checked);
    return checked;
  };
}
