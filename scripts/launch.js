#!/usr/bin/env node
// `npm start`: builds the extension, starts the local sandbox cloud (when built), and opens the
// extension in a real VS Code: desktop `code` when it is on PATH, otherwise code-server (on
// Node 24, installed by scripts/setup-vscode-runtime.sh), printing the URL to open.
// Ctrl+C stops everything it started.
// On a first start (empty .sandbox data folder) it runs the example recipe against the new sandbox
// (node dist/recipe.js --plan examples/sandbox.recipe.json), so the views show a populated estate;
// `npm start -- --empty` skips that.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const children = [];

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function waitForFile(file, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fs.existsSync(file)) return true; await new Promise((r) => setTimeout(r, 200)); }
  return false;
}

async function main() {
  if (spawnSync(process.execPath, ['esbuild.js'], { cwd: REPO, stdio: 'inherit' }).status !== 0) process.exit(1);

  const sandboxEntry = path.join(REPO, 'dist', 'sandbox.js');
  // GDS_SANDBOX_DIR moves the sandbox's data folder (tests use their own).
  const dataDir = process.env.GDS_SANDBOX_DIR ? path.resolve(process.env.GDS_SANDBOX_DIR) : path.join(REPO, '.sandbox');
  const description = path.join(dataDir, 'sandbox.json');
  if (fs.existsSync(sandboxEntry)) {
    const firstStart = isEmptyDataDir(dataDir);
    fs.rmSync(description, { force: true });
    const port = process.env.GDS_SANDBOX_PORT ?? '0';
    const sandbox = spawn(process.execPath, [sandboxEntry, '--port', port, '--data-dir', dataDir], { cwd: REPO, stdio: 'inherit' });
    children.push(() => sandbox.kill('SIGTERM'));
    waitFor.push(sandbox);
    if (!await waitForFile(description, 60000)) throw new Error(`The sandbox did not write ${description} within 60 s; see its output above.`);
    console.log(`[launch] sandbox running; description at ${path.relative(REPO, description)}`);
    if (firstStart && !process.argv.includes('--empty')) await populateDemoEstate(description);
  } else {
    console.log('[launch] the sandbox is not built yet; the extension starts without it.');
  }

  const code = process.env.GDS_FORCE_CODE_SERVER ? undefined : which('code');
  if (code) {
    console.log('[launch] opening desktop VS Code with the extension in development mode');
    spawnSync(code, ['--extensionDevelopmentPath', REPO, REPO], { stdio: 'inherit' });
    console.log('[launch] VS Code opened; press Ctrl+C here to stop the sandbox.');
  } else {
    const { startCodeServer } = require('./lib/code-server');
    const server = await startCodeServer({ extensionLink: REPO, workspace: REPO, port: Number(process.env.GDS_PORT ?? 0) || undefined });
    children.push(() => server.stop());
    console.log(`\n[launch] VS Code (code-server) is ready: open ${server.url}/?folder=${encodeURIComponent(REPO)}\n[launch] then run "Governed Data Share: Connect to Local Sandbox". Ctrl+C stops everything.`);
  }
  await new Promise(() => undefined);
}

/** True when the sandbox data folder holds nothing yet but (at most) a stale sandbox.json. */
function isEmptyDataDir(dir) {
  try {
    return fs.readdirSync(dir).filter((f) => !f.startsWith('.') && f !== 'sandbox.json').length === 0;
  } catch {
    return true;
  }
}

/** First start: the example recipe against the new sandbox, so the views show a populated estate. */
async function populateDemoEstate(description) {
  const runner = path.join(REPO, 'dist', 'recipe.js');
  const plan = path.join(REPO, 'examples', 'sandbox.recipe.json');
  if (!fs.existsSync(runner) || !fs.existsSync(plan)) return;
  console.log('[launch] first start: populating the demo estate (examples/sandbox.recipe.json); `npm start -- --empty` skips this');
  const child = spawn(process.execPath, [runner, '--plan', plan, '--sandbox', description], { cwd: REPO, stdio: 'inherit' });
  children.push(() => child.kill('SIGTERM'));
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(signal ? 1 : c)));
  if (code === 0) console.log('[launch] demo estate ready: a share with datasets, a consumer with snapshots, scanned assets and lineage in both tenants');
  else console.log(`[launch] the demo estate did not finish (exit ${code}); the sandbox keeps running. Re-run: npm run recipe -- --plan examples/sandbox.recipe.json`);
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const c of children.reverse()) { try { c(); } catch { /* already gone */ } }
  // Give the sandbox time to stop Azurite and close its store before this process goes.
  const alive = () => waitFor.filter((p) => p.exitCode === null && p.signalCode === null);
  const deadline = Date.now() + 10000;
  const check = () => (alive().length === 0 || Date.now() > deadline ? process.exit(0) : setTimeout(check, 100));
  check();
}
const waitFor = [];
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
// Under `npm start`, SIGTERM to npm ends npm and its `sh -c` but not this process (re-parented):
// a changed parent means whoever started us is gone, so stop everything we started.
const parentAtStart = process.ppid;
setInterval(() => { if (process.ppid !== parentAtStart) stop(); }, 250).unref();
main().catch((e) => { console.error(`[launch] ${e.message}`); stop(); });
