import { existsSync } from "node:fs"
import { configLocations } from "../../config/index.ts"
import { command } from "../command.ts"
import { configArgs } from "./args.ts"
import { configFiles, createContext } from "../shared/context.ts"
import { policyLocations } from "../shared/policy.ts"
import { printJson, printTable } from "../shared/output.ts"

export default command({
  name: "path",
  description:
    "List the config files that are read, lowest precedence first, the state directory, and the organisation policy in force (docs/policy.md)",
  args: configArgs,
  examples: [
    "agent config path",
    "agent config path --mcp ./ci/mcp.json --output json",
    "AGENTRT_POLICY=./ci/policy.json agent config path   # the managed policy file, and this one: both apply",
    '# --output json: { files, stateDir, userConfig, policy: [{ source: "managed" | "AGENTRT_POLICY", file }] } (policy: [] when none)',
  ],
  run({ args, rawArgs }) {
    const ctx = createContext(args)
    const files = configLocations({ paths: ctx.paths, cwd: ctx.cwd, ...configFiles(rawArgs) }).map((l) => ({
      scope: l.scope,
      file: l.file,
      exists: existsSync(l.file),
    }))
    // The files in force, not parsed here: this command still answers when one is broken
    // (every command that uses the policy then stops with the parse error, exit 2).
    const policy = policyLocations(ctx)
      .filter((l) => l.required || existsSync(l.file))
      .map((l) => ({ source: l.source, file: l.file }))
    if (ctx.output === "json") {
      printJson({ files, stateDir: ctx.paths.stateDir, userConfig: ctx.paths.userConfig, policy })
      return
    }
    printTable(
      [
        ...files.map((f) => [f.scope, f.file, f.exists ? "" : "(missing)"]),
        ["state", ctx.paths.stateDir, ""],
        ...(policy.length
          ? policy.map((p) => [
              "policy",
              p.file,
              existsSync(p.file) ? `(${p.source})` : "(missing: an error)",
            ])
          : [["policy", "none", ""]]),
      ],
      ["SCOPE", "PATH", ""],
    )
  },
})
