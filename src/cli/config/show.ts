import { dangerousEnvWarnings, type ServerEntry } from "../../config/index.ts"
import { command } from "../command.ts"
import { configArgs } from "./args.ts"
import { createContext, loadFromArgs } from "../shared/context.ts"
import { printJson, printRaw } from "../shared/output.ts"
import { jsonText, serverJson } from "../shared/present.ts"
import { escapeLine } from "../../util/text.ts"

export default command({
  name: "show",
  description: "Print the merged servers with their scope and file; secret values are masked",
  args: configArgs,
  examples: ["agent config show", "agent config show --mcp mcp.example.json --output json"],
  run({ args, rawArgs }) {
    const ctx = createContext(args)
    const config = loadFromArgs(ctx, rawArgs)
    const servers = config.servers.map((e) => ({
      name: e.name,
      scope: e.scope,
      file: e.file,
      definition: serverJson(e.server),
    }))
    // I10: a variable that loads code or picks the program is shown in full, and said so.
    for (const e of config.servers)
      for (const w of dangerousEnvWarnings(e.name, e.server)) ctx.log.warn(escapeLine(w))
    if (ctx.output === "json") {
      printJson({ servers, shadowed: config.shadowed.map(where), sources: config.sources })
      return
    }
    if (servers.length === 0) {
      ctx.log.info("no servers configured; add one with `agent mcp add NAME -- COMMAND ARGS…`")
      return
    }
    const merged = { mcpServers: Object.fromEntries(servers.map((s) => [s.name, s.definition])) }
    printRaw(jsonText(merged))
    for (const s of servers) ctx.log.info(`${s.name}: ${s.scope} scope, ${s.file}`)
    for (const s of config.shadowed)
      ctx.log.info(`${s.name}: the definition in ${s.file} is overridden by a later scope`)
  },
})

function where(e: ServerEntry) {
  return { name: e.name, scope: e.scope, file: e.file }
}
