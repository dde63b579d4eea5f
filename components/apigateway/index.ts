/**
 * API Gateway's rules, written once: the components, the stack config reader and the local
 * cloud all check and convert through this module, so none can accept what another (or AWS)
 * refuses. Each `...Problem(value, at)` returns the message naming `at` (an argument path or
 * an `apigw-kit:` config key), or undefined when the value is good.
 */
export * from "./accessLogFields";
export * from "./caching";
export * from "./customDomains";
export * from "./httpMethods";
export * from "./integrationDefaults";
export * from "./logRetention";
export * from "./methodKeys";
export * from "./stageName";
export * from "./throttling";
