/**
 * The API's models (JSON Schema draft 4, with `$schema` and `title` set) and request
 * validators.
 */
import type { ModelArgs, ValidatorKind } from "./args";
import type { ModelSpec } from "./spec";

const DRAFT_4 = "http://json-schema.org/draft-04/schema#";
const VALIDATOR_KINDS = ["BODY", "PARAMETERS", "BODY_AND_PARAMETERS"];

/**
 * Checks the models, naming the field that is wrong; returns them with `$schema`, `title` and
 * the content type set.
 *
 * @param models - The models by name. @default {}
 */
export function validateModels(models: Record<string, ModelArgs> = {}): Record<string, ModelSpec> {
  const validated: Record<string, ModelSpec> = {};
  for (const [modelName, model] of Object.entries(models)) {
    if (!/^[A-Za-z0-9]+$/.test(modelName)) {
      throw new Error(`models.${modelName}: model names must be alphanumeric (API Gateway refuses others)`);
    }
    if (typeof model.schema !== "object" || model.schema === null || Array.isArray(model.schema)) {
      throw new Error(`models.${modelName}.schema must be a JSON Schema object`);
    }
    const declared = model.schema.$schema;
    if (declared !== undefined && declared !== DRAFT_4) {
      throw new Error(`models.${modelName}.schema.$schema must be draft 4 ("${DRAFT_4}"), the dialect API Gateway implements (got ${JSON.stringify(declared)})`);
    }
    validated[modelName] = {
      schema: { $schema: DRAFT_4, title: modelName, ...model.schema },
      contentType: model.contentType ?? "application/json",
      description: model.description,
    };
  }
  return validated;
}

/**
 * Checks the request validators, naming the one that is wrong.
 *
 * @param validators - The validators by name. @default {}
 */
export function validateValidators(validators: Record<string, ValidatorKind> = {}): Record<string, ValidatorKind> {
  for (const [validatorName, kind] of Object.entries(validators)) {
    if (!VALIDATOR_KINDS.includes(kind)) {
      throw new Error(`validators.${validatorName} must be BODY, PARAMETERS or BODY_AND_PARAMETERS (got ${JSON.stringify(kind)})`);
    }
  }
  return validators;
}
