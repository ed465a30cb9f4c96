// `polyai-connectors/testing`: a local PolyAI for tests. Kept out of the main
// entry so that production bundles never pull in node:http or ajv's compiler.
export { createMockPolyAI, MockSpecViolationError } from "./mock.js";
export type { MockPolyAI, MockPolyAIOptions } from "./mock.js";
export type { RecordedRequest } from "./request-log.js";
export type { FailNextOptions } from "./faults.js";
export type { MockCallOutcome, MockOutboundCall, MockOutboundOptions } from "./outbound.js";
export type { MockConnector, MockPhoneNumber, SeedConnector, SeedPhoneNumber } from "./store.js";
export { KNOWN_VOICE_FAMILIES } from "./voices.js";
