import { GatewayError } from "../gatewayError";
import { requestHeader, type RestInvocation } from "../invocation";
import { missingParametersMessage, missingRequiredParameters, selectRequestModel } from "../requestValidation";
import type { StageRuntime } from "../stageRuntime";

/**
 * Step 5, validate: with the method's request validator, the required parameters, then the
 * body against the model for its Content-Type.
 *
 * @param inv - The invocation; past the key and plan.
 * @param stage - The stage being served.
 */
export function validateRequest(inv: RestInvocation, stage: StageRuntime): void {
  const method = inv.method!;
  const { request } = inv;
  if (method.validator?.validateRequestParameters) {
    const missing = missingRequiredParameters(method.requestParameters, {
      headers: request.headers,
      pathParameters: inv.pathParameters,
      queryStringParameters: request.query,
    });
    if (missing.length > 0) {
      const message = missingParametersMessage(missing);
      throw new GatewayError("BAD_REQUEST_PARAMETERS", message, { message, validationErrorString: message });
    }
  }
  if (method.validator?.validateRequestBody) {
    const modelName = selectRequestModel(method.requestModels, requestHeader(request, "content-type"));
    if (!modelName) return;
    const result = stage.validator.validate(modelName, request.body.toString("utf8"));
    if (!result.valid) throw new GatewayError("BAD_REQUEST_BODY", `${inv.route}: body fails ${modelName}`, { validationErrorString: result.validationErrorString });
  }
}
