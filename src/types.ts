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
