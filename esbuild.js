// Builds the extension (node, cjs) and the lineage webview (browser) bundles.
//   node esbuild.js               development build (sourcemaps)
//   node esbuild.js --production  minified, no sourcemaps (what `npm run package` ships)
//   node esbuild.js --watch       rebuild on change
// Heavy Azure SDKs are kept out of dist/extension.js: src/ui reaches them only through
// a lazy `require('../azure/index.js')`, which this build leaves as a runtime require of dist/azure.js.
// Every build writes dist/meta.json (esbuild metafile) and prints the bundle sizes.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// GDS_DIST_DIR builds somewhere else (the packaged-sandbox test stages a .vsix without touching dist/).
const outdir = process.env.GDS_DIST_DIR ? path.resolve(process.env.GDS_DIST_DIR) : path.join(__dirname, 'dist');

/** Keeps the lazy `require('../azure/index.js')` in src/ui pointing at dist/azure.js at runtime. */
const lazyAzure = {
  name: 'lazy-azure',
  setup(build) {
    build.onResolve({ filter: /(^|\/)azure(\/index(\.js)?)?$/ }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.includes(`${path.sep}src${path.sep}ui${path.sep}`)) return undefined;
      return { path: './azure.js', external: true };
    });
  },
};

/**
 * Keeps the lineage panel host (graph builder, fetcher, webview HTML) out of dist/extension.js:
 * src/ui reaches it only through a lazy `require('./lineagePanel')`, left as a runtime require of
 * dist/lineagePanel.js (its own bundle, loaded when a lineage panel is first opened or restored).
 */
const lazyLineage = {
  name: 'lazy-lineage',
  setup(build) {
    build.onResolve({ filter: /(^|\/)lineagePanel(\.js)?$/ }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.includes(`${path.sep}src${path.sep}ui${path.sep}`)) return undefined;
      return { path: './lineagePanel.js', external: true };
    });
  },
};

/**
 * Keeps the workflow commands' wizards and the workflows out of dist/extension.js: src/ui reaches
 * them only through a lazy `require('./wizard/host')`, a runtime require of dist/workflowHost.js.
 */
const lazyWorkflowHost = {
  name: 'lazy-workflow-host',
  setup(build) {
    build.onResolve({ filter: /(^|\/)wizard\/host(\.js)?$/ }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.includes(`${path.sep}src${path.sep}ui${path.sep}`)) return undefined;
      return { path: './workflowHost.js', external: true };
    });
  },
};

/**
 * Keeps the Shares and Purview Catalog tree providers (sharesTree, catalogTree, treeNodes, limiter)
 * out of dist/extension.js: src/ui/activate.ts reaches them only through a lazy `require('./trees')`,
 * a runtime require of dist/trees.js (loaded when a view first asks for its items or a command needs
 * a tree; see src/ui/lazyTree.ts).
 */
const lazyTrees = {
  name: 'lazy-trees',
  setup(build) {
    build.onResolve({ filter: /^\.\/trees(\.js)?$/ }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.includes(`${path.sep}src${path.sep}ui${path.sep}`)) return undefined;
      return { path: './trees.js', external: true };
    });
  },
};

/** In dist/workflowHost.js, src/azure is the shared dist/azure.js (one set of clients, one SDK copy). */
const sharedAzure = {
  name: 'shared-azure',
  setup(build) {
    build.onResolve({ filter: /(^|\/)azure(\/index(\.js|\.ts)?)?$/ }, (args) => {
      if (!args.path.startsWith('.')) return undefined;
      const resolved = path.resolve(args.resolveDir, args.path);
      if (resolved !== path.join(__dirname, 'src', 'azure') && !resolved.startsWith(path.join(__dirname, 'src', 'azure', 'index'))) return undefined;
      return { path: './azure.js', external: true };
    });
  },
};

/**
 * `import * as vscode from 'vscode'` bundles as `__toESM(require("vscode"))` in every module that
 * imports it: a copy of the whole API object (hundreds of getters) per module, made while the
 * bundle evaluates, i.e. during activation. Our code only reads `vscode.X`, so the API object itself
 * serves: the copies are replaced by the plain require. A minified build renames `__toESM`, so the
 * helper is recognised by its definition (`var X=(a,b,c)=>(c=a!=null?…`) and its name used instead.
 */
const plainVscode = {
  name: 'plain-vscode',
  setup(build) {
    build.onEnd((result) => {
      for (const file of Object.keys(result.metafile?.outputs ?? {})) {
        if (!file.endsWith('.js')) continue;
        const text = fs.readFileSync(file, 'utf8');
        const helpers = new Set(['__toESM']);
        for (const m of text.matchAll(/([A-Za-z_$][\w$]*)\(require\("vscode"\)\)/g)) {
          const name = m[1].replace(/\$/g, '\\$');
          if (new RegExp(`(?:^|[\\s,;])${name}=\\([\\w$]+,[\\w$]+,[\\w$]+\\)=>\\([\\w$]+=[\\w$]+!=null\\?`, 'm').test(text)) helpers.add(m[1]);
        }
        let next = text;
        for (const h of helpers) next = next.split(`${h}(require("vscode"))`).join('require("vscode")');
        if (next !== text) fs.writeFileSync(file, next);
      }
    });
  },
};

