// The body limits' bounds and defaults, shared by the mock and its bin (#20). A module
// of constants only, so the bin's bundle may carry its own copy.
import { constants } from "node:buffer";

/** The highest body limit: a longer body could not be decoded into one string (#20: a 600 MB body once went unanswered so). */
export const MAX_BODY_LIMIT = constants.MAX_STRING_LENGTH;

/** The default of `maxBodyBytes`: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
