// The core entry: the client, the patch helpers, voice parsing, the errors and the
// types. Runs on any runtime with fetch; imports nothing from node: and nothing
// from the testing entry.
export { createPolyAIClient } from "./client.js";
export { APIPromise } from "./api-promise.js";
export type { WithResponse } from "./api-promise.js";
export type { ClientOptions, PolyAIClient, Region } from "./client.js";
export type {
  ConnectorsResource,
  PhoneNumbersResource,
  OutboundCallsResource,
} from "../generated/resources.js";
export type { OutboundCalls, WaitOptions } from "./outbound-calls.js";
export { CallOutcomeUnknownError } from "./call-outcome-unknown-error.js";
export { CallWaitError } from "./call-wait-error.js";
export { CallWaitTimeoutError } from "./call-wait-timeout-error.js";
export type { RequestOptions, WriteOptions } from "./options.js";
export { applyConnectorPatch, clearVariant } from "./patch.js";
export { parseVoiceName, ttsLangCodeFromVoice } from "./voice.js";
export type { VoiceName } from "./voice.js";
export type { Logger, RetryEvent } from "./logger.js";
export type { ApiKeyProvider, BackoffOptions } from "./options.js";
export type { InputProblem } from "./errors.js";
export {
  PolyAIError,
  InvalidInputError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
} from "./errors.js";
export type { RequestInfo } from "./errors.js";
export type {
  Connector,
  ClientEnv,
  ConnectorPatch,
  BatchUpdateItem,
  BatchUpdateResult,
  BatchUpdateSuccess,
  BatchUpdateFailure,
  BatchGetResult,
  DeleteConnectorResult,
  ErrorBody,
  PhoneNumber,
  PhoneNumberFilter,
  BatchGetPhoneNumbersResult,
  ImportSettings,
  ImportPhoneNumbersResult,
  ImportPhoneNumberResult,
  DeletePhoneNumberResult,
  DeletePhoneNumbersResult,
  OutboundCallRequest,
  OutboundCall,
  OutboundCallStatus,
  OutboundCallState,
} from "./types.js";
