// Public surface of the install domain; other domains import only this file.
export { parseInstallLink, formatInstallLink, BADGE_URL, type InstallRequest, type LinkSource, type LinkFormat } from "./links.ts"
export { MAX_LINK_BYTES } from "./link-query.ts"
export { describeInstall, safeLine, type DescribeOptions } from "./present.ts"
export { CATALOG, searchCatalog, findCatalogEntry, type CatalogEntry, type CatalogVariable } from "./catalog.ts"
