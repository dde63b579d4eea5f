/**
 * The renderer of one kind of integration (CDK's `Integration.bind()` idea): given a validated
 * route's integration, it says what the aws.apigateway.Integration is, which function (if any)
 * API Gateway invokes, and how the method and integration responses are made.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CorsPolicy } from "../../cors";
import type { RouteResponse } from "../responses";
import type { PassthroughBehavior } from "../routeArgs";
import type { IntegrationSpec } from "../spec";

/** The integration-request side of an aws.apigateway.Integration. */
export interface IntegrationRequest {
  /** API Gateway's integration type. */
  type: "AWS_PROXY" | "AWS" | "MOCK";
  /** The method the backend is called with. @default none (MOCK) */
  integrationHttpMethod?: string;
  /** The backend's URI. @default none (MOCK) */
  uri?: pulumi.Input<string>;
  /** The integration timeout in ms. @default none (MOCK) */
  timeoutMilliseconds?: number;
  /** Request mapping templates by Content-Type. @default none */
  requestTemplates?: Record<string, string>;
  /** What happens to a request whose Content-Type has no template. @default none (proxy) */
  passthroughBehavior?: PassthroughBehavior;
  /** `integration.request.*` -> `method.request.*` mappings. @default none */
  requestParameters?: Record<string, string>;
}

/**
 * Renders one kind of integration. Methods (not function properties), so that the renderer of
 * one kind serves where a renderer of any kind is expected: the lookup by `type` pairs each
 * integration with its own renderer.
 */
export interface IntegrationRenderer<I extends IntegrationSpec> {
  /**
   * The Integration's request side.
   *
   * @param integration - The route's validated integration.
   * @param cacheKeys - The route's cache key parameters (`method.request.*`).
   */
  request(integration: I, cacheKeys: string[]): IntegrationRequest;
  /**
   * The Lambda function API Gateway invokes, which then needs a permission; undefined for none.
   *
   * @param integration - The route's validated integration.
   */
  invokedFunction(integration: I): aws.lambda.Function | undefined;
  /**
   * The method responses, each with the integration response answering it.
   *
   * @param integration - The route's validated integration.
   * @param cors - The API's CORS policy, if any.
   */
  responses(integration: I, cors: CorsPolicy | undefined): RouteResponse[];
}
