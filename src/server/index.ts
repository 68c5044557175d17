// Public surface of the local server domain (docs/design.md §7): what other domains use; tests import
// the module they test. Other domains import only this file.
export { createApp, hostGuard, securityHeaders } from "./app.ts"
export { startLocalServer, type LocalServer } from "./serve.ts"
export { createPendingInstall, type PendingInstall, type InstallDecision } from "./install-page.ts"
export { createPendingCallback, CALLBACK_PATH } from "./oauth-callback.ts"
