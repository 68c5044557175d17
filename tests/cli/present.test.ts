import { describe, expect, it } from "bun:test"
import {
  normalizeServer,
  type ServerConfig,
  type ServerEntry,
  type ServerFile,
} from "../../src/config/index.ts"
import { describeInstall } from "../../src/install/index.ts"
import {
  diffLines,
  documentJson,
  entryJson,
  entryLines,
  jsonText,
  serverJson,
  serverLines,
  targetJson,
  trustQuestion,
  trustScreen,
} from "../../src/cli/shared/present.ts"

// The one presenter of a server (issue 18): every class of secret is masked in the text lines
// and in the JSON alike, for an entry as written (add, add-json, import, install) and for a
// loaded server (config show, trust screens, diffs, the install screen the browser page shows).

interface Case {
  what: string
  entry: Record<string, unknown>
  /** Literal values that must never be printed. */
  hidden: string[]
  /** What must still be shown (references, public ids, the host). */
  shown: string[]
}

const STDIO = { command: "npx", args: ["-y", "pkg"] }
const URL = "https://mcp.example.com/mcp"

const CASES: Case[] = [
  {
    what: "a literal env value",
    entry: { ...STDIO, env: { API_KEY: "sk-env-literal-1", REF: "${REF_TOKEN}" } },
    hidden: ["sk-env-literal-1"],
    shown: ["API_KEY", "${REF_TOKEN}"],
  },
  // I10: an env value that does not look secret is shown (it may decide what runs); a secret-looking name or value is not.
  {
    what: "an env value that does not look secret (shown)",
    entry: { ...STDIO, env: { REGION: "eu-west-literal" } },
    hidden: [],
    shown: ["REGION", "eu-west-literal"],
  },
  {
    what: "an env value whose name looks secret",
    entry: { ...STDIO, env: { DB_PASSWORD: "plain-words-14" } },
    hidden: ["plain-words-14"],
    shown: ["DB_PASSWORD"],
  },
  {
    what: "an env value that looks like a token",
    entry: { ...STDIO, env: { UPSTREAM: "ghp_abcdefghijklmnop15" } },
    hidden: ["ghp_abcdefghijklmnop15"],
    shown: ["UPSTREAM"],
  },
  {
    what: "a literal Authorization header",
    entry: { url: URL, headers: { Authorization: "Bearer tok-literal-2" } },
    hidden: ["tok-literal-2"],
    shown: ["Authorization"],
  },
  {
    what: "a literal Cookie header",
    entry: { url: URL, headers: { Cookie: "session=cookie-literal-3" } },
    hidden: ["cookie-literal-3"],
    shown: ["Cookie"],
  },
  {
    what: "a header that is only a reference",
    entry: { url: URL, headers: { Authorization: "Bearer ${GH_TOKEN}" } },
    hidden: [],
    shown: ["Bearer ${GH_TOKEN}"],
  },
  {
    what: "oauth.clientSecret",
    entry: { url: URL, oauth: { clientId: "public-client", clientSecret: "cs-literal-4" } },
    hidden: ["cs-literal-4"],
    shown: ["public-client"],
  },
  {
    what: "oauth.privateKey",
    entry: {
      url: URL,
      oauth: {
        grant: "client_credentials",
        clientId: "c",
        tokenEndpointAuthMethod: "private_key_jwt",
        privateKey: "-----BEGIN PRIVATE KEY-----pk-literal-5",
      },
    },
    hidden: ["pk-literal-5"],
    shown: [],
  },
  {
    what: "oauth.idToken and oauth.idpClientSecret",
    entry: {
      url: URL,
      oauth: {
        grant: "cross_app_access",
        clientId: "as-client",
        clientSecret: "${AS_SECRET}",
        idpIssuer: "https://idp.example.com",
        idpClientId: "idp-client",
        idpClientSecret: "idp-secret-literal-6",
        idToken: "eyJ.id-token-literal-7",
      },
    },
    hidden: ["idp-secret-literal-6", "eyJ.id-token-literal-7"],
    shown: [],
  },
  {
    what: "a password in the URL",
    entry: { url: "https://alice:pw-literal-8@mcp.example.com/mcp" },
    hidden: ["pw-literal-8"],
    shown: ["mcp.example.com"],
  },
  {
    what: "a token as the URL's user",
    entry: { url: "https://ghp_user-literal-9@mcp.example.com/mcp" },
    hidden: ["ghp_user-literal-9"],
    shown: ["mcp.example.com"],
  },
  {
    what: "?api_key= in the URL",
    entry: { url: `${URL}?api_key=ak-literal-10&page=2` },
    hidden: ["ak-literal-10"],
    shown: ["page=2"],
  },
  {
    what: "?token= in the URL",
    entry: { url: `${URL}?token=t-literal-11` },
    hidden: ["t-literal-11"],
    shown: ["token="],
  },
  {
    what: "?access_token= in an httpUrl",
    entry: { httpUrl: `${URL}?access_token=at-literal-12` },
    hidden: ["at-literal-12"],
    shown: ["access_token="],
  },
  {
    what: "?key= in a serverUrl",
    entry: { serverUrl: `${URL}?key=k-literal-13` },
    hidden: ["k-literal-13"],
    shown: ["key="],
  },
  {
    what: "?token= in an OAuth endpoint URL",
    entry: {
      url: URL,
      oauth: {
        grant: "client_credentials",
        clientId: "c",
        clientSecret: "${S}",
        issuer: "https://as.example.com/?token=iss-literal-16",
      },
    },
    hidden: ["iss-literal-16"],
    shown: ["as.example.com"],
  },
  {
    what: "a URL key that is only a reference",
    entry: { url: `${URL}?api_key=\${API_KEY}` },
    hidden: [],
    shown: ["api_key=${API_KEY}"],
  },
]

