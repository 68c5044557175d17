// O16: the SSRF guard connects to the address it checked. A name is looked up once through the
// guard's DNS seam, every address is checked, and the request goes to that IP with `Host` (and
// for https the TLS server name) kept on the name, so a resolver that answers a public address
// for the check and 127.0.0.1 for the connection (DNS rebinding) never gets a second question.
// Real servers on 127.0.0.1; the https one has a certificate for the name only (openssl).
import { afterAll, beforeAll, describe, expect, it } from "bun:test"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir as osTmpdir } from "node:os"
import { join } from "node:path"
import { createGuardedFetch, type LookupFn } from "../../src/auth/guard.ts"
import { AuthRequiredError } from "../../src/util/errors.ts"
import { refusedDestinations } from "../helpers/loopback-only.ts"

const NAME = "pinned.test"
let dir: string
let ca: string

function openssl(...args: string[]) {
  const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" })
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${r.stderr.toString()}`)
}

beforeAll(async () => {
  dir = await mkdtemp(join(osTmpdir(), "agentrt-pin-"))
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=agentrt pin test CA",
  )
  openssl("req", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${NAME}`)
  await writeFile(join(dir, "leaf.ext"), `subjectAltName=DNS:${NAME}\n`)
  openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "leaf.ext",
    "-out",
    "leaf.crt",
  )
  ca = await readFile(join(dir, "ca.crt"), "utf8")
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** A lookup stand-in that answers from a script, one answer per question, and counts the questions. */
function scriptedLookup(...answers: string[][]): LookupFn & { asked: string[] } {
  const asked: string[] = []
  const fn = async (name: string) => {
    asked.push(name)
    return answers[Math.min(asked.length, answers.length) - 1] ?? []
  }
  return Object.assign(fn, { asked })
}

function serve(tls?: boolean) {
  const hosts: string[] = []
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(tls && { tls: { cert: Bun.file(join(dir, "leaf.crt")), key: Bun.file(join(dir, "leaf.key")) } }),
    fetch: (req) => (hosts.push(req.headers.get("host") ?? ""), new Response("reached")),
  })
  return { port: server.port, hosts, [Symbol.dispose]: () => server.stop(true) }
}

describe("createGuardedFetch connects to the address it checked (O16)", () => {
  it("O16: a rebinding resolver (public, then 127.0.0.1) is asked once; the request goes to the public address it checked", async () => {
    const lookup = scriptedLookup(["192.0.2.7"], ["127.0.0.1"])
    const seen: { url: string; host: string | null; serverName?: string }[] = []
    const f = createGuardedFetch({
      lookup,
      fetch: async (url, init) => {
        seen.push({
          url: String(url),
          host: new Headers(init?.headers).get("host"),
          serverName: (init as { tls?: { serverName?: string } }).tls?.serverName,
        })
        return new Response("ok")
      },
    })
    await f("https://rebind.example/.well-known/oauth-authorization-server")
    expect(lookup.asked).toEqual(["rebind.example"])
    expect(seen).toEqual([
      {
        url: "https://192.0.2.7/.well-known/oauth-authorization-server",
        host: "rebind.example",
        serverName: "rebind.example",
      },
    ])
    // The next request asks again, gets 127.0.0.1, and is refused before anything is fetched.
    await expect(f("https://rebind.example/token")).rejects.toBeInstanceOf(AuthRequiredError)
    expect(seen).toHaveLength(1)
  })

  it("O16: over plain http the connection reaches the checked IP with Host naming the server", async () => {
    using srv = serve()
    const lookup = scriptedLookup(["127.0.0.1"], ["192.0.2.7"])
    const f = createGuardedFetch({ lookup, allowLoopback: true })
    expect(await (await f(`http://${NAME}:${srv.port}/x`)).text()).toBe("reached")
    expect(srv.hosts).toEqual([`${NAME}:${srv.port}`])
    expect(lookup.asked).toEqual([NAME])
  })

  it("O16: over https the certificate is verified against the name (TLS server name), while the connection goes to the checked IP", async () => {
    const netBefore = [...refusedDestinations]
    using srv = serve(true)
    const f = createGuardedFetch({ lookup: scriptedLookup(["127.0.0.1"]), allowLoopback: true })
    const init = { tls: { ca } } as RequestInit
    expect(await (await f(`https://${NAME}:${srv.port}/x`, init)).text()).toBe("reached")
    expect(srv.hosts).toEqual([`${NAME}:${srv.port}`])
    // The certificate names only pinned.test: connecting by IP without the server name fails its check.
    const plain = await fetch(`https://127.0.0.1:${srv.port}/x`, init).then(
      () => "accepted",
      (e: unknown) => String((e as { code?: string }).code),
    )
    expect(plain).toBe("ERR_TLS_CERT_ALTNAME_INVALID")
    expect(refusedDestinations).toEqual(netBefore)
  })

  it("O16: when the first checked address refuses the connection, the next checked one is tried, never a new lookup", async () => {
    using srv = serve()
    const lookup = scriptedLookup(["::1", "127.0.0.1"])
    const f = createGuardedFetch({ lookup, allowLoopback: true })
    expect(await (await f(`http://${NAME}:${srv.port}/x`)).text()).toBe("reached")
    expect(lookup.asked).toEqual([NAME])
    expect(srv.hosts).toEqual([`${NAME}:${srv.port}`])
  })
})
