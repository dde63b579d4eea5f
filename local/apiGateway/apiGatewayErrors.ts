/**
 * The errors of the local API Gateway control plane, as AWS's REST-JSON protocol answers
 * them: the exception's name in `x-amzn-ErrorType`, the status, and a `{"message": ...}` body.
 * Every message is written once here, with where it comes from:
 * - [recorded]: in LocalStack's snapshots of calls to AWS
 *   (github.com/localstack/localstack, tests/aws/services/apigateway/*.snapshot.json, named
 *   by file and test);
 * - [reported]: quoted from AWS's answers in users' reports or transcripts, named;
 * - [moto]: moto's apigateway emulator (moto/apigateway/exceptions.py), not recorded from AWS;
 * - [ours]: AWS's wording is not recorded anywhere we could find; the message names the
 *   problem in AWS's style.
 */

/** An API Gateway error answer. */
export class ApiGatewayError extends Error {
  /**
   * @param type - The exception's name (`x-amzn-ErrorType`).
   * @param status - The HTTP status.
   * @param bodyMessage - The body's `message`; null for UnknownOperationException, as AWS sends it.
   */
  constructor(
    readonly type: string,
    readonly status: number,
    readonly bodyMessage: string | null,
  ) {
    super(bodyMessage ?? type);
  }
}

/** 400 BadRequestException. */
export const badRequest = (message: string) => new ApiGatewayError("BadRequestException", 400, message);
/** 404 NotFoundException. */
export const notFound = (message: string) => new ApiGatewayError("NotFoundException", 404, message);
/** 409 ConflictException. */
export const conflict = (message: string) => new ApiGatewayError("ConflictException", 409, message);
/** What API Gateway answers for a path or verb that is no operation: 404, a null message. */
export const unknownOperation = () => new ApiGatewayError("UnknownOperationException", 404, null);

