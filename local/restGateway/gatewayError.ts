import type { GatewayResponseType } from "./gatewayResponses";
import type { GatewayAnswer } from "./invocation";

/**
 * A failure of one step of the REST gateway's chain. Steps throw it; the chain renders it, in
 * one place, to the API's gateway response of that type (its default, or the API's
 * customisation), so no step builds an error answer itself.
 *
 * @example
 * throw new GatewayError("INTEGRATION_TIMEOUT", "the endpoint did not answer within 29000 ms");
 */
export class GatewayError extends Error {
  /**
   * @param type - The gateway response type that answers this failure.
   * @param detail - Why, for the local cloud's log; never sent to the caller.
   * @param options.message - `$context.error.message` when it is not the type's default
   *   (e.g. the missing parameters of BAD_REQUEST_PARAMETERS). @default the type's message
   * @param options.validationErrorString - `$context.error.validationErrorString`. @default none
   * @param options.statusCode - The status of this failure when the API does not customise the
   *   type's status (INTEGRATION_FAILURE is 504 by default, but a failed Lambda proxy answers
   *   502). @default the type's default status
   */
  constructor(
    readonly type: GatewayResponseType,
    detail?: string,
    readonly options: { message?: string; validationErrorString?: string; statusCode?: number } = {},
  ) {
    super(detail ?? type);
    this.name = "GatewayError";
  }
}

/**
 * A failure AWS answers with a fixed response outside the API's gateway responses (no
 * customisation applies): e.g. a body over the 10 MB payload limit, or an event Lambda refuses
 * as too large. Steps throw it; the chain sends its answer as is.
 */
export class FixedAnswer extends Error {
  /**
   * @param answer - What AWS answers.
   * @param detail - Why, for the local cloud's log.
   */
  constructor(
    readonly answer: GatewayAnswer,
    detail: string,
  ) {
    super(detail);
    this.name = "FixedAnswer";
  }
}
