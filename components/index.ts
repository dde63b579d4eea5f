/**
 * apigw-kit: production API Gateway patterns as Pulumi components.
 * `import { RestApi, HandlerFunction, chooseApiType } from "apigw-kit"`.
 */
export * from "./ApiCache";
export * from "./ApiMonitoring";
export * from "./apigateway";
export * from "./chooseApiType";
export * from "./CognitoAuth";
export * from "./cors";
export * from "./CustomDomain";
export * from "./CustomersApi";
export * from "./HandlerFunction";
export * from "./httpApi";
export * from "./lambdaRuntime";
export * from "./lambdaSizing";
export * from "./methodSettings";
export * from "./PrivateApiNetwork";
export * from "./restApi";
export * from "./TokenAuthorizer";
export * from "./transform";
export * from "./UsageTiers";
export * from "./WebAcl";
export * from "./WebSocketApi";
