// #23: the campaign engine (src/telephony/dial.ts) over a stand-in placer and an
// injected clock: rows checked whole before any call, the journal written before
// each trigger and read back on a re-run (dialling only rows never tried or refused
// before sending), concurrency and rate as true bounds. The CLI and the SDK over
// the local PolyAI are in campaign-cli.test.ts and campaign-process.test.ts.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import {
  createPolyAIClient,
  APITimeoutError,
  BadRequestError,
  CallOutcomeUnknownError,
  InvalidInputError,
} from "../src/index.js";
import type { CampaignRow } from "../src/telephony/campaign-rows.js";
import { runCampaign, type CallPlacer } from "../src/telephony/campaign-run.js";
import type { Clock } from "../src/telephony/pace.js";
import { dialMany, type DialManyOptions } from "../src/telephony/index.js";
import {
  InvalidJournalError,
  JournalMismatchError,
  memoryJournal,
  type CampaignJournal,
  type JournalEntry,
} from "../src/telephony/journal.js";

const AGENT = "PROJECT-58RP822I";
const ENV = "sandbox" as const;

/** A clock whose sleeps end in time order, one per macrotask: no wall clock. */
function fakeClock(): Clock & { triggers: number[] } {
  let now = 0;
  const timers: { at: number; go: () => void }[] = [];
  let driving = false;
  const drive = () =>
    setImmediate(() => {
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next) {
        now = Math.max(now, next.at);
        next.go();
      }
      if (timers.length > 0) drive();
      else driving = false;
    });
  return {
    triggers: [],
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((go) => {
        timers.push({ at: now + ms, go });
        if (!driving) {
          driving = true;
          drive();
        }
      }),
  };
}

const tick = () => new Promise<void>((go) => setImmediate(go));

type Fate = "refuse" | "unknown" | "throw" | "fail";

/** A placer that counts calls per number and in flight; `fates` picks a number's answer. */
function placer(fates: Record<string, Fate> = {}, clock?: { now(): number; triggers: number[] }) {
  let inFlight = 0;
  const p = {
    calls: new Map<string, number>(),
    most: 0,
    statusReads: 0,
    check(row: CampaignRow, field: string) {
      if (!/^\+[1-9][0-9]{6,14}$/.test(row.toNumber) && row.countryCode === undefined)
        throw new InvalidInputError(`${field}.toNumber`, "expected an E.164 number");
    },
    async place(row: CampaignRow) {
      clock?.triggers.push(clock.now());
      p.most = Math.max(p.most, ++inFlight);
      try {
        await tick();
        const fate = fates[row.toNumber];
        if (fate === "refuse")
          throw new BadRequestError({ status: 400, headers: new Headers(), body: {} });
        p.calls.set(row.toNumber, (p.calls.get(row.toNumber) ?? 0) + 1);
        if (fate === "unknown")
          throw new CallOutcomeUnknownError(new APITimeoutError("the answer was lost"), {});
        if (fate === "throw") throw new TypeError("something nobody expected");
        return { callSid: `OUT-${row.toNumber.slice(1)}`, status: "QUEUED" };
      } finally {
        inFlight--;
      }
    },
    async status(callSid: string) {
      p.statusReads++;
      await tick();
      const failed = fates[`+${callSid.slice(4)}`] === "fail";
      if (p.statusReads % 3 !== 0) return { status: "CALLING" };
      return failed ? { status: "FAILURE", reason: "no answer" } : { status: "SUCCESS" };
    },
  } satisfies CallPlacer & Record<string, unknown>;
  return p;
}

const rows = (n: number): CampaignRow[] =>
  Array.from({ length: n }, (_, i) => ({
    toNumber: `+4477009${String(i).padStart(5, "0")}`,
    metadata: { name: `Person ${i}` },
  }));

const types = (journal: { entries: unknown[] }) =>
  journal.entries.map((e) => (e as JournalEntry).type);

