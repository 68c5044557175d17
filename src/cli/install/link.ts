import { maskValue, toFileEntry, urlSecretFields, type ServerConfig } from "../../config/index.ts"
import { findCatalogEntry, formatInstallLink, LINK_FORMATS, type LinkFormat } from "../../install/index.ts"
import { UsageError } from "../../util/errors.ts"
import { escapeTerminal } from "../../util/text.ts"
import { loadFromArgs, type Ctx } from "../shared/context.ts"
import { printJson, printText } from "../shared/output.ts"

// `agent install --link NAME`: the "Add to agent" link or badge a server author puts in a
// README (docs/design.md §8). A configured server wins over a catalog entry of the same name: it is
// what the author has actually been running. markdown, html and url point at the web install
// page (READMEs drop agentrt:// links); agentrt (the default) and scheme give the raw link.

const FORMATS = LINK_FORMATS

export function printInstallLink(ctx: Ctx, rawArgs: string[], name: string, format: string): void {
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${escapeTerminal(format)}"`)
  }
  const entry = entryFor(ctx, rawArgs, name)
  const link = formatInstallLink(name, entry, format as LinkFormat)
  if (ctx.output === "json") printJson({ name, format, link })
  else printText(link)
}

function entryFor(ctx: Ctx, rawArgs: string[], name: string): Record<string, unknown> {
  const configured = loadFromArgs(ctx, rawArgs).servers.find((e) => e.name === name)
  if (configured) {
    refuseLiteralSecrets(name, configured.server)
    // The canonical file form without defaults, so the link carries only what was set.
    return toFileEntry(configured.server)
  }
  const cataloged = findCatalogEntry(name)
  if (cataloged) return cataloged.entry
  throw new UsageError(`no configured server or catalog entry is called "${escapeTerminal(name)}"`, {
    hint: "`agent config show` lists the configured servers, `agent mcp catalog` the catalog",
  })
}

/** A link is public text: a literal token in it would be published with the README. */
function refuseLiteralSecrets(name: string, server: ServerConfig): void {
  refuseUrlSecrets(name, server)
  const fields: [string, string | undefined][] =
    server.transport === "stdio"
      ? Object.entries(server.env).map(([k, v]) => [`env.${k}`, v])
      : [
          ...Object.entries(server.headers).map(([k, v]): [string, string] => [`headers.${k}`, v]),
          ["oauth.clientSecret", server.oauth?.clientSecret],
          ["oauth.privateKey", server.oauth?.privateKey],
        ]
  for (const [field, value] of fields) {
    if (value === undefined || value === "" || maskValue(value) !== "***") continue
    const variable = field
      .split(".")
      .pop()!
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, "_")
    throw new UsageError(
      `server "${escapeTerminal(name)}" has a literal value in ${escapeTerminal(field)}; a link would publish it`,
      {
        hint: `use a reference instead, e.g. "\${${variable}}", then approve it with \`agent env approve ${variable} --server ${name}\``,
      },
    )
  }
}

/** P04: a password or key in any URL of the definition (url, args, env, oauth) is refused like a literal header value. */
function refuseUrlSecrets(name: string, server: ServerConfig): void {
  const [found] = urlSecretFields(server)
  if (!found) return
  throw new UsageError(
    `server "${escapeTerminal(name)}" has a password or key in a URL (${found.where} in ${escapeTerminal(found.field)}); a link would publish it`,
    {
      hint: "use a reference instead, e.g. https://host/mcp?api_key=${API_KEY} or https://${USER}:${PASSWORD}@host/, then approve the variable",
    },
  )
}