export const MESSAGES = {
  /**
   * An unknown API key id (GetApiKey, UpdateApiKey, DeleteApiKey, CreateUsagePlanKey,
   * GetUsagePlanKey, GetUsage's keyId, TagResource). [reported] the AWS CLI's answer to
   * `aws apigateway get-api-key --api-key c4gja270ha --include-value` in a user's deployment
   * notes; [moto] ApiKeyNotFoundException, and moto's test_usage_plan_keys asserts it.
   */
  invalidApiKeyId: "Invalid API Key identifier specified",
  /**
   * An unknown usage plan id; also a key not in the plan (GetUsagePlanKey, DeleteUsagePlanKey).
   * [recorded] test_apigateway_common.snapshot.json, TestUsagePlans::test_usage_plan_crud,
   * "update-wrong-id"; the key-not-in-plan case: [moto] test_usage_plan_keys.
   */
  invalidUsagePlanId: "Invalid Usage Plan ID specified",
  /** An unknown stage, or an unknown API (FlushStageCache): AWS answers both alike. [moto] StageNotFoundException. */
  invalidStage: "Invalid stage identifier specified",
  /**
   * CreateApiKey with a value another key has. [reported] "API Key already exists (Service:
   * AmazonApiGateway; Status Code: 409; Error Code: ConflictException)", serverless/serverless#6458,
   * rrahul963/serverless-add-api-key#27.
   */
  apiKeyExists: "API Key already exists",
  /** [recorded] test_apigateway_extended.snapshot.json, test_create_api_key_with_invalid_value. */
  apiKeyValueTooShort: "API Key value should be at least 20 characters",
  /** [recorded] as above. */
  apiKeyValueTooLong: "API Key value exceeds maximum size of 128 characters",
  /** [recorded] test_apigateway_extended.snapshot.json, test_create_api_key_with_invalid_name (create; update assumed alike). */
  apiKeyNameTooLong: "Invalid API Key name, can be at most 1024 characters.",
  /** [recorded] test_apigateway_extended.snapshot.json, test_update_api_key_invalid_description_length (create and update). */
  apiKeyDescriptionTooLong: "Invalid API Key description specified.",
  /** [recorded] test_apigateway_extended.snapshot.json, test_update_api_key_immutable_field. */
  apiKeyPatchPath: (path: string, op: string) => `Invalid patch path  '${path}' specified for op '${op}'. Must be one of: [/description, /enabled, /name, /customerId]`,
  /**
   * A patch op API keys do not take. [recorded] the wording of other resources' answers:
   * test_apigateway_api.snapshot.json ("Invalid patch path  '/pathPart' specified for op 'add'.
   * Please choose supported operations").
   */
  unsupportedPatchOp: (path: string, op: string) => `Invalid patch path  '${path}' specified for op '${op}'. Please choose supported operations`,
  /**
   * Patch ops outside JSON Patch's verbs. [recorded] test_apigateway_api.snapshot.json
   * (updateRestApiInput, updateMethodResponseInput: "1 validation error detected: Value 'wrong'
   * at '<input>.patchOperations.1.member.op' failed to satisfy constraint: ..."; several are
   * joined by "; " under "N validation errors detected").
   */
  patchOpValidation: (problems: Array<{ op: unknown; index: number }>, input: string) =>
    `${problems.length} validation error${problems.length === 1 ? "" : "s"} detected: ` +
    problems
      .map(({ op, index }) => `Value '${String(op)}' at '${input}.patchOperations.${index}.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]`)
      .join("; "),
  /**
   * A key already in this plan (CreateUsagePlanKey). [ours] AWS answers 409 ConflictException
   * (API_CreateUsagePlanKey.html lists it); its wording is not recorded.
   */
  keyAlreadyInPlan: (keyId: string, planId: string) => `API Key ${keyId} is already in Usage Plan ${planId}`,
  /**
   * A key in a second plan of the same API stage (CreateUsagePlanKey). The rule: "a single API
   * key can only be associated with one usage plan for each stage of your API" (developer
   * guide, api-gateway-api-usage-plans.html). [ours, after AWS's wording as users quote it,
   * unverified]
   */
  keyInPlanOfSameStage: (planId: string, keyId: string, apiId: string, stage: string) =>
    `Usage Plan ${planId} cannot be added because API Key ${keyId} cannot reference multiple Usage Plans with the same API Stage: ${apiId}:${stage}`,
  /** CreateUsagePlanKey with a keyType other than API_KEY. [ours] */
  invalidKeyType: (keyType: unknown) => `Invalid key type specified: ${String(keyType)}. Must be API_KEY`,
  /** UpdateApiKey's add / remove of /stages (API keys' stage keys, before usage plans). [ours] */
  stageKeysUnsupported: "Stage keys are not supported by the local cloud: attach the key to a usage plan (CreateUsagePlanKey)",
  /** GetUsage without startDate or endDate. [ours] */
  missingDate: (field: "startDate" | "endDate") => `${field} must be specified (yyyy-MM-dd)`,
  /** GetUsage with a date that is not yyyy-MM-dd or no calendar day. [ours] */
  invalidDate: (field: "startDate" | "endDate", value: string) => `Invalid ${field} specified: '${value}'. Must be a date in the format yyyy-MM-dd`,
  /** GetUsage with endDate before startDate. [ours] */
  endBeforeStart: (start: string, end: string) => `endDate ${end} must not be before startDate ${start}`,
  /** GetUsage over more days than the local cloud reports. [ours] */
  rangeTooLong: (days: number, max: number) => `The date range spans ${days} days; the local cloud reports at most ${max}`,
  /** A `position` no earlier page gave. [ours] */
  invalidPosition: (position: string) => `Invalid position specified: '${position}'`,
  /** A body field of the wrong JSON type. [ours] */
  invalidField: (field: string, expected: string) => `Invalid ${field} specified: expected ${expected}`,
  /** A request body over the endpoint's limit (1 MiB). [ours] */
  bodyTooLarge: "Request body too large",
  /** A request body that is no JSON object. [ours] */
  invalidBody: "Could not parse request body into json: expected a JSON object",
  /** A path whose %-encoding does not decode. [ours] */
  invalidPathEncoding: "Invalid path encoding",
  /**
   * A tags ARN that is not one of API Gateway's. [recorded] test_apigateway_lambda.snapshot.json,
   * test_put_integration_aws_proxy_uri (the answer to an ARN AWS cannot read).
   */
  invalidArn: "Invalid ARN specified in the request",
  /** Tags of a resource the local cloud keeps none for (anything but API keys and usage plans). [ours] */
  untaggable: (arn: string) => `The local cloud keeps tags of API keys and usage plans only, not of ${arn}`,
  /** TagResource without a `tags` map of strings. [ours] */
  invalidTags: "tags must be a map of strings",
};
