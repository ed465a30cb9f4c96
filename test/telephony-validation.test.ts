// #22: a desired state's problems all at once. validateDesiredState and plan()
// collect every problem (path, code, and line when given the file's key lines) into
// one InvalidInputError, up to a cap, and send nothing.
import { describe, expect, it } from "vitest";
import { createPolyAIClient, InvalidInputError } from "../src/index.js";
import { plan, validateDesiredState } from "../src/telephony/index.js";
import { MAX_LISTED_PROBLEMS } from "../src/telephony/problems.js";
import { AGENT, countingFetch } from "./support/telephony-cli.js";

/** Four mistakes in four places of one file. */
const FOUR_MISTAKES = {
  agentId: AGENT,
  conectors: {},
  connectors: {
    "CONN-main": { voiceName: "en-GB", ttsLangCode: "en-GB" },
    "CONN-support": { asrLangCode: 7 },
  },
  phoneNumbers: { "0207946": "CONN-main" },
};

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("every problem at once", () => {
  it("lists each problem with its path and code in one InvalidInputError, the first as field and reason", () => {
    const e = thrown(() => validateDesiredState(FOUR_MISTAKES));
    expect(e.errors.map((p) => [p.path, p.code])).toEqual([
      ["conectors", "UNKNOWN_KEY"],
      ["connectors.CONN-main.voiceName", "INVALID_VALUE"],
      ["connectors.CONN-main.ttsLangCode", "NOT_MANAGED"],
      ["connectors.CONN-support.asrLangCode", "INVALID_VALUE"],
      ["phoneNumbers.0207946", "INVALID_VALUE"],
    ]);
    expect(e.field).toBe("conectors");
    expect(e.reason).toBe(e.errors[0]?.message);
    expect(e.more).toBe(0);
    // The message shows each problem on its own line.
    const lines = e.message.split("\n");
    expect(lines[0]).toBe("5 problems:");
    expect(lines.slice(1)).toEqual(e.errors.map((p) => `  ${p.path}: ${p.message}`));
  });

  it("keeps the single-problem shape: one problem is `path: reason`, with errors of one", () => {
    const e = thrown(() =>
      validateDesiredState({ agentId: AGENT, connectors: { "CONN-main": { voiceName: "x" } } }),
    );
    expect(e.message).toBe(`connectors.CONN-main.voiceName: ${e.reason}`);
    expect(e.errors).toEqual([
      { path: "connectors.CONN-main.voiceName", message: e.reason, code: "INVALID_VALUE" },
    ]);
  });

  it("gives each problem its line when given the file's key lines, the nearest parent's for a missing key", () => {
    const lines = new Map([
      ["conectors", 3],
      ["connectors", 4],
      ["connectors.CONN-main", 5],
      ["connectors.CONN-main.voiceName", 6],
      ["phoneNumbers", 9],
    ]);
    const e = thrown(() =>
      validateDesiredState(
        {
          conectors: {},
          connectors: { "CONN-main": { voiceName: "x", asrLangCode: 1 } },
          phoneNumbers: 5,
        },
        { lines },
      ),
    );
    // By line, in the order of the file; a problem with no line first.
    expect(e.errors.map((p) => [p.path, p.line])).toEqual([
      ["agentId", undefined],
      ["conectors", 3],
      ["connectors.CONN-main.asrLangCode", 5],
      ["connectors.CONN-main.voiceName", 6],
      ["phoneNumbers", 9],
    ]);
    expect(e.message).toContain("  connectors.CONN-main.voiceName: ");
    expect(e.message).toMatch(/connectors\.CONN-main\.voiceName: .* \(line 6\)\n/);
  });

  it(`lists at most ${MAX_LISTED_PROBLEMS} of 10,000 problems and counts the rest`, () => {
    const connectors: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) connectors[`CONN-${i}`] = { voiceName: `bad ${i}` };
    const e = thrown(() => validateDesiredState({ agentId: AGENT, connectors }));
    expect(e.errors).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(e.more).toBe(10_000 - MAX_LISTED_PROBLEMS);
    expect(e.message.split("\n")[0]).toBe("10000 problems:");
    expect(e.message.endsWith(`\n  and ${10_000 - MAX_LISTED_PROBLEMS} more`)).toBe(true);
  });

  it("plan() throws them all before any request", async () => {
    const count = countingFetch();
    const poly = createPolyAIClient({
      apiKey: "sk-validation-test-key",
      baseUrl: "http://127.0.0.1:9",
      fetch: count.fetch,
    });
    const e = await plan(poly, FOUR_MISTAKES).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).errors).toHaveLength(5);
    expect(count.sent).toBe(0);
  });

  it("a hostile key is a path like any other: named, not obeyed", () => {
    const id = "CONN-\u001b[2J\nrm -rf";
    const e = thrown(() =>
      validateDesiredState({ agentId: AGENT, connectors: { [id]: {} }, phoneNumbers: {} }),
    );
    expect(e.errors[0]?.path).toBe(`connectors.${id}`);
  });
});
