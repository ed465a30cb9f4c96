// #22: SIGINT (Ctrl-C) and SIGTERM (docker stop, Kubernetes, CI runners) stop a
// plan, apply, export or read in process: the request in flight is aborted and the
// documented failure is printed (`{ "ok": false, "error": { "code": "ABORTED" } }`
// with --json), exit 1. The signal comes from an EventEmitter, emitted from the
// fetch as a request leaves (never by time). dial and call are in campaign-cli.test.ts.
import { EventEmitter } from "node:events";
import { describe, it } from "vitest";
import type { ApplyResult } from "../src/telephony/index.js";
import { cliWith } from "./support/cli-in-process.js";
import { AGENT, DESIRED, withSetup, writes } from "./support/telephony-cli.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** A fetch that emits `name` on `signals` as the first request matching `when` leaves. */
function signalOn(
  signals: EventEmitter,
  name: string,
  when: (method: string, url: string) => boolean,
): { fetch: typeof fetch; listenersAfter: () => number | undefined } {
  let after: number | undefined;
  return {
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (after === undefined && when(init?.method ?? "GET", new URL(url).pathname)) {
        signals.emit(name);
        // The first signal removes both listeners: a second one kills the process.
        after = signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM");
      }
      return fetch(input, init);
    },
    listenersAfter: () => after,
  };
}

describe.concurrent.each(SIGNALS)("%s", (name) => {
  it.for<[string, (desired: string) => string[]]>([
    ["plan", (desired: string) => ["plan", desired, "--json"]],
    ["apply --yes", (desired: string) => ["apply", desired, "--yes", "--json"]],
    ["export", () => ["export", "--agent", AGENT, "--json"]],
    ["connectors list", () => ["connectors", "list", "--agent", AGENT, "--json"]],
    ["numbers list", () => ["numbers", "list", "--agent", AGENT, "--json"]],
    ["lookup", () => ["lookup", "+442079460000", "--agent", AGENT, "--json"]],
  ])(
    "%s: a read in flight is aborted: ABORTED as JSON, exit 1, nothing written",
    async ([, args], { expect }) => {
      await withSetup({}, async (t) => {
        const signals = new EventEmitter();
        const stop = signalOn(signals, name, () => true);
        const desired = await t.file("d.json", DESIRED);
        const r = await cliWith([...args(desired), "--base-url", t.mock.url], {
          signals,
          fetch: stop.fetch,
        });
        expect(r.code, r.stderr).toBe(1);
        expect(JSON.parse(r.stdout)).toMatchObject({
          ok: false,
          error: { name: "APIUserAbortError", code: "ABORTED" },
        });
        expect(r.stderr).toMatch(/^polyai-connectors: APIUserAbortError: /m);
        expect(stop.listenersAfter()).toBe(0);
        expect(signals.listenerCount(name)).toBe(0);
        expect(writes(t.mock.requests)).toEqual([]);
      });
    },
  );

  it("apply --yes: a signal during the writes reports what was written, each change not done aborted, exit 1", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const signals = new EventEmitter();
      // The first write, as writes() tells them: reads are GET, or POST to …/batch and …/lookup.
      const stop = signalOn(
        signals,
        name,
        (method, path) =>
          method !== "GET" && !(method === "POST" && /\/(batch|lookup)$/.test(path)),
      );
      const desired = await t.file("d.json", DESIRED);
      const r = await cliWith(["apply", desired, "--yes", "--json", "--base-url", t.mock.url], {
        signals,
        fetch: stop.fetch,
      });
      expect(r.code, r.stderr).toBe(1);
      // As JSON: each error an object, not an Error.
      const result = JSON.parse(r.stdout) as Omit<ApplyResult, "results" | "verifyError"> & {
        results: { status: string; error?: { name: string; code?: string } }[];
        verifyError?: { name: string; code?: string };
      };
      expect(result.ok).toBe(false);
      expect(result.applied).toBe(0);
      // Each with its code, as every error the CLI prints (the SDK's toJSON came first).
      expect(result.results.map((c) => [c.status, c.error?.name, c.error?.code])).toEqual(
        result.results.map(() => ["failed", "APIUserAbortError", "ABORTED"]),
      );
      expect(result.verifyError).toMatchObject({ name: "APIUserAbortError", code: "ABORTED" });
      expect(r.stderr).toContain("Not every change is in effect");
      expect(writes(t.mock.requests)).toEqual([]);
      expect(stop.listenersAfter()).toBe(0);
    });
  });
});

describe.concurrent("no signal", () => {
  it("a run listens for both signals while it runs, and leaves no listener behind", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const signals = new EventEmitter();
      const desired = await t.file("d.json", DESIRED);
      let during = -1;
      const counted: typeof fetch = (input, init) => {
        during = signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM");
        return fetch(input, init);
      };
      const planned = await cliWith(["plan", desired, "--base-url", t.mock.url], {
        signals,
        fetch: counted,
      });
      expect(planned.code, planned.stderr).toBe(2);
      expect(during).toBe(2);
      expect(signals.eventNames()).toEqual([]);
    });
  });
});
