import { expect } from "chai";
import { CachingArgs, MethodSettingArgs, ResolvedMethodSetting, resolveMethodSettings, ThrottleArgs } from "../../components/methodSettings";

const API = {
  routes: [
    { method: "GET", path: "/data" },
    { method: "GET", path: "/users/{id}" },
    { method: "DELETE", path: "/users/{id}" },
    { method: "ANY", path: "/files/{proxy+}" },
  ],
  cacheClusterSize: "0.5",
};

/** The settings with unset fields left out, as a caller writing an object literal would. */
function leaveOutUndefined(settings: MethodSettingArgs): MethodSettingArgs {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

function settingFor(resolved: ResolvedMethodSetting[], key: string): ResolvedMethodSetting {
  const found = resolved.find((r) => r.key === key);
  if (!found) throw new Error(`no setting for ${key} (have ${resolved.map((r) => r.key).join(", ")})`);
  return found;
}

describe("resolveMethodSettings", () => {
  it("keeps the stage's caching in an override that only throttles", () => {
    // AWS resets every field an override leaves out: sending only the throttle for data/GET
    // would switch its caching off while the stage has it on.
    const resolved = resolveMethodSettings(
      {
        "*/*": { loggingLevel: "ERROR", dataTraceEnabled: true, caching: { enabled: true, ttlSeconds: 30, encrypted: true } },
        "data/GET": { throttle: { rateLimit: 5, burstLimit: 10 } },
      },
      API,
    );
    expect(settingFor(resolved, "data/GET").settings).to.deep.equal({
      metricsEnabled: true,
      loggingLevel: "ERROR",
      dataTraceEnabled: true,
      throttlingRateLimit: 5,
      throttlingBurstLimit: 10,
      cachingEnabled: true,
      cacheTtlInSeconds: 30,
      cacheDataEncrypted: true,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
    });
  });

  it("keeps the stage's throttle in an override that only changes caching", () => {
    const resolved = resolveMethodSettings(
      { "*/*": { throttle: { rateLimit: 20, burstLimit: 40 } }, "data/GET": { caching: { enabled: true, ttlSeconds: 60 } } },
      API,
    );
    expect(settingFor(resolved, "data/GET").settings).to.include({ throttlingRateLimit: 20, throttlingBurstLimit: 40, cachingEnabled: true, cacheTtlInSeconds: 60 });
  });

  it("replaces the stage's throttle as a whole, never mixing rate and burst", () => {
    const resolved = resolveMethodSettings(
      { "*/*": { throttle: { rateLimit: 20, burstLimit: 40 } }, "data/GET": { throttle: { rateLimit: 1, burstLimit: 2 } } },
      API,
    );
    expect(settingFor(resolved, "*/*").settings).to.include({ throttlingRateLimit: 20, throttlingBurstLimit: 40 });
    expect(settingFor(resolved, "data/GET").settings).to.include({ throttlingRateLimit: 1, throttlingBurstLimit: 2 });
  });

  it("keeps the stage's throttle when an override's throttle is explicitly undefined", () => {
    // As a program passing an optional config value through writes it.
    const resolved = resolveMethodSettings({ "*/*": { throttle: { rateLimit: 20, burstLimit: 40 } }, "data/GET": { throttle: undefined } }, API);
    expect(settingFor(resolved, "data/GET").settings).to.include({ throttlingRateLimit: 20, throttlingBurstLimit: 40 });
  });

  it("switches caching off in an override that disables it", () => {
    const resolved = resolveMethodSettings(
      { "*/*": { caching: { enabled: true, ttlSeconds: 30 } }, "users/{id}/GET": { caching: { enabled: false } } },
      API,
    );
    const settings = settingFor(resolved, "users/{id}/GET").settings;
    expect(settings.cachingEnabled).to.equal(false);
    expect(settings).not.to.have.any.keys("cacheTtlInSeconds", "cacheDataEncrypted", "requireAuthorizationForCacheControl", "unauthorizedCacheControlHeaderStrategy");
    expect(settingFor(resolved, "*/*").settings).to.include({ cachingEnabled: true, cacheTtlInSeconds: 30 });
  });

  it("escapes every slash of the resource path, the leading one too, as ~1 in methodPath", () => {
    const resolved = resolveMethodSettings(
      { "*/*": {}, "data/GET": {}, "users/{id}/GET": {}, "users/{id}/DELETE": {}, "files/{proxy+}/ANY": {}, "/GET": {} },
      { routes: [...API.routes, { method: "GET", path: "/" }] },
    );
    expect(resolved.map((r) => [r.key, r.methodPath, r.slug])).to.deep.equal([
      ["*/*", "*/*", "all"],
      ["data/GET", "~1data/GET", "data-GET"],
      ["users/{id}/GET", "~1users~1{id}/GET", "users-id-GET"],
      ["users/{id}/DELETE", "~1users~1{id}/DELETE", "users-id-DELETE"],
      ["files/{proxy+}/ANY", "~1files~1{proxy+}/ANY", "files-proxy-ANY"],
      ["/GET", "~1/GET", "root-GET"],
    ]);
  });

  it("lets an override's undefined fields inherit the stage defaults", () => {
    const resolved = resolveMethodSettings(
      {
        "*/*": { loggingLevel: "ERROR", caching: { enabled: true, ttlSeconds: 30 } },
        "data/GET": { loggingLevel: undefined, caching: { ttlSeconds: undefined } },
      },
      { ...API, cacheClusterSize: "0.5" },
    );
    expect(settingFor(resolved, "data/GET").settings).to.include({ loggingLevel: "ERROR", cachingEnabled: true, cacheTtlInSeconds: 30 });
  });

  it("names the config key in errors when told to", () => {
    expect(() => resolveMethodSettings({ "data/PUT": {} }, { ...API, field: "apigw-kit:methodOverrides" })).to.throw(
      'apigw-kit:methodOverrides["data/PUT"]: there is no route PUT /data',
    );
  });

  it("adds */* first with AWS's defaults when it is missing", () => {
    const resolved = resolveMethodSettings({ "data/GET": { loggingLevel: "OFF" } }, API);
    expect(resolved.map((r) => r.key)).to.deep.equal(["*/*", "data/GET"]);
    expect(resolved[0]).to.deep.equal({
      key: "*/*",
      methodPath: "*/*",
      slug: "all",
      settings: { metricsEnabled: true, loggingLevel: "INFO", dataTraceEnabled: false, cachingEnabled: false },
    });
    expect(resolved[1].settings).to.deep.equal({ metricsEnabled: true, loggingLevel: "OFF", dataTraceEnabled: false, cachingEnabled: false });
  });

  it("gives an empty settings object the documented defaults", () => {
    expect(resolveMethodSettings({}, API)).to.deep.equal([
      { key: "*/*", methodPath: "*/*", slug: "all", settings: { metricsEnabled: true, loggingLevel: "INFO", dataTraceEnabled: false, cachingEnabled: false } },
    ]);
  });

  it("maps every field to its AWS name", () => {
    const [all] = resolveMethodSettings(
      {
        "*/*": {
          metricsEnabled: false,
          loggingLevel: "ERROR",
          dataTraceEnabled: true,
          throttle: { rateLimit: 0.5, burstLimit: 3 },
          caching: {
            enabled: true,
            ttlSeconds: 0,
            encrypted: true,
            requireAuthorizationForCacheControl: false,
            unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_403",
          },
        },
      },
      API,
    );
    expect(all.settings).to.deep.equal({
      metricsEnabled: false,
      loggingLevel: "ERROR",
      dataTraceEnabled: true,
      throttlingRateLimit: 0.5,
      throttlingBurstLimit: 3,
      cachingEnabled: true,
      cacheTtlInSeconds: 0,
      cacheDataEncrypted: true,
      requireAuthorizationForCacheControl: false,
      unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_403",
    });
  });

  describe("every combination of stage and override values", () => {
    // A table instead of fast-check: each field is left out, set on the stage, set on the
    // override, or set on both; the override's value wins, then the stage's, then the default.
    type Choice<T> = { stage?: T; override?: T };
    const loggingChoices: Choice<MethodSettingArgs["loggingLevel"]>[] = [{}, { stage: "ERROR" }, { override: "OFF" }, { stage: "ERROR", override: "OFF" }];
    const throttleChoices: Choice<ThrottleArgs>[] = [
      {},
      { stage: { rateLimit: 20, burstLimit: 40 } },
      { override: { rateLimit: 5, burstLimit: 10 } },
      { stage: { rateLimit: 20, burstLimit: 40 }, override: { rateLimit: 5, burstLimit: 10 } },
    ];
    const cachingChoices: Choice<CachingArgs>[] = [
      {},
      { stage: { enabled: true, ttlSeconds: 30 } },
      { override: { enabled: true, ttlSeconds: 120, encrypted: true } },
      { stage: { enabled: true, ttlSeconds: 30, unauthorizedCacheControlHeaderStrategy: "FAIL_WITH_403" }, override: { ttlSeconds: 120 } },
      { stage: { enabled: true, ttlSeconds: 30 }, override: { enabled: false } },
    ];

    let cases = 0;
    for (const logging of loggingChoices) {
      for (const throttle of throttleChoices) {
        for (const caching of cachingChoices) {
          cases++;
          const stage = leaveOutUndefined({ loggingLevel: logging.stage, throttle: throttle.stage, caching: caching.stage });
          const override = leaveOutUndefined({ loggingLevel: logging.override, throttle: throttle.override, caching: caching.override });
          const label = JSON.stringify({ stage, override });
          it(label, () => {
            const resolved = resolveMethodSettings({ "*/*": stage, "users/{id}/GET": override }, API);
            const settings = settingFor(resolved, "users/{id}/GET").settings;
            expect(settings.loggingLevel).to.equal(logging.override ?? logging.stage ?? "INFO");
            const expectedThrottle = throttle.override ?? throttle.stage;
            expect(settings.throttlingRateLimit).to.equal(expectedThrottle?.rateLimit);
            expect(settings.throttlingBurstLimit).to.equal(expectedThrottle?.burstLimit);
            const mergedCaching = { ...caching.stage, ...caching.override };
            expect(settings.cachingEnabled).to.equal(mergedCaching.enabled ?? false);
            if (mergedCaching.enabled) {
              expect(settings.cacheTtlInSeconds).to.equal(mergedCaching.ttlSeconds ?? 300);
              expect(settings.cacheDataEncrypted).to.equal(mergedCaching.encrypted ?? false);
              expect(settings.unauthorizedCacheControlHeaderStrategy).to.equal(mergedCaching.unauthorizedCacheControlHeaderStrategy ?? "SUCCEED_WITH_RESPONSE_HEADER");
            } else {
              expect(settings.cacheTtlInSeconds).to.equal(undefined);
            }
            // The stage's own entry never takes anything from an override.
            const stageSettings = settingFor(resolved, "*/*").settings;
            expect(stageSettings.loggingLevel).to.equal(logging.stage ?? "INFO");
            expect(stageSettings.cachingEnabled).to.equal(caching.stage?.enabled ?? false);
          });
        }
      }
    }
    it("covers 80 combinations", () => expect(cases).to.equal(80));
  });
});
