// Public surface of the install domain: what other domains use (they import only this file);
// tests import the module they test.
export {
  parseInstallLink,
  formatInstallLink,
  type InstallRequest,
  type LinkSource,
  type LinkFormat,
} from "./links.ts"
export { describeInstall, safeLine } from "./present.ts"
export { searchCatalog, findCatalogEntry, type CatalogEntry } from "./catalog.ts"
export { planRegister, planUnregister, hostOs, type Plan } from "./register.ts"
export { applyPlan, describeAction, type ActionReport } from "./register-apply.ts"
