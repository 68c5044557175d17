// Which OTEL_* settings turn traces on, and what they say (docs/telemetry.md).
import { describe, expect, it } from "bun:test"
import { telemetryConfig } from "../../src/telemetry/index.ts"

describe("telemetryConfig", () => {
  it("is off without an endpoint, with OTEL_SDK_DISABLED=true and with OTEL_TRACES_EXPORTER=none", () => {
    expect(telemetryConfig({})).toBeUndefined()
    expect(telemetryConfig({ OTEL_SERVICE_NAME: "x", OTEL_EXPORTER_OTLP_HEADERS: "a=b" })).toBeUndefined()
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }
    expect(telemetryConfig(on)).toBeDefined()
    expect(telemetryConfig({ ...on, OTEL_SDK_DISABLED: "TRUE" })).toBeUndefined()
    expect(telemetryConfig({ ...on, OTEL_SDK_DISABLED: "false" })).toBeDefined()
    expect(telemetryConfig({ ...on, OTEL_TRACES_EXPORTER: "none" })).toBeUndefined()
  })

  it("appends /v1/traces to the base endpoint; the traces endpoint is used as given", () => {
    expect(telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })!.url).toBe(
      "http://c:4318/v1/traces",
    )
    expect(telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://c/otlp" })!.url).toBe(
      "https://c/otlp/v1/traces",
    )
    expect(
      telemetryConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:9/custom",
      })!.url,
    ).toBe("http://t:9/custom")
  })

  it("reads headers, service name and resource attributes (percent-decoded); the service name wins", () => {
    const c = telemetryConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=a%2Cb%3Dc, x-team = agents ,broken",
      OTEL_RESOURCE_ATTRIBUTES: "service.name=other,deployment.environment=ci",
      OTEL_SERVICE_NAME: "triage",
    })!
    expect(c.headers).toEqual({ "api-key": "a,b=c", "x-team": "agents" })
    expect(c.resource).toEqual({ "service.name": "triage", "deployment.environment": "ci" })
    expect(c.warnings).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: an entry without "key=" was ignored'])
    expect(c.isCapturingContent).toBe(false)
    const d = telemetryConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "only=traces",
      OTEL_EXPORTER_OTLP_HEADERS: "all=signals",
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true",
    })!
    expect(d.headers).toEqual({ only: "traces" })
    expect(d.resource).toEqual({ "service.name": "agent" })
    expect(d.isCapturingContent).toBe(true)
  })

  it("joins a TRACEPARENT handed down, and ignores a malformed one", () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }
    const id = "0af7651916cd43dd8448eb211c80319c"
    expect(
      telemetryConfig({ ...on, TRACEPARENT: `00-${id}-b7ad6b7169203331-01`, TRACESTATE: "k=v" })!.parent,
    ).toEqual({ traceId: id, spanId: "b7ad6b7169203331", traceState: "k=v" })
    for (const bad of [`00-${id}-b7ad6b71692033-01`, `00-${"0".repeat(32)}-b7ad6b7169203331-01`, "junk"])
      expect(telemetryConfig({ ...on, TRACEPARENT: bad })!.parent).toBeUndefined()
  })

  it("refuses an endpoint that is not http(s), with a warning", () => {
    const c = telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "grpc://c:4317" })!
    expect(c.url).toBe("")
    expect(c.warnings[0]).toContain("not an http(s) URL")
    expect(
      telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })!
        .warnings[0],
    ).toContain("grpc is not supported")
  })
})
