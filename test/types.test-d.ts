// Type-level tests, run by vitest's typecheck mode (and by `tsc --noEmit`).
// Nothing here executes: every `// @ts-expect-error` must sit on a line that
// does not compile, or the check fails.
import type { Client } from "openapi-fetch";
import { assertType, describe, expectTypeOf, test } from "vitest";
import type { paths } from "../generated/openapi.js";
import {
  clearVariant,
  createPolyAIClient,
  type BatchUpdateItem,
  type BatchUpdateResult,
  type Connector,
  type ConnectorPatch,
  type APIPromise,
  type OutboundCall,
  type OutboundCallStatus,
  type PolyAIClient,
  type WithResponse,
} from "../src/index.js";

declare const poly: PolyAIClient;
const A = "PROJECT-58RP822I";
const C = "CONN-7d2f9a";

describe("update's patch type", () => {
  test("rejects null for fields that cannot be cleared", () => {
    // @ts-expect-error voiceName cannot be null
    void poly.connectors.update(A, C, { voiceName: null });
    // @ts-expect-error asrLangCode cannot be null
    void poly.connectors.update(A, C, { asrLangCode: null });
    // @ts-expect-error projectId cannot be null
    void poly.connectors.update(A, C, { projectId: null });
    expectTypeOf<{ voiceName: null }>().not.toExtend<ConnectorPatch>();
    expectTypeOf<{ asrLangCode: null }>().not.toExtend<ConnectorPatch>();
  });

  test("rejects unknown keys and the server-derived ttsLangCode", () => {
    // @ts-expect-error ttsLangCode is derived by the server from voiceName
    void poly.connectors.update(A, C, { ttsLangCode: "en-GB" });
    // @ts-expect-error a typo is not a field
    void poly.connectors.update(A, C, { voicename: "en-GB-Neural2-A" });
    // @ts-expect-error read-only fields of Connector cannot be patched
    void poly.connectors.update(A, C, { name: "Main line" });
    // @ts-expect-error unknown keys beside a valid one
    void poly.connectors.update(A, C, { voiceName: "en-GB-Neural2-A", disableHandoff: true });
    expectTypeOf<keyof ConnectorPatch>().toEqualTypeOf<
      "variantId" | "asrLangCode" | "voiceName" | "projectId"
    >();
  });

  test("rejects values of the wrong type", () => {
    // @ts-expect-error voiceName is a string
    void poly.connectors.update(A, C, { voiceName: 42 });
    // @ts-expect-error variantId is a string or null, not a boolean
    void poly.connectors.update(A, C, { variantId: false });
  });

  test("accepts variantId null, clearVariant() and clearVariant() spread with more fields", () => {
    void poly.connectors.update(A, C, { variantId: null });
    void poly.connectors.update(A, C, clearVariant());
    void poly.connectors.update(A, C, { ...clearVariant(), voiceName: "x" });
    void poly.connectors.update(A, C, {
      variantId: "VARIANT-1",
      asrLangCode: "en-GB",
      voiceName: "en-GB-Neural2-A",
      projectId: "P",
    });
    expectTypeOf(clearVariant()).toEqualTypeOf<{ variantId: null }>();
    assertType<ConnectorPatch>(clearVariant());
    assertType<ConnectorPatch>({ ...clearVariant(), voiceName: "x" });
  });

  test("update takes (agentId, connectorId, patch, options?) and returns Promise<Connector>", () => {
    expectTypeOf(poly.connectors.update).parameter(2).toEqualTypeOf<ConnectorPatch>();
    expectTypeOf(poly.connectors.update).returns.toEqualTypeOf<APIPromise<Connector>>();
    expectTypeOf(poly.connectors.update(A, C, { voiceName: "x" })).toExtend<Promise<Connector>>();
    expectTypeOf(
      poly.connectors.update(A, C, { voiceName: "x" }).withResponse(),
    ).resolves.toEqualTypeOf<WithResponse<Connector>>();
    expectTypeOf(
      poly.connectors.update(A, C, { voiceName: "en-GB-Neural2-A" }, { dryRun: true }),
    ).resolves.toEqualTypeOf<Connector>();
    // @ts-expect-error dryRun is a boolean
    void poly.connectors.update(A, C, { voiceName: "en-GB-Neural2-A" }, { dryRun: "yes" });
    // @ts-expect-error the patch is required
    void poly.connectors.update(A, C);
  });
});

