// Public surface of the local server domain (docs/design.md §7); other domains import only this file.
export { createApp, securityHeaders, hostGuard, originGuard, type AppOptions } from "./app.ts"
export { SECURITY_HEADERS, FORM_REFERRER_POLICY } from "./headers.ts"
export { startLocalServer, LOOPBACK, type LocalServer, type ServeOptions, type FetchApp } from "./serve.ts"
export { createPendingInstall, type PendingInstall, type PendingInstallOptions, type InstallDecision } from "./install-page.ts"
export { createTokenStore, type TokenStore } from "./tokens.ts"
export { escapeHtml, renderPage } from "./html.ts"
export { createPendingCallback, CALLBACK_PATH, type PendingCallback, type CallbackCheck } from "./oauth-callback.ts"
