// Everything that loads the client SDK, gathered so manager.ts can import it lazily: commands
// that never talk to a server don't pay the SDK's import cost (~60 ms, +27 MB).
export { openConnection, stderrHint } from "./connection.ts"
export type { Connection, ConnectContext } from "./attempt.ts"
export { classify, reasonOf, urlsToOpen, type Failure } from "./classify.ts"
export { listPrompts, listResources, listTemplates, listTools } from "./lists.ts"

type Skills = typeof import("./skills.ts")
/**
 * The skills extension: loading the SDK's part of it builds its schemas, ~1–2 ms of CPU that every
 * cold connect paid before its first request (docs/performance.md, "the cold CLI phase,
 * trimmed"); only skill commands and `agent run` use it, so it loads with the first of them.
 */
const skills = () => import("./skills.ts")
export async function offersSkills(...args: Parameters<Skills["offersSkills"]>): Promise<boolean> {
  return (await skills()).offersSkills(...args)
}
export async function listSkills(
  ...args: Parameters<Skills["listSkills"]>
): ReturnType<Skills["listSkills"]> {
  return (await skills()).listSkills(...args)
}
export async function readSkillFile(
  ...args: Parameters<Skills["readSkillFile"]>
): ReturnType<Skills["readSkillFile"]> {
  return (await skills()).readSkillFile(...args)
}

type Explain = typeof import("./diagnose.ts").explainConnectFailure
/** Only a failed remote connect needs the diagnosis (DNS, TCP and TLS probes): loaded then. */
export async function explainConnectFailure(...args: Parameters<Explain>): ReturnType<Explain> {
  return (await import("./diagnose.ts")).explainConnectFailure(...args)
}
