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
// `agent mcp export` (issue 15): the client list is static (it defines flags); the rest loads on use.
export { EXPORT_CLIENTS, CLIENTS as EXPORT_CLIENT_INFO, type ExportClient } from "./export-list.ts"
export type { ExportPlan, ExportServer } from "./export.ts"
type ExportModule = typeof import("./export.ts")
export async function planExport(
  ...a: Parameters<ExportModule["planExport"]>
): ReturnType<ExportModule["planExport"]> {
  return (await import("./export.ts")).planExport(...a)
}
export async function writeExport(
  ...a: Parameters<ExportModule["writeExport"]>
): ReturnType<ExportModule["writeExport"]> {
  return (await import("./export.ts")).writeExport(...a)
}
export async function exportDiff(before: string, after: string): Promise<string[]> {
  return (await import("./export-diff.ts")).exportDiff(before, after)
}
