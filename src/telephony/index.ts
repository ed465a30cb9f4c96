// `polyai-connectors/telephony`: phone lines as code. Write the desired state of an
// agent's connectors and numbers; plan() says what differs, apply() makes it so,
// exportState() writes down what is there now. Runs wherever fetch does: it imports
// the core entry's modules only, nothing from node: and nothing from the testing entry.
export { plan, countChanges } from "./plan.js";
export { apply } from "./apply.js";
export { exportState } from "./export.js";
export { renderPlan, summarizePlan } from "./render.js";
export { validateDesiredState } from "./desired.js";
export type { ValidateOptions } from "./desired.js";
export {
  PlanStaleError,
  InvalidPlanError,
  UnknownConnectorError,
  ChangeRejectedError,
} from "./errors.js";
export type { StaleValue } from "./errors.js";
export { dialMany } from "./dial.js";
export { memoryJournal, JournalMismatchError, InvalidJournalError } from "./journal.js";
export type { CampaignJournal, JournalEntry, JournalError } from "./journal.js";
export type { CampaignRow } from "./campaign-rows.js";
export type {
  DialManyOptions,
  CampaignProgress,
  CampaignResult,
  CampaignRowResult,
} from "./campaign-types.js";
export type {
  DesiredState,
  DesiredConnector,
  CheckedDesiredState,
  ManagedField,
  Plan,
  ConnectorChange,
  PhoneNumberChange,
  PlanOptions,
  PlanWarning,
  PlanTargets,
  RenderPlanOptions,
  ReadOptions,
  ExportOptions,
  OmittedValue,
  ApplyOptions,
  ApplyProgress,
  ApplyResult,
  ChangeResult,
  ConnectorResult,
  PhoneNumberResult,
} from "./types.js";
