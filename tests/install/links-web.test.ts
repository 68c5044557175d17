import { describe, expect, it } from "bun:test"
import { formatInstallLink, parseInstallLink } from "../../src/install/index.ts"
import { DEFAULT_INSTALL_PAGE_URL, installPageProblem } from "../../src/install/link-web.ts"
import { MAX_LINK_BYTES } from "../../src/install/link-query.ts"
import { UsageError } from "../../src/util/errors.ts"

// The https form of our link (the web install page) and LM Studio's, Windsurf's and
// Antigravity's links: each parsed into the same checked request, with the same strictness.
const enc = encodeURIComponent
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64")
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url")
const PAGE = DEFAULT_INSTALL_PAGE_URL
const time = { command: "uvx", args: ["mcp-server-time"] }

function refused(link: string, reason?: RegExp): UsageError {
  try {
    parseInstallLink(link)
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(UsageError)
    const err = e as UsageError
    expect(err.exitCode).toBe(2)
    expect(err.message).not.toContain("\n")
    if (reason) expect(err.message).toMatch(reason)
    return err
  }
  throw new Error(`expected ${link.slice(0, 80)} to be refused`)
}

describe("the web install page's link (I15)", () => {
  it("reads name and config from the fragment of this build's page URL", () => {
    const r = parseInstallLink(`${PAGE}#name=time&config=${b64url(time)}`)
    expect(r).toMatchObject({ source: "agentrt", name: "time", entry: time })
  })

  it("is what --format url emits, and markdown/html badges point at it", () => {
    const url = formatInstallLink("time", time, "url")
    expect(url).toBe(`${PAGE}#name=time&config=${b64url(time)}`)
    expect(formatInstallLink("time", time, "markdown")).toEndWith(`](${url})`)
    const html = formatInstallLink("time", time, "html")
    expect(html).toStartWith(`<a href="${url.replace(/&/g, "&amp;")}"><img src="https://img.shields.io/`)
    expect(html).not.toMatch(/href="[^"]*[^;]&[^a]/) // every & in the attribute is &amp;
  })

  it("accepts only the configured origin and path: another host, path, scheme or a port is refused", () => {
    const frag = `#name=time&config=${b64url(time)}`
    for (const other of [
      "https://evil.example/agentrt/install.html",
      "https://agentrt.github.io.evil.example/agentrt/install.html",
      "https://agentrt.github.io/other/install.html",
      "https://agentrt.github.io/agentrt/install",
      "https://agentrt.github.io/agentrt/install.html/",
      "http://agentrt.github.io/agentrt/install.html",
      "https://agentrt.github.io:8443/agentrt/install.html",
      "https://user@agentrt.github.io/agentrt/install.html",
    ])
      refused(`${other}${frag}`)
  })

  it("refuses a query next to the fragment, an empty fragment, a second '#' and unknown keys", () => {
    refused(`${PAGE}?name=time&config=${b64url(time)}`, /#fragment, not a query/)
    refused(`${PAGE}?x=1#name=time&config=${b64url(time)}`, /#fragment, not a query/)
    refused(`${PAGE}#`, /no #name/)
    refused(PAGE, /no #name/)
    refused(`${PAGE}#name=time&config=${b64url(time)}#x`, /second "#"/)
    refused(`${PAGE}#name=time&config=${b64url(time)}&run=1`, /unknown parameter "run"/)
    refused(`${PAGE}#name=time&config=${b64url({ ...time, shell: true })}`, /unknown key "shell"/)
    refused(`${PAGE}#name=..%2F..%2F.bashrc&config=${b64url(time)}`)
  })

  it("refuses an oversize fragment before decoding it (I04)", () => {
    const big = { command: "npx", args: ["x".repeat(MAX_LINK_BYTES)] }
    refused(`${PAGE}#name=big&config=${b64url(big)}`, /limit is 64 KB/)
  })

  it("checks a build's page URL: https only, no user, port, query or fragment", () => {
    expect(installPageProblem(PAGE)).toBeUndefined()
    expect(installPageProblem("https://example.org/tools/agent-install.html")).toBeUndefined()
    expect(installPageProblem("http://example.org/install.html")).toMatch(/https/)
    expect(installPageProblem("https://example.org:444/install.html")).toMatch(/port/)
    expect(installPageProblem("https://example.org/install.html?x=1")).toMatch(/query/)
    expect(installPageProblem("https://example.org/install.html#")).toMatch(/fragment/)
    expect(installPageProblem("not a url")).toMatch(/not a URL/)
  })
})

describe("LM Studio links (I06)", () => {
  it("parses the example link of lmstudio.ai/docs/app/mcp/deeplink", () => {
    const r = parseInstallLink(
      "lmstudio://add_mcp?name=hf-mcp-server&config=eyJ1cmwiOiJodHRwczovL2h1Z2dpbmdmYWNlLmNvL21jcCIsImhlYWRlcnMiOnsiQXV0aG9yaXphdGlvbiI6IkJlYXJlciA8WU9VUl9IRl9UT0tFTj4ifX0%3D",
    )
    expect(r).toMatchObject({
      source: "lmstudio",
      name: "hf-mcp-server",
      entry: { url: "https://huggingface.co/mcp", headers: { Authorization: "Bearer <YOUR_HF_TOKEN>" } },
    })
  })

  it("parses lmstudio.ai's https install-mcp page link and the {NAME: entry} wrapping its generator takes", () => {
    const r = parseInstallLink(
      `https://lmstudio.ai/install-mcp?config=${enc(b64({ goop: { url: "https://mcp.goop.so/mcp" } }))}&name=goop`,
    )
    expect(r).toMatchObject({ source: "lmstudio", name: "goop", entry: { url: "https://mcp.goop.so/mcp" } })
  })

  it("emits the documented shape: name, then standard base64 with '=' as %3D", () => {
    const link = formatInstallLink("hf", { url: "https://huggingface.co/mcp" }, "lmstudio")
    expect(link).toBe(`lmstudio://add_mcp?name=hf&config=${enc(b64({ url: "https://huggingface.co/mcp" }))}`)
    expect(parseInstallLink(link).entry).toEqual({ url: "https://huggingface.co/mcp" })
  })

  it("refuses hostile LM Studio links like any other (I04)", () => {
    refused(`lmstudio://add_mcp?name=x&config=${"%%%"}`, /malformed %-escape/)
    refused("lmstudio://add_mcp?name=x&config=not*base64", /neither URL-encoded JSON nor valid base64/)
    refused(
      `lmstudio://add_mcp?name=x&config=${Buffer.from([0xff, 0xfe, 0x00]).toString("base64")}`,
      /not UTF-8/,
    )
    refused(`lmstudio://add_mcp?name=x&config=${b64({ command: "npx", evil: 1 })}`, /unknown key "evil"/)
    refused(`lmstudio://add_mcp?name=x&config=${b64(time)}&autorun=1`, /unknown parameter/)
    refused(`lmstudio://add_mcp?name=x&name=y&config=${b64(time)}`, /more than once/)
    refused(
      `lmstudio://add_mcp?name=x&config=${b64({ command: "npx", args: ["y".repeat(MAX_LINK_BYTES)] })}`,
      /limit/,
    )
    refused(`lmstudio://add_mcp?name=x&config=${b64({ url: "${ANY}" })}`, /not an http\(s\) URL/)
    refused(`lmstudio://other?name=x&config=${b64(time)}`, /unknown link type/)
    refused(`https://lmstudio.ai/evil?name=x&config=${b64(time)}`, /unknown link type/)
  })
})

describe("Windsurf and Antigravity links: VS Code's format under their schemes (I06)", () => {
  for (const scheme of ["windsurf", "antigravity"] as const) {
    it(`parses ${scheme}:mcp/install?<JSON> as VS Code's link`, () => {
      const server = {
        name: "everything",
        type: "stdio",
        command: "npx",
        args: ["-y", "@modelcontextprotocol/server-everything"],
      }
      const r = parseInstallLink(`${scheme}:mcp/install?${enc(JSON.stringify(server))}`)
      expect(r).toMatchObject({ source: scheme, name: "everything" })
      expect(r.server).toMatchObject({ transport: "stdio", command: "npx" })
    })

    it(`refuses ${scheme} links with extra parameters or unknown keys`, () => {
      const server = { name: "e", command: "npx" }
      refused(`${scheme}:mcp/install?${enc(JSON.stringify(server))}&windowId=_blank`)
      refused(
        `${scheme}:mcp/install?${enc(JSON.stringify({ ...server, postInstall: "rm -rf ~" }))}`,
        /unknown key/,
      )
      refused(`${scheme}:mcp/other?${enc(JSON.stringify(server))}`, /unknown link type/)
    })
  }
})
