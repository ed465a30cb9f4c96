import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError, parseVoiceName, ttsLangCodeFromVoice } from "../src/index.js";
import { builtVoiceArb, loadVoiceRows } from "./support/fixtures.js";

/** Calls `fn`, expects an InvalidInputError on `voiceName` whose reason matches `why`. */
function expectRejected(fn: () => unknown, why: RegExp): InvalidInputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InvalidInputError);
  const err = caught as InvalidInputError;
  expect(err.field).toBe("voiceName");
  expect(err.reason).toMatch(why);
  expect(err.message).toBe(`voiceName: ${err.reason}`);
  return err;
}

/** Both entry points reject `name` for the same reason. */
function rejects(name: unknown, why: RegExp): void {
  expectRejected(() => parseVoiceName(name as string), why);
  expectRejected(() => ttsLangCodeFromVoice(name as string), why);
}

describe("every voice of google-tts-voices.tsv", () => {
  const rows = loadVoiceRows();

  it("has the reference rows", () => {
    expect(rows.length).toBeGreaterThan(200);
    expect(rows.some((r) => r.voiceName === "en-US-Chirp3-HD-Achernar")).toBe(true);
  });

  it("derives languageCode and splits into consistent parts", () => {
    const wrong: string[] = [];
    for (const { voiceName, languageCode } of rows) {
      try {
        const tts = ttsLangCodeFromVoice(voiceName);
        const parts = parseVoiceName(voiceName);
        const ok =
          tts === languageCode &&
          parts.languageCode === languageCode &&
          parts.family !== "" &&
          !parts.variant.includes("-") &&
          parts.variant !== "" &&
          `${parts.languageCode}-${parts.family}-${parts.variant}` === voiceName;
        if (!ok)
          wrong.push(
            `${voiceName}: tts ${tts}, parts ${JSON.stringify(parts)}, expected ${languageCode}`,
          );
      } catch (err) {
        wrong.push(`${voiceName}: threw ${String(err)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("explicit voice names", () => {
  it.each([
    ["en-GB-Neural2-A", "en-GB", "Neural2", "A"],
    ["cmn-CN-Standard-A", "cmn-CN", "Standard", "A"],
    ["cmn-TW-Wavenet-B", "cmn-TW", "Wavenet", "B"],
    ["yue-HK-Standard-A", "yue-HK", "Standard", "A"],
    ["en-US-Chirp3-HD-Achernar", "en-US", "Chirp3-HD", "Achernar"],
    ["en-US-Chirp-HD-F", "en-US", "Chirp-HD", "F"],
    ["es-US-Polyglot-1", "es-US", "Polyglot", "1"],
    ["en-US-Studio-O", "en-US", "Studio", "O"],
  ])("%s → %s, family %s, variant %s", (name, languageCode, family, variant) => {
    expect(parseVoiceName(name)).toEqual({ languageCode, family, variant });
    expect(ttsLangCodeFromVoice(name)).toBe(languageCode);
  });

  it.each([
    ["EN-gb-Neural2-A", "en-GB"],
    ["en-gb-Neural2-A", "en-GB"],
    ["En-Gb-Neural2-A", "en-GB"],
    ["CMN-cn-Standard-A", "cmn-CN"],
    ["YUE-hk-Standard-A", "yue-HK"],
  ])(
    "canonicalises the case of %s to %s, keeping family and variant as given",
    (name, languageCode) => {
      expect(ttsLangCodeFromVoice(name)).toBe(languageCode);
      const parts = parseVoiceName(name);
      expect(parts.languageCode).toBe(languageCode);
      expect(`${parts.family}-${parts.variant}`).toBe(name.split("-").slice(2).join("-"));
    },
  );

  it("accepts exactly 100 characters", () => {
    const name = `en-US-Neural2-${"A".repeat(86)}`;
    expect(name).toHaveLength(100);
    expect(ttsLangCodeFromVoice(name)).toBe("en-US");
  });

  it("parses any well-formed name into the parts it was built from", () => {
    fc.assert(
      fc.property(builtVoiceArb, (v) => {
        expect(parseVoiceName(v.name)).toEqual({
          languageCode: v.languageCode,
          family: v.family,
          variant: v.variant,
        });
      }),
    );
  });
});

describe("rejected voice names say why", () => {
  it.each([
    ["Neural2-A"],
    ["english-Neural2-A"],
    ["e-US-Neural2-A"],
    ["en-USA-Neural2-A"],
    ["12-US-Neural2-A"],
    ["Neural2-A-B"],
  ])("%s has no locale prefix", (name) => {
    rejects(name, /does not start with a locale prefix such as en-GB/);
  });

  it.each([["en-US"], ["en-US-Neural2"]])("%s has no family and variant", (name) => {
    rejects(name, /has a locale but no family and variant/);
  });

  it.each([
    [" en-US-Neural2-A", 0],
    ["en-US Neural2-A", 5],
    ["en-US-Neural2-A ", 15],
    ["en-US-\tNeural2-A", 6],
    ["en-US-Neural2-A\n", 15],
    ["en-US-Neural2\u00A0-A", 13],
  ])("%j contains whitespace at index %i", (name, index) => {
    rejects(name, new RegExp(`contains whitespace at index ${index}$`));
  });

  it.each([
    ["en-US-N\u0435ural2-A", "Cyrillic е", "0435", 7],
    ["\u0435n-US-Neural2-A", "Cyrillic е in the locale", "0435", 0],
    ["en-US-Neural2-\u0391", "Greek Α", "0391", 14],
    ["\uFF45n-US-Neural2-A", "fullwidth ｅ", "FF45", 0],
    ["en-US-Neural2-\uFF21", "fullwidth Ａ", "FF21", 14],
  ])("%j (%s) names the look-alike", (name, _what, hex, index) => {
    const err = expectRejected(
      () => parseVoiceName(name),
      new RegExp(`non-ASCII character .* \\(U\\+${hex}\\) at index ${index}`),
    );
    expect(err.reason).toMatch(/look-alike/);
  });

  it.each([["en-US-Neural2-A\u0000"], ["en-US-Neural2-A\u007F"], ["en-US-\u001BNeural2-A"]])(
    "%j is rejected as a control character, not as non-ASCII",
    (name) => {
      const err = expectRejected(() => parseVoiceName(name), /./);
      expect(err.reason).not.toMatch(/non-ASCII|look-alike/);
    },
  );

  it("rejects the empty string", () => {
    rejects("", /it is empty/);
  });

  it("rejects a name over 100 characters, giving its length", () => {
    rejects(`en-US-Neural2-${"A".repeat(87)}`, /it is 101 characters long; the limit is 100/);
  });

  it.each([["en-US--Neural2-A"], ["en--US-Neural2-A"], ["-en-US-Neural2-A"], ["en-US-Neural2-A-"]])(
    "%s has an empty segment",
    (name) => {
      rejects(name, /empty segment \(a doubled, leading or trailing hyphen\)/);
    },
  );

  it.each([["en-US-Neural_2-A"], ["en-US-Neural2.A-B"], ["en-US-Neural2-A/B"]])(
    "%s has a character that is not allowed",
    (name) => {
      rejects(name, /only ASCII letters, digits and hyphens are allowed/);
    },
  );

  it.each([
    [42, "a number"],
    [null, "null"],
    [undefined, "(?:a )?undefined"],
    [{ voiceName: "en-US-Neural2-A" }, "an object"],
    [["en-US-Neural2-A"], "an array"],
    [Symbol("en-US-Neural2-A"), "a symbol"],
  ])("rejects the non-string %s at run time", (value, described) => {
    rejects(value, new RegExp(`expected a voice name string .* got ${described}$`));
  });

  it("keeps the message short for a huge name", () => {
    const err = expectRejected(
      () => parseVoiceName(`en-US-Neural2-${"A".repeat(1_000_000)}`),
      /characters long; the limit is 100/,
    );
    expect(err.message.length).toBeLessThan(500);
  });

  it("quotes the rejected name in the message", () => {
    const err = expectRejected(() => parseVoiceName("english-Neural2-A"), /locale prefix/);
    expect(err.message).toContain('"english-Neural2-A"');
  });
});
