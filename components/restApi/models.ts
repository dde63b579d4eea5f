/** The API's models and request validators. */
import * as aws from "@pulumi/aws";
import type { ValidatorKind } from "./args";
import type { ModelSpec } from "./spec";
import type { RestApiChildren } from "./transform";

/**
 * Creates one model per entry, named `<name>-model-<model>`.
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param models - The validated models by name.
 * @returns The models by name.
 */
export function createModels(children: RestApiChildren, name: string, api: aws.apigateway.RestApi, models: Record<string, ModelSpec>): Record<string, aws.apigateway.Model> {
  const created: Record<string, aws.apigateway.Model> = {};
  for (const [modelName, model] of Object.entries(models)) {
    created[modelName] = new aws.apigateway.Model(
      ...children.make("model", `${name}-model-${modelName}`, {
        restApi: api.id,
        name: modelName,
        contentType: model.contentType,
        schema: JSON.stringify(model.schema),
        description: model.description,
      }),
    );
  }
  return created;
}

/**
 * Creates one request validator per entry, named `<name>-validator-<validator>`, checking what
 * its kind says.
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param validators - The validators by name.
 * @returns The validators by name.
 */
export function createValidators(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  validators: Record<string, ValidatorKind>,
): Record<string, aws.apigateway.RequestValidator> {
  const created: Record<string, aws.apigateway.RequestValidator> = {};
  for (const [validatorName, kind] of Object.entries(validators)) {
    created[validatorName] = new aws.apigateway.RequestValidator(
      ...children.make("requestValidator", `${name}-validator-${validatorName}`, {
        restApi: api.id,
        name: validatorName,
        validateRequestBody: kind !== "PARAMETERS",
        validateRequestParameters: kind !== "BODY",
      }),
    );
  }
  return created;
}
