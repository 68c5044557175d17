// Everything that loads the client SDK, gathered so manager.ts can import it lazily: commands
// that never talk to a server don't pay the SDK's import cost (~60 ms, +27 MB).
export { openConnection, stderrHint } from "./connection.ts"
export type { Connection, ConnectContext } from "./attempt.ts"
export { classify, reasonOf, urlsToOpen, type Failure } from "./classify.ts"
export { listPrompts, listResources, listTemplates, listTools } from "./lists.ts"
export { listSkills, offersSkills, readSkillFile } from "./skills.ts"

type Explain = typeof import("./diagnose.ts").explainConnectFailure
/** Only a failed remote connect needs the diagnosis (DNS, TCP and TLS probes): loaded then. */
export async function explainConnectFailure(...args: Parameters<Explain>): ReturnType<Explain> {
  return (await import("./diagnose.ts")).explainConnectFailure(...args)
}
