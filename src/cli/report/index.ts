import { readFileSync } from "node:fs"
import { formatSummary, isBatchOk, mergeResults, parseTasks } from "../../agent/index.ts"
import { ConfigError, ExitCode, UsageError } from "../../util/errors.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext } from "../shared/context.ts"
import { printJson, printRaw } from "../shared/output.ts"

// `agent report merge` (docs/runs.md "Batch runs", docs/json-output.md): the results files of a
// batch's shards folded into one summary. Exit 1 when any task failed (or, with --tasks, has no
// report in any file), so a CI job that merges also fails the pipeline; 2 for an unreadable file.

const merge = command({
  name: "merge",
  description:
    "Merge batch results files (one per shard) into one summary: counts, failures, tokens, durations",
  args: {
    ...commonArgs,
    ...outputArg,
    tasks: {
      type: "string",
      valueHint: "FILE",
      description: "The batch's tasks.jsonl: ids with no report in any file are listed as missing (and fail)",
    },
    files: {
      type: "positional",
      required: true,
      valueHint: "RESULTS.jsonl",
      description: "Results files written by agent run --batch --results",
    },
  },
  examples: [
    "agent report merge out-*.jsonl",
    "agent report merge results/*.jsonl --tasks tasks.jsonl --output json > summary.json",
  ],
  run({ args }) {
    const ctx = createContext(args)
    const files = Array.isArray(args._) ? args._.map(String).filter((f) => f !== "") : []
    if (files.length === 0)
      throw new UsageError("name the results files to merge", { hint: "agent report merge out-*.jsonl" })
    const inputs = files.map((file) => ({ file, text: readText(file, "results file") }))
    const expected = args.tasks ? parseTasks(readText(args.tasks, "tasks file"), args.tasks) : undefined
    const summary = mergeResults(
      inputs,
      expected?.map((t) => t.id),
    )
    if (ctx.output === "json") printJson(summary)
    else printRaw(formatSummary(summary))
    return isBatchOk(summary) ? ExitCode.ok : ExitCode.failure
  },
})

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8")
  } catch (e: unknown) {
    throw new ConfigError(`cannot read the ${what} ${file}`, { cause: e, file })
  }
}

export default command({
  name: "report",
  description: "Work with run reports: merge the results of a sharded batch",
  examples: ["agent report merge out-1.jsonl out-2.jsonl out-3.jsonl --output json"],
  subCommands: {
    merge: () => Promise.resolve(merge),
  },
})
