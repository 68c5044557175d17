import { describe, expect, it } from "bun:test"
import { locations } from "../../src/util/locations.ts"
import { resolvePaths } from "../../src/util/paths.ts"

describe("locations", () => {
  it("gives the directories resolvePaths gives, for every way of choosing them", () => {
    for (const env of [
      { AGENTRT_HOME: "/nonexistent/agentrt-home" },
      { HOME: "/home/ann" },
      { HOME: "/home/ann", XDG_CONFIG_HOME: "/cfg", XDG_STATE_HOME: "/state" },
      { HOME: "/home/ann", XDG_CONFIG_HOME: "relative/ignored", XDG_STATE_HOME: "" },
      { HOME: "/home/ann", AGENTRT_HOME: "" },
    ])
      expect({ env, where: locations(env) }).toEqual({ env, where: resolvePaths(env) })
  })
})