describe("the other methods", () => {
  test("batchUpdate results narrow on success", async () => {
    const results = await poly.connectors.batchUpdate(A, [
      { connectorId: C, voiceName: "en-GB-Neural2-A" },
      { connectorId: "CONN-2", ...clearVariant() },
    ]);
    expectTypeOf(results).toEqualTypeOf<BatchUpdateResult[]>();
    for (const result of results) {
      expectTypeOf(result.connectorId).toEqualTypeOf<string>();
      if (result.success) {
        expectTypeOf(result.data).toEqualTypeOf<Connector>();
        // @ts-expect-error a success has no error
        void result.error;
      } else {
        expectTypeOf(result.error).toEqualTypeOf<string>();
        expectTypeOf(result.success).toEqualTypeOf<false>();
        // @ts-expect-error a failure has no data
        void result.data;
      }
    }
  });

  test("batchUpdate items need a connectorId and follow the patch rules", () => {
    // @ts-expect-error connectorId is required
    void poly.connectors.batchUpdate(A, [{ voiceName: "en-GB-Neural2-A" }]);
    // @ts-expect-error voiceName cannot be null in a batch item either
    void poly.connectors.batchUpdate(A, [{ connectorId: C, voiceName: null }]);
    // @ts-expect-error no ttsLangCode in a batch item
    void poly.connectors.batchUpdate(A, [{ connectorId: C, ttsLangCode: "en-GB" }]);
    expectTypeOf<keyof BatchUpdateItem>().toEqualTypeOf<keyof ConnectorPatch | "connectorId">();
    expectTypeOf<BatchUpdateItem["connectorId"]>().toEqualTypeOf<string>();
    expectTypeOf<BatchUpdateItem["variantId"]>().toEqualTypeOf<ConnectorPatch["variantId"]>();
    expectTypeOf<BatchUpdateItem["voiceName"]>().toEqualTypeOf<ConnectorPatch["voiceName"]>();
  });

  test("read methods return the spec's shapes", () => {
    expectTypeOf(poly.connectors.get(A, C)).resolves.toEqualTypeOf<Connector>();
    expectTypeOf(poly.connectors.list(A)).resolves.toEqualTypeOf<Connector[]>();
    expectTypeOf(poly.connectors.lookup(A, "+14155550123")).resolves.toEqualTypeOf<Connector>();
    expectTypeOf(poly.connectors.batchGet(A, [C])).resolves.toEqualTypeOf<{
      found: Connector[];
      notFound: string[];
    }>();
    expectTypeOf(poly.connectors.delete(A, C)).resolves.toEqualTypeOf<{
      deletedConnector: string;
      deletedPhoneNumbers: string[];
    }>();
  });
});

test("Connector has all ten fields, every one required", () => {
  expectTypeOf<Connector>().toEqualTypeOf<{
    connectorId: string;
    name: string;
    accountId: string;
    projectId: string;
    clientEnv: "sandbox" | "pre-release" | "live";
    variantId: string;
    asrLangCode: string;
    ttsLangCode: string;
    voiceName: string;
    disableHandoff: boolean;
  }>();
  expectTypeOf<Required<Connector>>().toEqualTypeOf<Connector>();
  // @ts-expect-error a connector without disableHandoff is not a Connector
  assertType<Connector>({
    connectorId: C,
    name: "n",
    accountId: "a",
    projectId: "p",
    clientEnv: "live",
    variantId: "",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Neural2-A",
  });
});

