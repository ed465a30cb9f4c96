// Public names for the generated types. Every shape here is owned by the spec
// (openapi/ → generated/openapi.ts); this file only gives them short names.
import type { components } from "../generated/openapi.js";

type Schemas = components["schemas"];

/** A connector as the API returns it: every field always present. */
export type Connector = Schemas["Connector"];
/** The environment a connector serves: `sandbox`, `pre-release` or `live`. */
export type ClientEnv = Schemas["ClientEnv"];
/**
 * A partial update: absent keys are left unchanged, `variantId: null` unassigns the
 * variant. `{ voiceName: null }` and unknown keys do not compile.
 */
export type ConnectorPatch = Schemas["UpdateConnectorBody"];
/** One item of a batch update: a {@link ConnectorPatch} plus the `connectorId` it applies to. */
export type BatchUpdateItem = Schemas["BatchUpdateConnectorItem"];
/** The outcome of one batch update item: `success: true` with `data`, or `success: false` with `error`. */
export type BatchUpdateResult = Schemas["BatchUpdateResult"];
/** An applied batch update item. */
export type BatchUpdateSuccess = Schemas["BatchUpdateSuccess"];
/** A batch update item that was not applied. */
export type BatchUpdateFailure = Schemas["BatchUpdateFailure"];
/** What `batchGet` returns: the connectors found, and the IDs that were not. */
export type BatchGetResult = Schemas["BatchGetConnectorsResult"];
/** What `delete` returns: the deleted connector's ID and the phone numbers it released. */
export type DeleteConnectorResult = Schemas["DeleteConnectorResult"];
/** PolyAI's error envelope, as sent with every non-2xx answer. */
export type ErrorBody = Schemas["Error"];
/**
 * A phone number of an agent's project: E.164 `number`, owning `projectId` and
 * `accountId`, the `clientEnv` it serves, and `connectorId` when it is routed.
 */
export type PhoneNumber = Schemas["PhoneNumber"];
/** What `phoneNumbers.batchGet` returns: the numbers found, and the ones that were not. */
export type BatchGetPhoneNumbersResult = Schemas["BatchGetPhoneNumbersResult"];
/** What `phoneNumbers.import` returns: every number of the request (already present ones too). */
export type ImportPhoneNumbersResult = Schemas["ImportPhoneNumbersResult"];
/** What `phoneNumbers.importOne` returns: the imported number. */
export type ImportPhoneNumberResult = Schemas["ImportPhoneNumberResult"];
/** How numbers are imported: `{ clientEnv? }`, `live` when absent. */
export type ImportSettings = Omit<Schemas["ImportPhoneNumbersBody"], "phoneNumbers">;
/** What `phoneNumbers.delete` returns: the released number. */
export type DeletePhoneNumberResult = Schemas["DeletePhoneNumberResult"];
/**
 * What `phoneNumbers.deleteMany` returns: the released numbers, and the ones that
 * could not be released with why. `errors` is always a list (empty when none failed).
 */
export type DeletePhoneNumbersResult = Schemas["DeletePhoneNumbersResult"];
/** The filter of `phoneNumbers.list`: `{ connectorId? }`, only the numbers routed to it. */
export type PhoneNumberFilter = NonNullable<
  import("../generated/openapi.js").operations["listPhoneNumbers"]["parameters"]["query"]
>;
/**
 * The call `outboundCalls.create` places: `toNumber` (E.164, or national digits with
 * `countryCode`), `environment`, and optional `variantId`, `encryption` and `metadata`.
 */
export type OutboundCallRequest = Schemas["InitiateOutboundCallBody"];
/** What `outboundCalls.create` returns: the new call's `callSid` and first `status`. */
export type OutboundCall = Schemas["OutboundCall"];
/** What `outboundCalls.get` returns: the call's `status` now and, for a failure, its `reason`. */
export type OutboundCallStatus = Schemas["OutboundCallStatus"];
/** Where a call is: `QUEUED`, `CALLING`, then `SUCCESS` or `FAILURE`. */
export type OutboundCallState = Schemas["OutboundCallState"];
