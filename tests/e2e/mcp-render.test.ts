import { describe, expect, it } from "bun:test"
import { join } from "node:path"
import { BLOB_BASE64, MEDIA_CONTENT } from "../fixtures/servers/stdio-media.ts"
import { BUN, ROOT, runCli } from "../helpers/cli.ts"
import { tmpdir, type TmpDir } from "../helpers/tmp.ts"

// What `agent mcp call` and `read` print for content that is not text, on the compiled binary:
// text as is, images, audio and resources summarised in brackets; `--output json` the raw result.
const MEDIA = join(ROOT, "tests/fixtures/servers/stdio-media.ts")
const agent = (t: TmpDir, args: string[]) =>
  runCli([...args, "--", BUN, MEDIA], { home: t.home, cwd: t.path, binary: true })

describe("compiled binary: rendering tool results and resources", () => {
  it("call prints text content and summarises image, audio, embedded resources and resource links", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["mcp", "call", "media"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      [
        "here is everything",
        "[image image/png, 70 B]",
        "[audio audio/wav, 8 B]",
        "[resource fixture://media/notes.md (text/markdown)]",
        "[resource fixture://media/blob (application/octet-stream)]",
        '[resource link https://example.com/report.pdf "report"]',
        "",
      ].join("\n"),
    )
    expect(r.stdout).not.toContain(MEDIA_CONTENT[1]!.data as string) // no base64 on the terminal
  }, 30_000)

  it("--output json prints the raw result: every block as the server sent it, base64 included", async () => {
    await using t = await tmpdir()
    const r = await agent(t, ["mcp", "call", "media", "--output", "json"])
    expect(r.code).toBe(0)
    const result = r.json<{ content: unknown[]; isError?: boolean }>()
    expect(result.content).toEqual(MEDIA_CONTENT)
    expect(result.isError).toBeFalsy()
  }, 30_000)

  it("read summarises a blob resource in text and prints its bytes with --output json", async () => {
    await using t = await tmpdir()
    const text = await agent(t, ["mcp", "read", "fixture://media/blob"])
    expect(text.code).toBe(0)
    expect(text.stdout).toBe(
      "[blob fixture://media/blob application/octet-stream, 2.0 KB; --output json prints it]\n",
    )

    const json = await agent(t, ["mcp", "read", "fixture://media/blob", "-o", "json"])
    expect(json.code).toBe(0)
    expect(json.json<{ contents: unknown[] }>().contents).toEqual([
      { uri: "fixture://media/blob", mimeType: "application/octet-stream", blob: BLOB_BASE64 },
    ])
  }, 30_000)
})