describe("the raw client", () => {
  test("is the typed openapi-fetch client of the spec's paths", () => {
    expectTypeOf(poly.raw).toEqualTypeOf<Client<paths>>();
    expectTypeOf(createPolyAIClient).returns.toEqualTypeOf<PolyAIClient>();
  });

  test("types paths, parameters, bodies and answers", async () => {
    const got = await poly.raw.GET("/v1/agents/{agentId}/telephony/connectors/{connectorId}", {
      params: { path: { agentId: A, connectorId: C } },
    });
    expectTypeOf(got.data).toEqualTypeOf<Connector | undefined>();
    if (got.error) expectTypeOf(got.error.error_code).toEqualTypeOf<string>();

    const patched = await poly.raw.PATCH(
      "/v1/agents/{agentId}/telephony/connectors/{connectorId}",
      {
        params: { path: { agentId: A, connectorId: C } },
        body: { variantId: null },
      },
    );
    expectTypeOf(patched.data).toEqualTypeOf<Connector | undefined>();

    // prettier-ignore
    {
      // @ts-expect-error no such path
      void poly.raw.GET("/v1/agents/{agentId}/telephony/numbers", { params: { path: { agentId: A } } });
      // @ts-expect-error connectorId is a required path parameter
      void poly.raw.GET("/v1/agents/{agentId}/telephony/connectors/{connectorId}", { params: { path: { agentId: A } } });
      // @ts-expect-error the collection has no PATCH
      void poly.raw.PATCH("/v1/agents/{agentId}/telephony/connectors", { params: { path: { agentId: A } } });
    }
    void poly.raw.PATCH("/v1/agents/{agentId}/telephony/connectors/{connectorId}", {
      params: { path: { agentId: A, connectorId: C } },
      // @ts-expect-error voiceName cannot be null in the raw body either
      body: { voiceName: null },
    });
  });
});

describe("options accept undefined where the caller has an optional value", () => {
  // Under exactOptionalPropertyTypes (this repo's tsconfig), `?: T` alone would
  // refuse `process.env.X`, which is `string | undefined`; at run time undefined
  // means "not set", so the types say the same.
  test("client, call and write options", () => {
    const env: Record<string, string | undefined> = {};
    const maybeSignal = undefined as AbortSignal | undefined;
    assertType(
      createPolyAIClient({
        apiKey: env["POLYAI_API_KEY"],
        region: undefined,
        baseUrl: env["POLYAI_BASE_URL"],
        backoff: { initialMs: undefined },
        logger: undefined,
      }),
    );
    void poly.connectors.list(A, { signal: maybeSignal, timeoutMs: undefined });
    void poly.connectors.update(A, C, clearVariant(), { dryRun: undefined });
  });

  test("while a patch still refuses an undefined field", () => {
    // @ts-expect-error undefined is not a value of a patch field under exactOptionalPropertyTypes
    void poly.connectors.update(A, C, { voiceName: undefined });
  });
});

describe("#23: outbound calls", () => {
  const call = { toNumber: "+442079460000", environment: "live" } as const;
  test("create returns the SID and status; createAndWait the final status", () => {
    expectTypeOf(poly.outboundCalls.create(A, call)).toEqualTypeOf<APIPromise<OutboundCall>>();
    expectTypeOf(
      poly.outboundCalls.createAndWait(A, call),
    ).resolves.toEqualTypeOf<OutboundCallStatus>();
    expectTypeOf<OutboundCallStatus["status"]>().toEqualTypeOf<
      "QUEUED" | "CALLING" | "SUCCESS" | "FAILURE"
    >();
  });
  test("refuses what the spec refuses", () => {
    // @ts-expect-error environment is one of sandbox, pre-release, live
    void poly.outboundCalls.create(A, { ...call, environment: "staging" });
    // @ts-expect-error metadata values are strings
    void poly.outboundCalls.create(A, { ...call, metadata: { attempt: 2 } });
    // @ts-expect-error unknown keys do not compile
    void poly.outboundCalls.create(A, { ...call, countrycode: "GB" });
    // @ts-expect-error the status read needs the call's environment
    void poly.outboundCalls.get(A, "OUT-1");
    // encryption is optional: the default is stated in prose, not as a JSON Schema default.
    assertType<Parameters<typeof poly.outboundCalls.create>[1]>(call);
  });
});