describe("rows are checked whole before any call", () => {
  it.each([
    [[{ toNumber: 447700900001 }], "rows[0].toNumber", "expected a string"],
    [
      [{ toNumber: "+447700900001" }, { tonumber: "+447700900002" }],
      "rows[1].tonumber",
      '"toNumber"',
    ],
    [[{ toNumber: "+447700900001", metadata: { age: 3 } }], "rows[0].metadata.age", "SIP"],
    [[{ toNumber: "+447700900001" }, { toNumber: "07700" }], "rows[1].toNumber", "E.164"],
    [[{ toNumber: "+447700900001" }, { toNumber: "+447700900001" }], "rows[1].toNumber", "rows[0]"],
    // #23: one person, spelt two ways: formatting aside, and a "+" number's countryCode is moot.
    [
      [{ toNumber: "+447700900001" }, { toNumber: "+44 (7700) 900-001", countryCode: "GB" }],
      "rows[1].toNumber",
      "rows[0]",
    ],
    [
      [
        { toNumber: "020 7946 0000", countryCode: "GB" },
        { toNumber: "02079460000", countryCode: "GB" },
      ],
      "rows[1].toNumber",
      "rows[0]",
    ],
  ])("%j: %s", async (input, field, words) => {
    const p = placer();
    const journal = memoryJournal();
    const error = await runCampaign(p, AGENT, input, { environment: ENV, journal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect((error as Error).message).toContain(words);
    expect(p.calls.size).toBe(0);
    expect(journal.entries).toEqual([]);
  });

  it("a number two rows share is dialled once per row with allowDuplicates", async () => {
    const p = placer();
    const twice = [{ toNumber: "+447700900001" }, { toNumber: "+447700900001" }];
    const result = await runCampaign(p, AGENT, twice, {
      environment: ENV,
      journal: memoryJournal(),
      allowDuplicates: true,
    });
    expect(result.placed).toBe(2);
    expect(p.calls.get("+447700900001")).toBe(2);
  });

  it("options out of range are refused, naming the option", async () => {
    for (const [options, field] of [
      [{ concurrency: 0 }, "options.concurrency"],
      [{ ratePerSecond: -1 }, "options.ratePerSecond"],
      [{ ratePerSecond: Infinity }, "options.ratePerSecond"],
    ] as const) {
      const e = await runCampaign(placer(), AGENT, rows(1), {
        environment: ENV,
        journal: memoryJournal(),
        ...options,
      }).catch((err: unknown) => err);
      expect((e as InvalidInputError).field).toBe(field);
    }
  });
});

describe("dialMany's arguments are checked before any request", () => {
  it.each([
    ["agentId", "PROJECT 1/..", {}],
    ["options.environment", AGENT, { environment: "prod" }],
    ["options.journal", AGENT, { journal: {} }],
    ["options.ratePerSec", AGENT, { ratePerSec: 2 }],
    ["options.onProgress", AGENT, { onProgress: "yes" }],
    ["rows[0].toNumber", AGENT, {}, [{ toNumber: "07700 900001" }]],
    ["rows[0].countryCode", AGENT, {}, [{ toNumber: "07700900001", countryCode: "uk" }]],
  ])("%s", async (field, agent, extra, input: unknown[] = rows(1)) => {
    let sent = 0;
    const poly = createPolyAIClient({
      apiKey: "sk-campaign-test-key",
      baseUrl: "http://127.0.0.1:9",
      fetch: () => {
        sent++;
        return Promise.reject(new Error("no request was expected"));
      },
    });
    const options = { environment: ENV, journal: memoryJournal(), ...extra } as DialManyOptions;
    const e = await dialMany(poly, agent, input as CampaignRow[], options).catch(
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).field).toBe(field);
    expect(sent).toBe(0);
  });
});

describe("the journal", () => {
  it("records attempting before each trigger, then its result", async () => {
    const journal = memoryJournal();
    let seenBefore = 0;
    const p = placer({ "+447700900001": "refuse", "+447700900002": "unknown" });
    const place = p.place.bind(p);
    const spy: CallPlacer = {
      ...p,
      check: p.check,
      status: p.status,
      place: (row) => {
        // The attempting entry is in the journal when the trigger leaves.
        const last = journal.entries.at(-1) as JournalEntry;
        if (last.type === "attempting" && last.toNumber === row.toNumber) seenBefore++;
        return place(row);
      },
    };
    const result = await runCampaign(
      spy,
      AGENT,
      [{ toNumber: "+447700900000" }, { toNumber: "+447700900001" }, { toNumber: "+447700900002" }],
      { environment: ENV, journal, concurrency: 1 },
    );
    expect(seenBefore).toBe(3);
    expect(types(journal)).toEqual([
      "campaign",
      "attempting",
      "placed",
      "attempting",
      "refused",
      "attempting",
      "unknown",
    ]);
    expect(result.rows.map((r) => r.outcome)).toEqual(["placed", "refused", "unknown"]);
    expect(result.ok).toBe(false);
    expect(result.rows[1]?.error?.code).toBeUndefined();
    expect(result.rows[2]?.error?.code).toBe("CALL_OUTCOME_UNKNOWN");
  });

  it("an error nobody classified is outcome unknown, never dialled again", async () => {
    const journal = memoryJournal();
    const p = placer({ "+447700900000": "throw" });
    const first = await runCampaign(p, AGENT, rows(1), { environment: ENV, journal });
    expect(first.rows[0]?.outcome).toBe("unknown");
    const again = await runCampaign(p, AGENT, rows(1), { environment: ENV, journal });
    expect(again.dialledNow).toBe(0);
    expect(p.calls.get("+447700900000")).toBe(1);
  });

  it("a re-run dials only rows never tried or refused before sending", async () => {
    const journal = memoryJournal();
    const fates: Record<string, Fate> = {
      "+447700900001": "refuse",
      "+447700900002": "unknown",
    };
    const p = placer(fates);
    const input = rows(4);
    await runCampaign(p, AGENT, input, { environment: ENV, journal });
    // The refusal is gone now (the number was fixed on the server's side).
    delete fates["+447700900001"];
    const again = await runCampaign(p, AGENT, input, { environment: ENV, journal });
    expect(again.rows.map((r) => [r.outcome, r.dialledNow])).toEqual([
      ["placed", false],
      ["placed", true],
      ["unknown", false],
      ["placed", false],
    ]);
    expect([...p.calls.values()]).toEqual([1, 1, 1, 1]);
    const third = await runCampaign(p, AGENT, input, { environment: ENV, journal });
    expect(third.dialledNow).toBe(0);
  });

  it("an attempt with no result (the process died mid-request) is unknown and not dialled", async () => {
    const input = rows(3);
    const journal = memoryJournal();
    const p = placer();
    await runCampaign(p, AGENT, input, { environment: ENV, journal, concurrency: 1 });
    // Keep the header, row 0's attempt and result, and row 1's attempt: a kill then.
    journal.entries.splice(4);
    const resumed = placer();
    const again = await runCampaign(resumed, AGENT, input, { environment: ENV, journal });
    expect(again.rows.map((r) => r.outcome)).toEqual(["placed", "unknown", "placed"]);
    expect(again.rows[1]?.error?.code).toBe("CALL_OUTCOME_UNKNOWN");
    expect(again.rows.map((r) => r.dialledNow)).toEqual([false, false, true]);
    expect([...resumed.calls.keys()]).toEqual([input[2]?.toNumber]);
  });

  it("a journal of other rows, another agent or another environment is refused before any call", async () => {
    const journal = memoryJournal();
    const p = placer();
    await runCampaign(p, AGENT, rows(2), { environment: ENV, journal });
    const attempts = [
      () => runCampaign(p, AGENT, rows(3), { environment: ENV, journal }),
      () =>
        runCampaign(p, AGENT, [rows(2)[0], { toNumber: "+447700900999" }], {
          environment: ENV,
          journal,
        }),
      () => runCampaign(p, "PROJECT-OTHER01", rows(2), { environment: ENV, journal }),
      () => runCampaign(p, AGENT, rows(2), { environment: "live", journal }),
    ];
    for (const attempt of attempts) {
      const e = await attempt().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(JournalMismatchError);
      expect((e as JournalMismatchError).code).toBe("JOURNAL_MISMATCH");
    }
    expect(p.calls.size).toBe(2);
    expect(journal.entries).toHaveLength(5);
  });

  it("a journal edited by hand is refused, naming the entry; placed cannot become refused", async () => {
    const input = rows(2);
    const p = placer();
    const base = memoryJournal();
    await runCampaign(p, AGENT, input, { environment: ENV, journal: base, concurrency: 1 });
    const edits: [string, (entries: Record<string, unknown>[]) => void, number][] = [
      ["a row out of range", (e) => (e[1]!["row"] = 7), 1],
      ["another row's digest", (e) => (e[1]!["row"] = 1), 1],
      ["an unknown type", (e) => (e[2]!["type"] = "dialled"), 2],
      ["a header removed", (e) => e.shift(), 0],
      ["a placed without callSid", (e) => delete e[2]!["callSid"], 2],
    ];
    for (const [, edit, entry] of edits) {
      const entries = structuredClone(base.entries) as Record<string, unknown>[];
      edit(entries);
      const e = await runCampaign(p, AGENT, input, {
        environment: ENV,
        journal: memoryJournal(entries),
      }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidJournalError);
      expect((e as InvalidJournalError).entry).toBe(entry);
    }
    // A refusal appended by hand after "placed" does not make the row dialable.
    const entries = structuredClone(base.entries) as Record<string, unknown>[];
    entries.push({ ...entries[1], type: "refused", error: { name: "X", message: "edited" } });
    const again = await runCampaign(p, AGENT, input, {
      environment: ENV,
      journal: memoryJournal(entries),
    });
    expect(again.dialledNow).toBe(0);
    expect([...p.calls.values()]).toEqual([1, 1]);
  });

  it("a journal that cannot be written stops the campaign before the next trigger", async () => {
    const p = placer();
    let appends = 0;
    const failing: CampaignJournal = {
      read: () => Promise.resolve([]),
      append: () => (++appends > 4 ? Promise.reject(new Error("ENOSPC")) : Promise.resolve()),
    };
    const e = await runCampaign(p, AGENT, rows(10), {
      environment: ENV,
      journal: failing,
      concurrency: 1,
    }).catch((err: unknown) => err);
    expect((e as Error).message).toBe("ENOSPC");
    // header, row 0 attempting + placed, row 1 attempting, then row 1's result fails.
    expect(p.calls.size).toBe(2);
  });
});

describe("bounds", () => {
  it("concurrency bounds the triggers in flight", async () => {
    for (const concurrency of [1, 3, 16]) {
      const p = placer();
      const result = await runCampaign(p, AGENT, rows(60), {
        environment: ENV,
        journal: memoryJournal(),
        concurrency,
      });
      expect(result.placed).toBe(60);
      expect(p.most).toBe(concurrency);
    }
  });

  it("the rate bounds triggers in every one-second window (injected clock)", async () => {
    for (const rate of [5, 0.5, 40]) {
      const clock = fakeClock();
      const p = placer({}, clock);
      const result = await runCampaign(
        p,
        AGENT,
        rows(50),
        { environment: ENV, journal: memoryJournal(), concurrency: 8, ratePerSecond: rate },
        clock,
      );
      expect(result.placed).toBe(50);
      const t = clock.triggers;
      expect(t).toHaveLength(50);
      // Any `ceil(rate)` + 1 consecutive triggers span at least a second …
      const n = Math.ceil(rate);
      for (let i = 0; i + n < t.length; i++) expect(t[i + n]! - t[i]!).toBeGreaterThanOrEqual(1000);
      // … and no fixed window holds more than the rate allows.
      const perWindow = new Map<number, number>();
      for (const at of t)
        perWindow.set(Math.floor(at / 1000), (perWindow.get(Math.floor(at / 1000)) ?? 0) + 1);
      expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(n);
      // The bound is met, not merely undershot: the whole run takes about 50/rate seconds.
      expect(t.at(-1)).toBe(Math.round((49 / rate) * 1000 * 1e6) / 1e6);
    }
  });
});

describe("one run per journal", () => {
  it("a second dialMany on a journal in use is refused before anything is read; after the first ends it resumes", async () => {
    const journal = memoryJournal();
    const p = placer();
    const first = runCampaign(p, AGENT, rows(20), { environment: ENV, journal, concurrency: 2 });
    const second = await runCampaign(p, AGENT, rows(20), { environment: ENV, journal }).catch(
      (e: unknown) => e,
    );
    expect(second).toBeInstanceOf(InvalidInputError);
    expect(second).toMatchObject({ field: "options.journal" });
    expect((second as Error).message).toContain("in use by another dialMany run");
    expect(await first).toMatchObject({ ok: true, dialledNow: 20 });
    expect([...p.calls.values()]).toEqual(Array(20).fill(1));
    // Released when the run ends, also when it fails: a re-run resumes.
    const again = await runCampaign(p, AGENT, rows(20), { environment: ENV, journal });
    expect(again).toMatchObject({ ok: true, dialledNow: 0 });
  });
});

describe("the run's signal", () => {
  it("holds one abort listener however many rows wait for their turn or their call, none after the run", async () => {
    // Node warns past 10 listeners on one signal (MaxListenersExceededWarning on the CLI's stderr).
    const controller = new AbortController();
    const p = placer();
    let most = 0;
    const count = () => {
      most = Math.max(most, getEventListeners(controller.signal, "abort").length);
    };
    const stand = {
      ...p,
      place: async (row: CampaignRow) => (count(), p.place(row)),
      status: async (sid: string) => (count(), p.status(sid)),
    };
    const result = await runCampaign(stand, AGENT, rows(40), {
      environment: ENV,
      journal: memoryJournal(),
      concurrency: 32,
      ratePerSecond: 1_000,
      wait: true,
      pollIntervalMs: 1,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: true, ended: 40 });
    expect(most).toBe(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("wait", () => {
  it("polls each placed call until it ends and journals the final status", async () => {
    const clock = fakeClock();
    const journal = memoryJournal();
    const p = placer({ "+447700900001": "fail" });
    const result = await runCampaign(
      p,
      AGENT,
      rows(3),
      { environment: ENV, journal, wait: true, pollIntervalMs: 100 },
      clock,
    );
    expect(result.ok).toBe(true);
    expect(result.ended).toBe(3);
    expect(result.rows[1]).toMatchObject({ status: "FAILURE", reason: "no answer", ended: true });
    expect(types(journal).filter((t) => t === "ended")).toHaveLength(3);
  });

  it("a re-run with wait waits for placed calls without dialling them again", async () => {
    const clock = fakeClock();
    const journal = memoryJournal();
    const p = placer();
    const first = await runCampaign(p, AGENT, rows(3), { environment: ENV, journal });
    expect(first.ok).toBe(true);
    const again = await runCampaign(
      p,
      AGENT,
      rows(3),
      { environment: ENV, journal, wait: true, pollIntervalMs: 100 },
      clock,
    );
    expect(again).toMatchObject({ ok: true, ended: 3, dialledNow: 0 });
    expect([...p.calls.values()]).toEqual([1, 1, 1]);
  });

  it("gives up on a call that does not end within waitTimeoutMs: CALL_WAIT_TIMEOUT, not ok, and a re-run waits again", async () => {
    const clock = fakeClock();
    const journal = memoryJournal();
    const p = placer();
    const stuck = { ...p, status: async () => ({ status: "CALLING" }) };
    const options = { environment: ENV, journal, wait: true, pollIntervalMs: 100 };
    const result = await runCampaign(
      stuck,
      AGENT,
      rows(2),
      { ...options, waitTimeoutMs: 60_000 },
      clock,
    );
    expect(result).toMatchObject({ ok: false, placed: 2, ended: 0, dialledNow: 2 });
    expect(result.rows[0]?.error).toEqual({
      name: "CallWaitTimeoutError",
      code: "CALL_WAIT_TIMEOUT",
      message: "had not ended after 60000 ms (waitTimeoutMs); its last status was CALLING",
    });
    // The last read is at the deadline, not a whole backoff pause past it.
    expect(clock.now()).toBe(60_000);
    const again = await runCampaign(p, AGENT, rows(2), options, clock);
    expect(again).toMatchObject({ ok: true, ended: 2, dialledNow: 0 });
    expect([...p.calls.values()]).toEqual([1, 1]);
  });

  it("waits 30 minutes by default, and refuses a waitTimeoutMs out of range before any call", async () => {
    const clock = fakeClock();
    const stuck = { ...placer(), status: async () => ({ status: "QUEUED" }) };
    const result = await runCampaign(
      stuck,
      AGENT,
      rows(1),
      { environment: ENV, journal: memoryJournal(), wait: true },
      clock,
    );
    expect(result.rows[0]?.error?.code).toBe("CALL_WAIT_TIMEOUT");
    expect(clock.now()).toBe(1_800_000);
    const p = placer();
    for (const waitTimeoutMs of [0, -1, 1.5, Number.NaN, "60000"])
      await expect(
        runCampaign(p, AGENT, rows(1), {
          environment: ENV,
          journal: memoryJournal(),
          wait: true,
          waitTimeoutMs: waitTimeoutMs as number,
        }),
      ).rejects.toMatchObject({ field: "options.waitTimeoutMs" });
    expect(p.calls.size).toBe(0);
  });

  it("abort stops starting rows; they are not dialled and a re-run dials them", async () => {
    const controller = new AbortController();
    const journal = memoryJournal();
    const p = placer();
    const result = await runCampaign(p, AGENT, rows(10), {
      environment: ENV,
      journal,
      concurrency: 1,
      signal: controller.signal,
      onProgress: ({ done }) => done === 3 && controller.abort(),
    });
    expect(result.placed).toBe(3);
    expect(result.notDialled).toBe(7);
    const again = await runCampaign(p, AGENT, rows(10), { environment: ENV, journal });
    expect(again).toMatchObject({ ok: true, placed: 10, dialledNow: 7 });
    expect([...p.calls.values()].every((n) => n === 1)).toBe(true);
  });
});
