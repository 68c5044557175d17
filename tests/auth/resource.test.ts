// O17: the protected-resource metadata's `resource` must be the server's URL exactly (RFC 9728
// §3.3); canonical spelling differences are the same resource, a parent path is not.
import { describe, expect, it } from "bun:test"
import { isSameResource } from "../../src/auth/resource.ts"

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
