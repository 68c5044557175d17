// Public surface of the install domain: what other domains use (they import only this file);
// tests import the module they test.
export {
  parseInstallLink,
  formatInstallLink,
  type InstallRequest,
  type LinkSource,
  type LinkFormat,
  LINK_FORMATS,
} from "./links.ts"
export { INSTALL_PAGE_URL } from "./link-web.ts"
export { describeInstall, describeLink, safeLine } from "./present.ts"
export { searchCatalog, findCatalogEntry, type CatalogEntry } from "./catalog.ts"
export { planRegister, planUnregister, hostOs, type Plan } from "./register.ts"
export { applyPlan, describeAction, type ActionReport } from "./register-apply.ts"
export {
  createRegistryClient,
  normalizeRegistryUrl,
  OFFICIAL_REGISTRY,
  type RegistryClient,
  type SearchPage,
} from "./registry-client.ts"
export {
  checkOutdated,
  localName,
  parseRegistryName,
  registryRequest,
  resolveRegistryServer,
  type OutdatedRow,
  type Resolved,
} from "./registry.ts"
export { McpbPackage, waysLabel } from "./registry-map.ts"
export type { RegistryServer } from "./registry-schema.ts"
// MCPB bundles (.mcpb): fetch, check, describe, unpack, remove.
export { openBundle, bundleRequest, bundleLines, type OpenedBundle, type BundleRequest } from "./bundle.ts"
export {
  fetchBundleUrl,
  readBundleFile,
  checkSha256,
  checkBundleUrl,
  type FetchedBundle,
} from "./bundle-fetch.ts"
export { unpackBundle, bundlesDir, bundleDirOf, removeBundleDir } from "./bundle-unpack.ts"
export { checkUserValue, expandDefault, userConfigVariable, type UserValue } from "./bundle-entry.ts"
export type { BundleManifest, UserConfigOption } from "./bundle-manifest.ts"
// `agent mcp export` (issue 15). The parsers for TOML, YAML and JSON with comments load on use.
export { EXPORT_CLIENTS, CLIENTS as EXPORT_CLIENT_INFO, type ExportClient } from "./export-clients.ts"
export { planExport, writeExport, type ExportPlan, type ExportServer } from "./export.ts"
export { exportDiff } from "./export-diff.ts"
