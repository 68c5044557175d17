// Public surface of the install domain; other domains import only this file.
export { parseInstallLink, formatInstallLink, BADGE_URL, type InstallRequest, type LinkSource, type LinkFormat } from "./links.ts"
export { MAX_LINK_BYTES } from "./link-query.ts"
export { describeInstall, safeLine, type DescribeOptions } from "./present.ts"
export { CATALOG, searchCatalog, findCatalogEntry, type CatalogEntry, type CatalogVariable } from "./catalog.ts"
export { planRegister, planUnregister, readRecord, recordPath, hostOs, LSREGISTER, type Plan, type Action, type HandlerOs, type HandlerRecord, type RegisterOptions } from "./register.ts"
export { applyPlan, describeAction, type ActionReport } from "./register-apply.ts"
export {
  renderDesktopEntry, renderInfoPlist, renderAppleScript, renderRegFile, windowsCommand, quoteDesktopExecArg, quoteWindowsArg,
  getMimeDefault, setMimeDefault, DESKTOP_FILE, MIME_TYPE, MAC_APP_NAME, MAC_EXECUTABLE, WIN_KEY,
} from "./register-formats.ts"
