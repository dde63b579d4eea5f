/** The API Gateway resources: one per distinct path prefix of the routes. */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { pathSlug } from "../resourcePaths";
import type { ValidatedRoute } from "./spec";
import type { RestApiChildren } from "./transform";

/**
 * Creates one resource per distinct path prefix, parents before children.
 *
 * @param children - Makes each child through the user's transform.
 * @param name - The component's name.
 * @param api - The REST API.
 * @param routes - The validated routes.
 * @returns The resource ids by path, `/` being the API's root resource.
 */
export function createResourceTree(
  children: RestApiChildren,
  name: string,
  api: aws.apigateway.RestApi,
  routes: ValidatedRoute[],
): Record<string, pulumi.Input<string>> {
  const ids: Record<string, pulumi.Input<string>> = { "/": api.rootResourceId };
  for (const path of resourcePaths(routes)) {
    const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
    const resource = new aws.apigateway.Resource(
      ...children.make("resource", `${name}-resource-${pathSlug(path)}`, {
        restApi: api.id,
        parentId: ids[parentPath],
        pathPart: path.slice(path.lastIndexOf("/") + 1),
      }),
    );
    ids[path] = resource.id;
  }
  return ids;
}

/** Every path prefix of the routes but the root, shallower first, then alphabetically. */
function resourcePaths(routes: ValidatedRoute[]): string[] {
  const paths = new Set<string>();
  for (const route of routes) {
    const segments = route.path === "/" ? [] : route.path.slice(1).split("/");
    segments.forEach((_, i) => paths.add("/" + segments.slice(0, i + 1).join("/")));
  }
  return [...paths].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}
