import { existsSync } from "node:fs"
import { configLocations } from "../../config/index.ts"
import { command } from "../command.ts"
import { configArgs } from "./args.ts"
import { configFiles, createContext } from "../shared/context.ts"
import { printJson, printTable } from "../shared/output.ts"

export default command({
  name: "path",
  description: "List the config files that are read, lowest precedence first, and the state directory",
  args: configArgs,
  examples: ["agent config path", "agent config path --mcp ./ci/mcp.json --output json"],
  run({ args, rawArgs }) {
    const ctx = createContext(args)
    const files = configLocations({ paths: ctx.paths, cwd: ctx.cwd, ...configFiles(rawArgs) }).map((l) => ({
      scope: l.scope,
      file: l.file,
      exists: existsSync(l.file),
    }))
    if (ctx.output === "json") {
      printJson({ files, stateDir: ctx.paths.stateDir, userConfig: ctx.paths.userConfig })
      return
    }
    printTable(
      [
        ...files.map((f) => [f.scope, f.file, f.exists ? "" : "(missing)"]),
        ["state", ctx.paths.stateDir, ""],
      ],
      ["SCOPE", "PATH", ""],
    )
  },
})
