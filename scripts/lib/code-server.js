// Starts a real VS Code (code-server from npm, on Node 24) for the extension-host and UI test
// tiers, the benchmark and the launcher. See ../../../shared/reference/vscode-test-runtime.md.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const http = require('http');

const REPO = path.resolve(__dirname, '..', '..');

/** Installs the runtime when needed (never skips) and returns the Node 24 binary and code-server entry. */
function ensureRuntime({ quiet = false } = {}) {
  const out = execFileSync('bash', [path.join(REPO, 'scripts', 'setup-vscode-runtime.sh')], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
  });
  const vars = Object.fromEntries(out.trim().split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  if (!vars.GDS_NODE24 || !vars.GDS_CODE_SERVER) throw new Error(`setup-vscode-runtime.sh did not report the runtime: ${out}`);
  return { node24: vars.GDS_NODE24, entry: vars.GDS_CODE_SERVER };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => { req.destroy(); resolve(0); });
  });
}

/** Kills a process and everything it forked (code-server forks the extension host and pty host). */
function killTree(pid, signal = 'SIGTERM') {
  let children = [];
  try { children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean); } catch { /* none */ }
  for (const child of children) killTree(Number(child), signal);
  try { process.kill(pid, signal); } catch { /* gone */ }
}

const DEFAULT_SETTINGS = {
  'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none', 'workbench.enableExperiments': false, 'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true, 'workbench.tips.enabled': false,
  // code-server's port finder runs `ps` in the extension host every few seconds; desktop VS Code with a
  // local extension host does not, and it is noise in what the benches measure.
  'remote.autoForwardPorts': false, 'remote.autoForwardPortsSource': 'output',
};

/**
 * @param {{ workspace?: string, extensionLink?: string, testMode?: boolean, port?: number, settings?: object, env?: object, dir?: string, log?: (line: string) => void }} options
 *   extensionLink: symlink this folder into the extensions dir (normal install, toasts shown);
 *   testMode: start with the smoke-test driver so the URL payload can load a development extension and tests.
 */
async function startCodeServer(options = {}) {
  const runtime = ensureRuntime();
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gds-code-server-'));
  const port = options.port ?? await freePort();
  const workspace = options.workspace ?? path.join(dir, 'workspace');
  for (const d of ['ud/User', 'exts', 'home/.config', 'home/.local/share']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(dir, 'ud/User/settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...(options.settings ?? {}) }, null, 2));
  fs.writeFileSync(path.join(dir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  if (options.extensionLink) {
    const pkg = JSON.parse(fs.readFileSync(path.join(options.extensionLink, 'package.json'), 'utf8'));
    const link = path.join(dir, 'exts', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    if (!fs.existsSync(link)) fs.symlinkSync(options.extensionLink, link, 'dir');
  }
  const args = [runtime.entry, '--config', path.join(dir, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', path.join(dir, 'ud'), '--extensions-dir', path.join(dir, 'exts'), '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened'];
  if (options.testMode) args.push('--vscode-option', 'enable-smoke-test-driver');
  const logFile = path.join(dir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(runtime.node24, args, {
    env: { ...process.env, HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'home/.config'), XDG_DATA_HOME: path.join(dir, 'home/.local/share'), ...(options.env ?? {}) },
    stdio: ['ignore', logFd, logFd], detached: false,
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
    if (await get(`${base}/healthz`) === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (Date.now() >= deadline) { killTree(child.pid); throw new Error(`code-server did not answer /healthz within 30 s; see ${logFile}`); }
  const host = `127.0.0.1:${port}`;
  return {
    url: base, port, dir, workspace, logFile, pid: child.pid, node24: runtime.node24,
    /** URL that opens `folder` with the given development extension and (optionally) in-host tests. */
    payloadUrl({ extensionDevelopmentPath, extensionTestsPath, extensionEnvironment, folder = workspace } = {}) {
      const payload = [];
      if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${extensionDevelopmentPath}`]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${extensionTestsPath}`]);
      if (extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(extensionEnvironment)]);
      return `${base}/?folder=${encodeURIComponent(folder)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
    },
    async stop() {
      killTree(child.pid);
      await new Promise((r) => { if (child.exitCode !== null) r(); else { child.once('exit', r); setTimeout(() => { killTree(child.pid, 'SIGKILL'); r(); }, 5000); } });
      fs.closeSync(logFd);
    },
  };
}

/** Launches Debian's chromium headless through playwright-core, with the flags this closed network needs. */
async function launchBrowser({ headless = true } = {}) {
  const { chromium } = require('playwright-core');
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!executablePath) throw new Error('Chromium is not installed; run `npm run setup:vscode`.');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    env: { ...process.env, HOME: userDataDir },
  });
  return { context, async close() { await context.close().catch(() => undefined); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

module.exports = { ensureRuntime, startCodeServer, launchBrowser, killTree, freePort, REPO };
