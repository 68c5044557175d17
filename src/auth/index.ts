// The auth domain's public surface: what other domains use (CONTRIBUTING.md "Who may import whom": they
// import only this file); tests import the module they test.
export { createTokenStore } from "./store.ts"
export type { TokenEntry } from "./store.ts"
export { CallbackStateError, createOAuthProvider } from "./provider.ts"
export type { AgentOAuthProvider } from "./provider.ts"
export { createClientCredentialsProvider } from "./client-credentials.ts"
export { createCrossAppProvider } from "./cross-app.ts"
export { classifyAddress, createGuardedFetch } from "./guard.ts"
export { isExpired } from "./refresh.ts"
export { legacySameOriginDiscovery } from "./legacy.ts"
export { isSameResource } from "./resource.ts"
