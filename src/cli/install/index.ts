import { McpbPackage, parseRegistryName } from "../../install/index.ts"
import { UsageError } from "../../util/errors.ts"
import { command, commonArgs, outputArg } from "../command.ts"
import { createContext, repeated, type Ctx } from "../shared/context.ts"
import { registryArg } from "../shared/registries.ts"
import type { BundleArgs } from "./bundle.ts"
import { isBundleTarget } from "./bundle-target.ts"
import { printInstallLink } from "./link.ts"
import { enforceLinkPolicy } from "../shared/policy.ts"
import {
  applyInstall,
  decide,
  planInstall,
  report,
  showScreen,
  type InstallArgs,
  type Prepared,
} from "./plan.ts"

// `agent install LINK|CATALOG_NAME` (docs/design.md §8). Nothing is written before the user has seen
// exactly what the link would add (SEP-1024; I01-I08): the screen goes to stderr, a terminal
// answer or --yes approves it, and without either nothing is installed (exit 3). Installing
// never runs the server and never reads a variable's value; variables are only *approved*.
// The screen, the question and the write live in plan.ts, shared with the browser page.

export default command({
  name: "install",
  description:
    "Install an MCP server from an install link (agentrt and its web page, Cursor, VS Code, Kiro, Goose, LM Studio), an MCP Registry name, an MCPB bundle (.mcpb) or the built-in catalog, after showing exactly what it adds",
  args: {
    ...commonArgs,
    ...outputArg,
    target: {
      type: "positional",
      required: false,
      valueHint: "LINK|REGISTRY_NAME[@VERSION]|BUNDLE|CATALOG_NAME",
      description:
        "An install link, a registry name such as io.github.owner/server (see `agent mcp search`), a .mcpb bundle (file or https URL), or a name from `agent mcp catalog`",
    },
    ...registryArg,
    package: {
      type: "string",
      valueHint: "npm|pypi|oci|nuget|mcpb",
      description: "Registry installs: use the server's package of this type",
    },
    remote: {
      type: "boolean",
      description: "Registry installs: use the server's remote (Streamable HTTP or SSE) instead of a package",
    },
    scope: {
      type: "string",
      valueHint: "user|project",
      description: "Which config to write: user (default) or project (./.mcp.json)",
    },
    mcp: {
      type: "string",
      valueHint: "FILE",
      description: "Write this config file instead of a scope (with --link: also load it)",
    },
    name: {
      type: "string",
      valueHint: "NEW",
      description: "Install under this name instead of the one the link gives",
    },
    yes: {
      type: "boolean",
      alias: "y",
      description:
        "Install without asking (needed without a terminal); variables stay unapproved unless --approve-env",
    },
    "approve-env": {
      type: "boolean",
      description: "Also approve every variable the server references (bound to this definition)",
    },
    "allow-dangerous-env": {
      type: "string",
      valueHint: "NAME",
      description:
        "Let the link set NAME (PATH, NODE_OPTIONS, LD_PRELOAD…: variables that decide what runs); refused otherwise (repeatable)",
    },
    "dry-run": {
      type: "boolean",
      description: "Show the screen and the entry that would be written; write nothing",
    },
    link: {
      type: "string",
      valueHint: "NAME",
      description: "Print an install link for a configured server or catalog entry instead of installing",
    },
    format: {
      type: "string",
      valueHint: "agentrt|scheme|url|markdown|html|cursor|vscode|kiro|lmstudio",
      description:
        'With --link: the link format (url: the web install page; markdown/html: an "Add to agent" badge linking to it; agentrt/scheme: the raw agentrt:// link)',
      default: "agentrt",
    },
    register: {
      type: "boolean",
      description: "Make this binary the OS handler for agentrt:// links (with --exec PATH: that binary)",
    },
    unregister: {
      type: "boolean",
      description: "Undo --register: remove the handler and restore the previous one",
    },
    exec: {
      type: "string",
      valueHint: "PATH",
      description: "With --register: the agent binary the OS should start",
    },
    sha256: {
      type: "string",
      valueHint: "HEX",
      description: "For a .mcpb bundle: the sha256 its bytes must have (refused otherwise)",
    },
    "user-config": {
      type: "string",
      valueHint: "KEY=VALUE",
      description: "For a .mcpb bundle: a value for one of its non-sensitive user_config keys (repeatable)",
    },
    browser: {
      type: "boolean",
      description:
        "Ask on a local page in the browser instead of the terminal (what a clicked agentrt:// link runs)",
    },
  },
  examples: [
    "agent install github                                   # from the catalog: review, then answer y",
    "agent install io.github.owner/weather                  # from the MCP Registry (latest version)",
    "agent install io.github.owner/weather@1.2.0 --package oci --dry-run",
    "agent install com.example/tools --registry https://registry.example.com --remote",
    "agent install 'agentrt://mcp/install?name=fs&config=…'",
    "agent install 'cursor://anysphere.cursor-deeplink/mcp/install?name=x&config=…' --scope project",
    "agent install memory --yes                             # scripts and CI: no terminal to ask",
    "agent install github --dry-run",
    "agent install 'https://agentrt.github.io/agentrt/install.html#name=fs&config=…'   # the web page's link",
    "agent install 'lmstudio://add_mcp?name=x&config=…' --dry-run",
    "agent install ./weather.mcpb                           # an MCPB bundle: checked, shown, then unpacked",
    "agent install https://example.com/weather.mcpb --sha256 9f2c… --user-config units=metric",
    'agent install --link my-server --format markdown       # an "Add to agent" badge for a README',
    "agent install --link my-server --format html           # the same badge as HTML",
    "agent install --link my-server --format scheme         # the raw agentrt:// link",
    "agent install --link my-server --format lmstudio       # an LM Studio deeplink",
  ],
  async run({ args, rawArgs }) {
    const ctx = createContext(args)
    // docs/policy.md: with links off, a link handler would only lead to refusals.
    if (args.register) enforceLinkPolicy(ctx, "registering the agentrt:// link handler")
    if (args.register || args.unregister) return (await import("./register.ts")).run(ctx, args)
    if (args.link !== undefined) {
      if (args.target !== undefined)
        throw new UsageError("give either --link NAME or a link/catalog name to install, not both")
      return printInstallLink(ctx, rawArgs, String(args.link), String(args.format))
    }
    if (args.target === undefined || args.target === "") {
      throw new UsageError("missing LINK or CATALOG_NAME", {
        hint: "agent install github, or agent install 'agentrt://mcp/install?name=…&config=…'; see `agent mcp catalog`",
      })
    }
    const installArgs = {
      ...args,
      allowDangerousEnv: repeated(rawArgs, "allow-dangerous-env"),
      userConfig: repeated(rawArgs, "user-config"),
    } as BundleArgs
    const sha256 = args.sha256 === undefined ? undefined : String(args.sha256)
    if (isBundleTarget(String(args.target), sha256)) {
      if (args.browser)
        throw new UsageError("--browser is for install links; a bundle is approved in the terminal")
      return (await import("./bundle.ts")).installBundle(ctx, installArgs, String(args.target))
    }
    if (installArgs.userConfig?.length) throw new UsageError("--user-config is only for .mcpb bundles")
    const fromRegistry = parseRegistryName(String(args.target))
    if (fromRegistry) {
      if (args.browser)
        throw new UsageError("--browser asks about install links; a registry name is asked in the terminal")
      return install(ctx, installArgs, String(args.target), rawArgs, fromRegistry)
    }
    if (args.registry !== undefined || args.package !== undefined || args.remote)
      throw new UsageError(
        "--registry, --package and --remote apply to registry names (io.github.owner/server)",
      )
    if (args.browser)
      return (await import("./browser.ts")).installViaBrowser(ctx, installArgs, String(args.target))
    return install(ctx, installArgs, String(args.target), rawArgs)
  },
})

async function install(
  ctx: Ctx,
  args: InstallArgs,
  input: string,
  rawArgs: string[],
  fromRegistry?: { name: string; version?: string },
): Promise<void> {
  const isDryRun = Boolean(args["dry-run"])
  let prepared: Prepared | undefined
  try {
    prepared = fromRegistry
      ? await (await import("./registry.ts")).prepareRegistryInstall(ctx, args, rawArgs, fromRegistry)
      : undefined
  } catch (e: unknown) {
    // The registry chose an MCPB bundle: installed as `agent install URL --sha256 fileSha256` would be.
    if (!(e instanceof McpbPackage)) throw e
    const { installBundleFromUrl } = await import("./bundle.ts")
    return installBundleFromUrl(ctx, args, { ...e.source, registry: e.origin })
  }
  const plan = planInstall(ctx, args, input, prepared)
  showScreen(plan)
  if (isDryRun) {
    report(ctx, plan, [], true)
    return
  }
  const approved = await decide(ctx, args, plan)
  await applyInstall(ctx, args, plan, approved)
}
