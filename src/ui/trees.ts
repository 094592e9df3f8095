/**
 * The Shares and Purview Catalog tree providers (and their nodes, paging and limiter): the entry of
 * the lazily-loaded dist/trees.js. The extension bundle reaches it only through a runtime
 * `require('./trees')` made when a view first asks for its items or a command needs a tree (see
 * ./lazyTree.ts and esbuild.js), so activation does not parse this code.
 */
export { SharesTreeProvider } from './sharesTree';
export { CatalogTreeProvider } from './catalogTree';