const common = { bundle: true, minify: production, sourcemap: production ? false : 'linked', metafile: true, logLevel: 'warning', legalComments: 'none' };

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], outdir,
    // Marks the moment the bundle starts loading, for the activation-cost measurement.
    banner: { js: 'globalThis.__gdsBundleLoadStart=globalThis.performance?performance.now():Date.now();globalThis.__gdsVscodeApiMs=(()=>{const t=performance.now();require("vscode");return performance.now()-t})();' },
    footer: { js: 'globalThis.__gdsBundleLoadEnd=globalThis.performance?performance.now():Date.now();' },
    plugins: [lazyAzure, lazyLineage, lazyWorkflowHost, lazyTrees, plainVscode],
  },
  {
    // The Shares and Purview Catalog tree providers, loaded on first use (see lazyTrees).
    ...common,
    entryPoints: { trees: 'src/ui/trees.ts' },
    platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], outdir,
    plugins: [lazyAzure, plainVscode],
  },
  {
    // The workflow commands (wizards + workflows), loaded on first use (see lazyWorkflowHost).
    ...common,
    entryPoints: { workflowHost: 'src/ui/wizard/host.ts' },
    platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], outdir,
    plugins: [sharedAzure, plainVscode],
  },
  {
    // The lineage panel host, loaded on first use (see lazyLineage).
    ...common,
    entryPoints: { lineagePanel: 'src/ui/lineagePanel.ts' },
    platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], outdir,
    plugins: [lazyAzure, plainVscode],
  },
  {
    ...common,
    entryPoints: { azure: 'src/azure/index.ts' },
    platform: 'node', format: 'cjs', target: 'node20', outdir,
    // @azure/identity's interactive browser flow reads import.meta.url (see dependencies.md).
    define: { 'import.meta.url': '__gdsImportMetaUrl' },
    banner: { js: "const __gdsImportMetaUrl=require('url').pathToFileURL(__filename).href;" },
  },
  {
    ...common,
    // The lineage webview (its CSS lands beside it as webview/lineage.css) and its layout worker.
    // The sharing dashboard webview (Chart.js, tree-shaken) lands as webview/dashboard.js + dashboard.css.
    entryPoints: { 'webview/lineage': 'webview-ui/lineage/main.ts', 'webview/lineageLayout': 'webview-ui/lineage/layoutWorker.ts', 'webview/dashboard': 'webview-ui/dashboard/main.ts' },
    platform: 'browser', format: 'iife', target: 'es2022', outdir,
  },
  {
    // The data-quality worker (src/workflows/quality/worker.ts): Parquet checks run in a worker thread
    // with a capped heap; the workflow host and the runner start it from dist/qualityWorker.js.
    ...common,
    entryPoints: { qualityWorker: 'src/workflows/quality/worker.ts' },
    platform: 'node', format: 'cjs', target: 'node20', outdir,
  },
  {
    // The headless recipe runner (npm run recipe); runs from the repository, packages external.
    ...common, minify: false,
    entryPoints: { recipe: 'src/workflows/cli.ts' },
    platform: 'node', format: 'cjs', target: 'node20', packages: 'external', outdir,
  },
  {
    // The sandbox cloud (npm run sandbox, and "Start Local Sandbox" from the installed .vsix): bundled
    // with all its own packages, so it runs from dist/ alone. Azurite is not bundled (about 10 MB with
    // 20 dependencies): the sandbox runs it from a folder found at run time (--azurite, see
    // src/sandbox/core/azurite.ts and src/ui/sandboxProcess.ts).
    ...common,
    entryPoints: { sandbox: 'src/sandbox/main.ts', 'azurite-host': 'src/sandbox/azurite/host.ts' },
    platform: 'node', format: 'cjs', target: 'node20', external: ['azurite', 'azurite/*'], outdir,
    // ESM dependencies call createRequire(import.meta.url), which a cjs bundle must be given.
    define: { 'import.meta.url': '__gdsImportMetaUrl' },
    banner: { js: "const __gdsImportMetaUrl=require('url').pathToFileURL(__filename).href;" },
  },
];

function report(results) {
  const sizes = {};
  const merged = { inputs: {}, outputs: {} };
  for (const r of results) {
    Object.assign(merged.inputs, r.metafile.inputs);
    Object.assign(merged.outputs, r.metafile.outputs);
  }
  for (const [file, info] of Object.entries(merged.outputs)) {
    if (file.endsWith('.map')) continue;
    sizes[path.relative(outdir, file)] = info.bytes;
  }
  fs.writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(merged));
  const line = Object.entries(sizes).map(([f, b]) => `${f} ${(b / 1024).toFixed(1)} KB`).join(', ');
  console.log(`[esbuild] ${production ? 'production' : 'development'} build: ${line}`);
  return sizes;
}

async function main() {
  // A production build starts from an empty dist/ so nothing stale (maps, old entries) ships.
  if (production) fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const buildable = builds.filter((b) => Object.values(b.entryPoints).every((e) => fs.existsSync(e)));
  if (watch) {
    const contexts = await Promise.all(buildable.map((b) => esbuild.context({ ...b, plugins: [...(b.plugins ?? []), { name: 'report', setup(build) { build.onEnd((r) => { if (r.metafile) report([r]); }); } }] })));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[esbuild] watching for changes');
    return;
  }
  const results = await Promise.all(buildable.map((b) => esbuild.build(b)));
  report(results);
}

main().catch((e) => { console.error(e); process.exit(1); });
