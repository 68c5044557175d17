import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { command } from "../command.ts"
import { connectArgs, connectedServer, positionals, withServers } from "../shared/connect.ts"
import { firstLine, renderPrompt, renderResource } from "./render-content.ts"
import { keyValues } from "../shared/context.ts"
import { oneOrAll } from "./tools.ts"
import { printJson, printRaw, printTable } from "../shared/output.ts"
import { didYouMean } from "../../util/suggest.ts"

// `agent mcp prompts | prompt | resources | read`: the servers' prompts and resources.

const serverPositional = {
  server: { type: "positional", required: false, valueHint: "NAME", description: "Only this server" },
} as const

/** [SERVER] ITEM, where SERVER may be omitted for an ad hoc server. */
function serverAndItem(
  parsed: unknown,
  rawArgs: string[],
  args: { url?: string },
  usage: string,
): [string | undefined, string] {
  const pos = positionals(parsed, rawArgs)
  const isAdhoc = args.url !== undefined || rawArgs.includes("--")
  const [server, item] = isAdhoc && pos.length === 1 ? [undefined, pos[0]] : pos
  if (item === undefined || pos.length > 2) throw new UsageError(`usage: ${usage}`)
  return [server, item]
}

export const prompts = command({
  name: "prompts",
  description: "List the prompts of every connected server (or of NAME), with their arguments",
  args: { ...connectArgs, ...serverPositional },
  examples: ["agent mcp prompts --mcp mcp.example.json", "agent mcp prompts everything --output json"],
  run({ args, rawArgs }) {
    const [name] = positionals(args._, rawArgs)
    return withServers(args, rawArgs, { only: name }, async (s) => {
      oneOrAll(s, name)
      const list = await s.manager.prompts(name)
      if (s.ctx.output === "json")
        return printJson({ prompts: list.map((p) => ({ server: p.server, ...p.prompt })) })
      if (list.length === 0) return printRaw("no prompts")
      const argsOf = (p: (typeof list)[number]) =>
        (p.prompt.arguments ?? []).map((a) => `${a.name}${a.required ? "" : "?"}`).join(" ")
      printTable(
        list.map((p) => [p.server, p.prompt.name, argsOf(p), firstLine(p.prompt.description)]),
        ["SERVER", "PROMPT", "ARGUMENTS", "DESCRIPTION"],
      )
    })
  },
})

export const prompt = command({
  name: "prompt",
  description:
    "Get one prompt with its arguments filled in and print its messages (json: the raw GetPromptResult)",
  args: {
    ...connectArgs,
    arg: {
      type: "string",
      valueHint: "KEY=VALUE",
      description: "A prompt argument (repeatable; always a string)",
    },
    server: {
      type: "positional",
      required: false,
      valueHint: "SERVER",
      description: "The server (may be omitted with an ad hoc server)",
    },
    prompt: { type: "positional", required: false, valueHint: "NAME", description: "The prompt's name" },
  },
  examples: [
    "agent mcp prompt everything args-prompt --arg city=Paris --mcp mcp.example.json",
    "agent mcp prompt docs greet --arg name=Ada --output json",
  ],
  run({ args, rawArgs }) {
    const [server, name] = serverAndItem(
      args._,
      rawArgs,
      args,
      "agent mcp prompt SERVER NAME [--arg KEY=VALUE]…",
    )
    const values = keyValues(rawArgs, (raw) => raw) as Record<string, string>
    return withServers(args, rawArgs, { only: server, isSingle: true }, async (s) => {
      const c = connectedServer(s, server ?? s.states[0]!.name)
      const known = (await s.manager.prompts(c.name)).find((p) => p.prompt.name === name)
      if (!known) {
        const names = (await s.manager.prompts(c.name)).map((p) => p.prompt.name)
        throw new UsageError(
          escapeTerminal(`server "${c.name}" has no prompt "${name}"${didYouMean(name, names)}`),
          { hint: `\`agent mcp prompts ${c.name}\` lists them` },
        )
      }
      const missing = (known.prompt.arguments ?? [])
        .filter((a) => a.required && !Object.hasOwn(values, a.name))
        .map((a) => a.name)
      if (missing.length) {
        throw new UsageError(escapeTerminal(`prompt ${name} needs ${missing.join(", ")}`), {
          hint: escapeTerminal(missing.map((m) => `--arg ${m}=…`).join(" ")),
        })
      }
      const result = await s.manager.getPrompt(c.name, name, values, {
        signal: s.signal,
        ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }),
      })
      if (s.ctx.output === "json") return printJson(result)
      printRaw(renderPrompt(result) || "(no messages)")
    })
  },
})

export const resources = command({
  name: "resources",
  description: "List the resources and resource templates of every connected server (or of NAME)",
  args: { ...connectArgs, ...serverPositional },
  examples: ["agent mcp resources --mcp mcp.example.json", "agent mcp resources everything --output json"],
  run({ args, rawArgs }) {
    const [name] = positionals(args._, rawArgs)
    return withServers(args, rawArgs, { only: name }, async (s) => {
      oneOrAll(s, name)
      const list = await s.manager.resources(name)
      if (s.ctx.output === "json") return printJson({ servers: list })
      const rows = list.flatMap((r) => [
        ...r.resources.map((x) => [r.server, x.uri, x.mimeType ?? "", firstLine(x.description ?? x.name)]),
        ...r.templates.map((t) => [
          r.server,
          t.uriTemplate,
          t.mimeType ?? "",
          `(template) ${firstLine(t.description ?? t.name)}`,
        ]),
      ])
      if (rows.length === 0) return printRaw("no resources")
      printTable(rows, ["SERVER", "URI", "TYPE", "DESCRIPTION"])
    })
  },
})

export const read = command({
  name: "read",
  description: "Read one resource: text printed, binary summarised (json: the raw ReadResourceResult)",
  args: {
    ...connectArgs,
    server: {
      type: "positional",
      required: false,
      valueHint: "SERVER",
      description: "The server (may be omitted with an ad hoc server)",
    },
    uri: {
      type: "positional",
      required: false,
      valueHint: "URI",
      description: "The resource URI (a template filled in)",
    },
  },
  examples: [
    "agent mcp read everything demo://resource/static/document/features.md --mcp mcp.example.json",
    "agent mcp read docs fixture://items/42 --output json",
  ],
  run({ args, rawArgs }) {
    const [server, uri] = serverAndItem(args._, rawArgs, args, "agent mcp read SERVER URI")
    return withServers(args, rawArgs, { only: server, isSingle: true }, async (s) => {
      const c = connectedServer(s, server ?? s.states[0]!.name)
      const result = await s.manager.readResource(c.name, uri, {
        signal: s.signal,
        ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }),
      })
      if (s.ctx.output === "json") return printJson(result)
      printRaw(result.contents.map(renderResource).join("\n") || "(no contents)")
    })
  },
})