const FILE_ONLY: Case[] = [
  {
    what: "opencode's environment",
    entry: { type: "local", command: ["npx", "pkg"], environment: { TOKEN: "oc-literal-14" } },
    hidden: ["oc-literal-14"],
    shown: ["TOKEN"],
  },
  {
    what: "Cursor's auth.CLIENT_SECRET",
    entry: { url: URL, auth: { CLIENT_ID: "cid", CLIENT_SECRET: "cursor-literal-15" } },
    hidden: ["cursor-literal-15"],
    shown: ["cid"],
  },
]

function loaded(entry: Record<string, unknown>): ServerConfig {
  const r = normalizeServer(entry as ServerFile)
  if (!r.ok) throw new Error(r.problem.message)
  return r.server
}

/** No secret value appears; where the field itself is shown, it shows as "***". */
function expectMasked(output: string, c: Case, showsField = true) {
  for (const h of c.hidden) expect(output).not.toContain(h)
  if (c.hidden.length && showsField) expect(output).toContain("***")
}

describe("an entry as written (mcp add, add-json, import, install)", () => {
  for (const c of [...CASES, ...FILE_ONLY]) {
    it(`masks ${c.what} in text and JSON`, () => {
      const text = entryLines(c.entry).join("\n")
      const json = JSON.stringify(entryJson(c.entry))
      for (const out of [text, json, jsonText(documentJson({ mcpServers: { s: c.entry } }))]) {
        expectMasked(out, c)
        for (const s of c.shown) expect(out).toContain(s)
      }
    })
  }
})

describe("a loaded server (config show, mcp get, trust screens, install screen)", () => {
  for (const c of CASES) {
    it(`masks ${c.what} in text and JSON`, () => {
      const server = loaded(c.entry)
      const entry: ServerEntry = {
        name: "s",
        scope: "project",
        file: "/p/.mcp.json",
        server,
        fingerprint: "f",
      }
      const outputs = {
        json: JSON.stringify(serverJson(server)),
        target: JSON.stringify(targetJson(server)),
        screen: trustScreen(entry).join("\n"),
        question: trustQuestion({
          kind: "project",
          server: "s",
          file: entry.file,
          status: "new",
          summary: serverLines(server),
          diff: [],
        }).join("\n"),
        install: describeInstall(
          { name: "s", entry: c.entry, server, source: "agentrt", envDescriptions: {} },
          { file: "/u/mcp.json" },
        ).join("\n"),
      }
      // The full definition shows every field; the screens summarise (OAuth: grant and client only).
      expectMasked(outputs.json, c)
      for (const out of [outputs.target, outputs.screen, outputs.question, outputs.install])
        expectMasked(out, c, false)
      for (const s of c.shown) expect(outputs.json).toContain(s)
    })
  }
})

describe("the diff of a changed definition", () => {
  const XAA = {
    grant: "cross_app_access",
    clientId: "c",
    clientSecret: "${S}",
    idpIssuer: "https://i.example.com",
    idpClientId: "c",
  }
  it("names a changed secret without showing either value", () => {
    const before = loaded({
      url: `${URL}?api_key=old-literal`,
      headers: { Authorization: "Bearer old-tok" },
      oauth: { ...XAA, idToken: "old-id", idpClientSecret: "old-s" },
    })
    const after = loaded({
      url: `${URL}?api_key=new-literal`,
      headers: { Authorization: "Bearer new-tok" },
      oauth: { ...XAA, idToken: "new-id", idpClientSecret: "new-s" },
    })
    const lines = diffLines(before, after)
    const text = lines.join("\n")
    for (const v of [
      "old-literal",
      "new-literal",
      "old-tok",
      "new-tok",
      "old-id",
      "new-id",
      "old-s",
      "new-s",
    ])
      expect(text).not.toContain(v)
    expect(lines).toContain("~ url: value changed (hidden)")
    expect(lines).toContain("~ headers.Authorization: value changed (hidden)")
    expect(lines).toContain("~ oauth.idToken: value changed (hidden)")
    expect(lines).toContain("~ oauth.idpClientSecret: value changed (hidden)")
    const screen = trustScreen(
      { name: "s", scope: "project", file: "/p/.mcp.json", server: after, fingerprint: "f" },
      before,
    ).join("\n")
    expect(screen).toContain("Changed since you trusted it:")
    for (const v of ["old-literal", "new-literal", "old-tok", "new-tok"]) expect(screen).not.toContain(v)
  })
})

describe("terminal escaping", () => {
  it("escapes control characters and line breaks in every line it returns", () => {
    const entry = {
      command: "npx",
      args: ["a\u001b]52;c;evil\u0007", "line\nforged: yes"],
      cwd: "/srv\u202e",
    }
    const server = loaded(entry)
    const lines = [
      ...entryLines(entry),
      ...serverLines(server),
      ...trustScreen({ name: "n\u001b[2J", scope: "project", file: "f", server, fingerprint: "x" }),
    ]
    for (const l of lines) {
      expect(l).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e]/)
    }
    expect(lines.join("\n")).toContain("\\x1b")
    expect(lines.join("\n")).toContain("\\n")
  })
})
