#!/usr/bin/env bun
// Re-records examples/everything-sum.jsonl, the run behind the README's set-up `agent run`
// command: the model side comes from the model-provider fixture (tests/fixtures/model), the
// tools from the real `everything` server in mcp.example.json. Replaying it needs no API key,
// and it calls the server's tools for real (their results must match the recording).
//   bun scripts/record-example.ts
import { join, resolve } from "node:path"
import { fakeModel } from "../tests/fixtures/model/server.ts"

export const EXAMPLE_PROMPT = "Add 17 and 25 with the everything server, then echo the answer back."
const ROOT = resolve(import.meta.dir, "..")
const OUT = join(ROOT, "examples/everything-sum.jsonl")

if (import.meta.main) {
  await using srv = await fakeModel([
    {
      text: "I'll add the numbers first.",
      toolCalls: [{ name: "everything__get-sum", args: { a: 17, b: 25 } }],
    },
    { toolCalls: [{ name: "everything__echo", args: { message: "17 + 25 = 42" } }] },
    { text: "17 + 25 = 42: get-sum returned 42 and the echo tool repeated it back." },
  ])
  const proc = Bun.spawn(
    [
      process.execPath,
      join(ROOT, "src/main.ts"),
      "run",
      "--mcp",
      join(ROOT, "mcp.example.json"),
      "-m",
      "anthropic:claude-sonnet-4-5",
      "--yes",
      "--record",
      OUT,
      EXAMPLE_PROMPT,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ANTHROPIC_API_KEY: "fixture", ANTHROPIC_BASE_URL: srv.anthropicBaseUrl },
      stdout: "inherit",
      stderr: "inherit",
    },
  )
  const code = await proc.exited
  if (code !== 0) process.exit(code)
  console.error(`recorded ${OUT}`)
}
