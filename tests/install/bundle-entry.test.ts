import { describe, expect, it } from "bun:test"
import { sep } from "node:path"
import { expandTemplate } from "../../src/config/interpolate.ts"
import {
  buildBundleEntry,
  literal,
  userConfigVariable,
  type UserValue,
} from "../../src/install/bundle-entry.ts"
import { parseManifest, type BundleManifest } from "../../src/install/bundle-manifest.ts"
import { checkEntry } from "../../src/install/link-entry.ts"
import type { AgentError } from "../../src/util/errors.ts"
import { bundleManifest, refusedLine } from "../helpers/zip.ts"

// manifest.json through @anthropic-ai/mcpb's schemas, and the server entry a manifest becomes.

const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc))
const DIR = `${sep}home${sep}u${sep}bundles${sep}hello-1.0.0-abc`

async function rejected(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e: unknown) {
    expect((e as AgentError).exitCode).toBe(2)
    return (e as Error).message
  }
  throw new Error("accepted")
}

describe("parseManifest (I34)", () => {
  it("accepts every manifest version the MCPB schemas define", async () => {
    for (const version of ["0.1", "0.2", "0.3", "0.4"]) {
      const m = await parseManifest(encode(bundleManifest({ manifest_version: version })))
      expect(m.server.entry_point).toBe("server/index.js")
    }
    expect(
      (
        await parseManifest(
          encode({ ...bundleManifest({ manifest_version: undefined }), dxt_version: "0.1" }),
        )
      ).name,
    ).toBe("hello-bundle")
  })

  it("refuses a manifest with a missing field, an unknown key, a bad type or an unknown version", async () => {
    const { server: _s, ...noServer } = bundleManifest()
    expect(await rejected(parseManifest(encode(noServer)))).toContain("manifest.json field server:")
    expect(await rejected(parseManifest(encode(bundleManifest({ evil: true }))))).toContain('"evil"')
    const badType = bundleManifest({
      server: { type: "shell", entry_point: "x", mcp_config: { command: "sh" } },
    })
    expect(await rejected(parseManifest(encode(badType)))).toContain("server.type")
    expect(await rejected(parseManifest(encode(bundleManifest({ manifest_version: "9.9" }))))).toContain(
      'manifest_version "9.9"; supported: 0.1, 0.2, 0.3, 0.4',
    )
    expect(await rejected(parseManifest(new TextEncoder().encode("{ nope")))).toContain("not valid JSON")
  })
})

function manifest(
  mcp_config: Record<string, unknown>,
  user_config?: Record<string, unknown>,
): Promise<BundleManifest> {
  return parseManifest(
    encode(
      bundleManifest({
        server: { type: "node", entry_point: "server/index.js", mcp_config },
        ...(user_config && { user_config }),
      }),
    ),
  )
}

const build = (m: BundleManifest, values: Record<string, UserValue> = {}, platform = "linux") =>
  buildBundleEntry(m, { dir: DIR, platform, home: `${sep}home${sep}u`, values })

describe("buildBundleEntry", () => {
  it("resolves ${__dirname}, ${HOME}, ${/} and the platform override", async () => {
    const m = await manifest({
      command: "node",
      args: ["${__dirname}/server/index.js", "--docs=${DOCUMENTS}", "a${/}b"],
      platform_overrides: { win32: { command: "node.exe" } },
    })
    expect(build(m).entry).toEqual({
      command: "node",
      args: [`${DIR}/server/index.js`, `--docs=${sep}home${sep}u${sep}Documents`, `a${sep}b`],
      cwd: DIR,
    })
    expect(build(m, {}, "win32").entry.command).toBe("node.exe")
  })

  it("turns user_config into values, ${VAR} references, expanded lists or nothing (I36)", async () => {
    const m = await manifest(
      {
        command: "node",
        args: [
          "${__dirname}/s.js",
          "${user_config.dirs}",
          "--units=${user_config.units}",
          "${user_config.extra}",
        ],
        env: { API_KEY: "${user_config.api_key}" },
      },
      {
        dirs: { type: "directory", title: "Dirs", description: "Where", multiple: true },
        units: { type: "string", title: "Units", description: "Units" },
        extra: { type: "string", title: "Extra", description: "Optional" },
        api_key: { type: "string", title: "API key", description: "Your key", sensitive: true },
      },
    )
    const built = build(m, {
      dirs: { kind: "value", value: ["/a", "/b"] },
      units: { kind: "value", value: "metric" },
      extra: { kind: "unset" },
      api_key: { kind: "reference", variable: userConfigVariable("hello-bundle", "api_key") },
    })
    expect(built.entry.args).toEqual([`${DIR}/s.js`, "/a", "/b", "--units=metric"])
    expect(built.entry.env).toEqual({ API_KEY: "${HELLO_BUNDLE_API_KEY}" })
    expect(built.variables).toEqual({ HELLO_BUNDLE_API_KEY: "API key: Your key" })
  })

  it("refuses a ${…} that neither MCPB nor user_config defines (I34)", async () => {
    const m = await manifest({ command: "node", args: ["${GITHUB_TOKEN}"] })
    expect(refusedLine(() => build(m))).toContain("mcp_config args[0] uses ${GITHUB_TOKEN}")
  })

  it("writes manifest text and typed values so our ${…} engine reads them back literally (I36)", async () => {
    const tricky = ["price $5 and $HOME", "100%PATH%", "{env:SECRET}", "\\{env:SECRET}", "$${X}", "a\\${Y}"]
    for (const text of tricky) {
      const expanded = expandTemplate(literal(text), () => "LEAKED")
      expect(expanded).toEqual({ ok: true, value: text })
    }
    const m = await manifest(
      { command: "node", args: ["${user_config.note}"] },
      {
        note: { type: "string", title: "Note", description: "n" },
      },
    )
    const entry = build(m, { note: { kind: "value", value: "${HOME} $x" } }).entry
    // The config loader's own checks accept it, and it references no variable.
    expect(checkEntry(entry)).toMatchObject({ args: ["$${HOME} $$x"] })
    expect(expandTemplate(entry.args[0] as string, () => "LEAKED")).toEqual({ ok: true, value: "${HOME} $x" })
  })

  it("names the variables after the bundle and key", () => {
    expect(userConfigVariable("hello-world", "api_key")).toBe("HELLO_WORLD_API_KEY")
    expect(userConfigVariable("io.github.x/srv", "token")).toBe("IO_GITHUB_X_SRV_TOKEN")
  })
})
