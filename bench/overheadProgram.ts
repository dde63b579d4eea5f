/**
 * The program the gateway-overhead benchmark deploys into the local cloud: GET /data behind
 * everything a production request pays for at the gateway — an API key in a usage plan, the
 * HMAC TOKEN authorizer with result caching, and request-parameter validation — in front of
 * the demo's data handler (Lambda proxy). Limits are far above the offered load, so nothing
 * is refused and the benchmark measures the request path, not refusals.
 *
 * Run with `startLocal({ program: "bench/overheadProgram.ts" })`; importing this module runs it.
 */
import { HandlerFunction, RestApi, TokenAuthorizer, UsageTiers } from "../components";
import { createDataHandler } from "../functions/data";
import { UNLIMITED_THROTTLE } from "./benchSupport";


const data = new HandlerFunction("data", {
  description: "GET /data, as in the demo",
  handlerFactory: createDataHandler,
});

const tokens = new TokenAuthorizer("bench-tokens", {
  // The component's default result TTL: the first request per token invokes the function,
  // the rest are answered from the cache.
  clients: [{ id: "bench-client" }],
});

const api = new RestApi("overhead", {
  stage: { name: "bench" },
  authorizers: { hmac: tokens.authorizer() },
  validators: { params: "PARAMETERS" },
  methodSettings: { "*/*": { throttle: UNLIMITED_THROTTLE, loggingLevel: "OFF", dataTraceEnabled: false, metricsEnabled: true } },
  routes: [
    {
      // The demo's health check: a MOCK integration, two VTL templates and no function.
      path: "/health",
      method: "GET",
      integration: {
        type: "MOCK",
        responses: [{ statusCode: "200", responseTemplates: { "application/json": '{"status":"ok"}' } }],
      },
    },
    {
      path: "/data",
      method: "GET",
      integration: { type: "LAMBDA_PROXY", function: data.function },
      apiKeyRequired: true,
      authorizer: "hmac",
      // The category is required: a request without it is refused with 400 before the function runs.
      requestParameters: { querystring: { category: true }, header: { "Accept-Language": false } },
      requestValidator: "params",
    },
  ],
});

const usage = new UsageTiers("usage", {
  stage: api.stage,
  tiers: [{ name: "unlimited", throttle: UNLIMITED_THROTTLE }],
  customers: [{ id: "bench", tier: "unlimited" }],
});

export const apiUrl = api.url;
export const apiKeys = usage.apiKeys;
export const tokenClients = tokens.tokenClients;
