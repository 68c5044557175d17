import { commonArgs, mcpArg, outputArg } from "../command.ts"

// Shared by the config subcommands; a leaf file, so they need not import the group's index.ts.
export const configArgs = { ...commonArgs, ...outputArg, ...mcpArg } as const
