// O17: the protected-resource metadata's `resource` must be the server's URL exactly (RFC 9728
// §3.3); canonical spelling differences are the same resource, a parent path is not.
import { describe, expect, it } from "bun:test"
import { isOriginMetadata, isSameResource, VerbatimResource } from "../../src/auth/resource.ts"

const SERVER = "https://mcp.example.com/tenantA/mcp"

describe("isSameResource (O17)", () => {
  const same = [
    SERVER,
    `${SERVER}/`,
    "HTTPS://MCP.EXAMPLE.COM/tenantA/mcp",
    "https://mcp.example.com:443/tenantA/mcp",
    `${SERVER}#frag`,
  ]
  for (const resource of same)
    it(`O17: ${resource} names ${SERVER}`, () => expect(isSameResource(SERVER, resource)).toBe(true))

  const other = [
    "https://mcp.example.com/", // the origin: would speak for every tenant
    "https://mcp.example.com",
    "https://mcp.example.com/tenantA", // a parent path
    "https://mcp.example.com/tenantB/mcp", // another tenant
    "https://mcp.example.com/tenantA/mcp/sub",
    "https://mcp.example.com/tenantA/MCP", // paths are case-sensitive
    "http://mcp.example.com/tenantA/mcp",
    "https://mcp.example.com:8443/tenantA/mcp",
    "https://evil.example/tenantA/mcp",
    `${SERVER}?tenant=b`,
    "not a url",
    "",
  ]
  for (const resource of other)
    it(`O17: ${JSON.stringify(resource)} does not name ${SERVER}`, () =>
      expect(isSameResource(SERVER, resource)).toBe(false))

  it("O17: a server at the origin root is named by the origin, with or without the slash", () => {
    expect(isSameResource("https://mcp.example.com/", "https://mcp.example.com")).toBe(true)
    expect(isSameResource("https://mcp.example.com", "https://mcp.example.com/")).toBe(true)
  })
})

describe("isOriginMetadata (O17, RFC 9728 §3.3 root variant)", () => {
  const root = "https://mcp.example.com/.well-known/oauth-protected-resource"
  it("O17: the origin's root metadata names the origin", () => {
    expect(isOriginMetadata(SERVER, root, "https://mcp.example.com")).toBe(true)
    expect(isOriginMetadata(SERVER, root, "https://mcp.example.com/")).toBe(true)
  })
  it("O17: nothing else passes as origin-wide", () => {
    expect(isOriginMetadata(SERVER, `${root}/tenantA/mcp`, "https://mcp.example.com")).toBe(false)
    expect(
      isOriginMetadata(
        SERVER,
        "https://other.example/.well-known/oauth-protected-resource",
        "https://other.example",
      ),
    ).toBe(false)
    expect(isOriginMetadata(SERVER, root, "https://mcp.example.com/tenantA")).toBe(false)
    expect(isOriginMetadata(SERVER, `${root}?x=1`, "https://mcp.example.com")).toBe(false)
  })
  it("sends the indicator as published", () => {
    const r = new VerbatimResource("http://127.0.0.1:8080")
    expect(r.href).toBe("http://127.0.0.1:8080")
    expect(String(r)).toBe("http://127.0.0.1:8080")
    expect(r.origin).toBe("http://127.0.0.1:8080")
  })
})
