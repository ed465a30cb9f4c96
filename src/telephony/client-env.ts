// The environments a number serves (the spec's ClientEnv enum), and the check of
// an option naming one: plan's and apply's `clientEnv` (#22) in one place.
import { operations, type StringRule } from "../../generated/operations.js";
import { InvalidInputError, type ClientEnv } from "../index.js";

/** The environments an import may serve: the spec's ClientEnv enum. */
export const CLIENT_ENVS: readonly string[] =
  (operations.importPhoneNumbers.body.props.clientEnv as StringRule).enum ?? [];

/** Checks an optional clientEnv option. */
export function clientEnvOption(value: unknown, field: string): ClientEnv | undefined {
  if (value === undefined || CLIENT_ENVS.includes(value as string))
    return value as ClientEnv | undefined;
  throw new InvalidInputError(field, `expected one of ${CLIENT_ENVS.join(", ")}`);
}
