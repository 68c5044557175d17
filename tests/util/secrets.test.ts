// The secret set every output sink redacts from (P03), the stream guard that applies it, and the
// URL credential detector that install links and config show use (P04).
import { describe, expect, it } from "bun:test"
import { guardStream } from "../../src/cli/shared/redact-streams.ts"
import {
  findUrlSecrets,
  hasUrlSecrets,
  maskUrlSecrets,
  urlSecretFields,
} from "../../src/config/url-secrets.ts"
import { createSecretSet, MIN_SECRET_LENGTH } from "../../src/util/secrets.ts"

const CANARY = "sk-canary-1234567890"

describe("secret set (P03)", () => {
  it("redacts every spelling a printer uses: raw, terminal-escaped, JSON-escaped, percent-encoded", () => {
    const set = createSecretSet()
    const odd = 'pa ss"\u001b\\word/?'
    set.add(odd, "ODD")
    expect(set.redact(`raw ${odd}`)).toBe("raw [redacted:ODD]")
    expect(set.redact(`term pa ss"\\x1b\\word/?`)).toBe("term [redacted:ODD]")
    expect(set.redact(`json ${JSON.stringify(odd)}`)).toBe('json "[redacted:ODD]"')
    expect(set.redact(`url ?k=${encodeURIComponent(odd)}`)).toBe("url ?k=[redacted:ODD]")
  })

  it(`leaves values shorter than ${MIN_SECRET_LENGTH} characters alone, and masks the longest match first`, () => {
    const set = createSecretSet()
    set.add("8080", "PORT")
    set.add("abcdef", "A")
    set.add("abcdefgh", "B")
    expect(set.size).toBe(2)
    expect(set.redact("port 8080: abcdefgh abcdef")).toBe("port 8080: [redacted:B] [redacted:A]")
  })

  it("a JSON replacer keeps the document valid JSON, keys included", () => {
    const set = createSecretSet()
    set.add('a"b\\c-secret', "S")
    const doc = { msg: 'got a"b\\c-secret', list: ['a"b\\c-secret'], env: { 'a"b\\c-secret': 1 }, n: 3 }
    const out = JSON.stringify(doc, set.replacer)
    expect(JSON.parse(out)).toEqual({
      msg: "got [redacted:S]",
      list: ["[redacted:S]"],
      env: { "[redacted:S]": 1 },
      n: 3,
    })
  })
})

describe("stream guard (P03)", () => {
  function sink(isHoldingBack: boolean) {
    const set = createSecretSet()
    const written: string[] = []
    const stream = {
      write: (chunk: string, _enc?: unknown, cb?: () => void) => (written.push(chunk), cb?.(), true),
    }
    guardStream(stream, set, isHoldingBack)
    return { set, written, write: (s: string) => stream.write(s) }
  }

  it("holds back a chunk's tail that may begin a value, so a value split across two writes is still masked", () => {
    const s = sink(true)
    s.set.add(CANARY, "KEY")
    s.write("The key is sk-can")
    s.write("ary-1234567890 indeed, s")
    s.write("") // main.ts's final drain flushes what is held back
    expect(s.written.join("")).toBe("The key is [redacted:KEY] indeed, s")
    expect(s.written.join("")).not.toContain("sk-can")
  })

  it("without hold-back (stderr), whole writes are masked and nothing waits", () => {
    const s = sink(false)
    s.set.add(CANARY)
    s.write(`error: ${CANARY} refused; answer? `)
    expect(s.written).toEqual(["error: *** refused; answer? "])
  })
})

describe("URL credentials (P04)", () => {
  it("finds userinfo and key-like query values in any text, but not ${VAR} references", () => {
    expect(findUrlSecrets("https://user:pw@host/x")).toEqual([{ where: "userinfo", value: "pw" }])
    expect(findUrlSecrets("https://ghp_token@host/")).toEqual([{ where: "userinfo", value: "ghp_token" }])
    expect(findUrlSecrets("--db=postgres://u:secret@127.0.0.1/db")).toEqual([
      { where: "userinfo", value: "secret" },
    ])
    expect(findUrlSecrets("https://h/mcp?api_key=sk%2D1&x=2")).toEqual([
      { where: "query parameter api_key", value: "sk%2D1" },
    ])
    for (const name of [
      "token",
      "access_token",
      "apiKey",
      "X-Amz-Signature",
      "password",
      "client_secret",
      "auth",
      "sessionid",
    ]) {
      expect(hasUrlSecrets(`https://h/mcp?${name}=v`)).toBe(true)
    }
    for (const ok of [
      "https://h/mcp?page=2&author=bob&design=x",
      "https://alice:${PW}@h/",
      "https://${U}:${P}@h/",
      "https://h/?token=${T}",
      "https://h/?token=",
    ]) {
      expect(hasUrlSecrets(ok)).toBe(false)
    }
  })

  it("masks only the credential: the user name, host, path and other parameters stay", () => {
    expect(maskUrlSecrets("https://user:pw@host/x")).toBe("https://user:***@host/x")
    expect(maskUrlSecrets("https://ghp_token@host/")).toBe("https://***@host/")
    expect(maskUrlSecrets("see https://h/mcp?api_key=sk-1&region=eu#top now")).toBe(
      "see https://h/mcp?api_key=***&region=eu#top now",
    )
    expect(maskUrlSecrets("https://h/mcp?token=${T}")).toBe("https://h/mcp?token=${T}")
  })

  it("names the field of a server definition that holds one", () => {
    expect(
      urlSecretFields({
        command: "x",
        args: ["--a", "--db=mysql://u:p@h/d"],
        env: { URL: "https://h/?key=k" },
      }),
    ).toEqual([
      { field: "args[1]", where: "userinfo" },
      { field: "env.URL", where: "query parameter key" },
    ])
  })
})
