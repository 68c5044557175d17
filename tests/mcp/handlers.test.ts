// Server → client requests: sampling without a handler gets an error response; with one,
// the handler answers and learns which server asked.
import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import type { Resolution } from "../../src/config/index.ts"
import { manager, stdio, textOf } from "./helpers.ts"

const sampling = (): Resolution => {
  const r = stdio("sampler", "stdio-basic.ts")
  if (r.status === "ready" && r.server.transport === "stdio")
    r.server.args = [join(import.meta.dir, "fixtures/stdio-sampling.ts")]
  return r
}

describe("sampling", () => {
  it("answers with an error when the command has no sampling handler", async () => {
    await using m = await manager([sampling()])
    await m.connect()
    const out = await m
      .callTool("sampler", "sample", {})
      .then(textOf, (e: unknown) => `rejected: ${(e as Error).message}`)
    expect(out).toContain("sampling is not available in this command")
  })

  it("passes the request to opts.sample with the server's name", async () => {
    const asked: string[] = []
    await using m = await manager([sampling()], {
      sample: async (server) => {
        asked.push(server)
        return { role: "assistant", content: { type: "text", text: "sampled!" }, model: "test" }
      },
    })
    await m.connect()
    expect(textOf(await m.callTool("sampler", "sample", {}))).toContain("sampled!")
    expect(asked).toEqual(["sampler"])
  })
})
