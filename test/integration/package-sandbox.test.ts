/**
 * "Start Local Sandbox" from the installed extension: builds the .vsix the way `npm run package`
 * does (production bundles staged in a temp folder, so the shared dist/ is left alone), unpacks
 * it, and runs the unpacked dist/sandbox.js with Node from a folder where no node_modules can be
 * found, pointing --azurite at the repository's node_modules/azurite (standing in for the copy the
 * extension installs on first use). The sandbox must write sandbox.json and answer over HTTPS:
 * a token from its authority, ARM listing the seeded subscription, Azurite on the blob endpoint.
 */
import * as assert from 'assert';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { httpsRequest } from './support/sandbox';

const REPO = path.resolve(__dirname, '../../..');

/** The flags `npm run package` gives `vsce package`, with the output moved to `out`. */
function vscePackageArgs(out: string): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.package;
  const m = /vsce package(.*)$/.exec(script);
  assert.ok(m, `npm run package runs vsce package: ${script}`);
  const args = m[1].trim().split(/\s+/).filter(Boolean);
  const o = args.indexOf('-o');
  if (o >= 0) args.splice(o, 2);
  return ['package', ...args, '-o', out];
}

function copy(from: string, to: string): void {
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true });
}

async function waitFor<T>(what: string, ms: number, probe: () => T | undefined, child: ChildProcess, output: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = probe();
    if (v !== undefined) return v;
    if (child.exitCode !== null) assert.fail(`the sandbox exited (${child.exitCode}) before ${what}: ${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what} within ${ms / 1000} s: ${output()}`);
}

function run(entry: string, args: string[], cwd: string): { child: ChildProcess; output: () => string } {
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.SANDBOX_AZURITE_DIR;
  const child = spawn(process.execPath, [entry, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (b: Buffer) => { text = (text + b.toString()).slice(-4000); });
  child.stderr?.on('data', (b: Buffer) => { text = (text + b.toString()).slice(-4000); });
  return { child, output: () => text };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
}

describe('The sandbox from the packaged .vsix', function () {
  this.timeout(240000);
  let stage: string;
  let unpacked: string;
  let vsix: string;

  before(function () {
    stage = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-vsix-'));
    // Production bundles into the staging folder (GDS_DIST_DIR), then the packaging inputs beside them.
    execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: REPO, env: { ...process.env, GDS_DIST_DIR: path.join(stage, 'dist') }, stdio: 'pipe' });
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media', 'schemas', 'examples']) copy(path.join(REPO, f), path.join(stage, f));
    vsix = path.join(stage, 'governed-data-share.vsix');
    execFileSync(process.execPath, [path.join(REPO, 'node_modules/@vscode/vsce/vsce'), ...vscePackageArgs(vsix)], { cwd: stage, stdio: 'pipe' });
    // Unpacked far from any node_modules: only what the .vsix holds can be required.
    unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-vsix-unpacked-'));
    execFileSync('unzip', ['-q', vsix, '-d', unpacked]);
  });

  after(() => {
    for (const dir of [stage, unpacked]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ships the bundled sandbox and the panels it loads lazily, but not Azurite or node_modules', () => {
    const ext = path.join(unpacked, 'extension');
    for (const f of ['dist/extension.js', 'dist/sandbox.js', 'dist/azurite-host.js', 'dist/azure.js', 'dist/lineagePanel.js', 'dist/workflowHost.js', 'dist/trees.js', 'dist/qualityWorker.js', 'dist/webview/lineage.css', 'dist/webview/dashboard.js', 'dist/webview/dashboard.css', 'examples/sandbox.recipe.json']) {
      assert.ok(fs.existsSync(path.join(ext, f)), `${f} is in the .vsix`);
    }
    assert.ok(!fs.existsSync(path.join(ext, 'node_modules')), 'no node_modules in the .vsix');
    const kb = fs.statSync(vsix).size / 1024;
    // 2.1 MB with the governance features (Key Vault, Event Grid, Logic Apps and managed identity
    // clients in dist/azure.js, the data-quality worker, the dashboard webview, their screenshots).
    assert.ok(kb < 2560, `the .vsix stays lean: ${kb.toFixed(0)} KB`);
  });

  it('runs with Node from the unpacked folder and answers over HTTPS (ARM, token, blob)', async () => {
    const ext = path.join(unpacked, 'extension');
    const dataDir = path.join(unpacked, 'data');
    const azurite = path.join(REPO, 'node_modules', 'azurite');
    const { child, output } = run(path.join(ext, 'dist', 'sandbox.js'), ['--port', '0', '--data-dir', dataDir, '--azurite', azurite, '--quiet'], ext);
    try {
      const descriptionPath = path.join(dataDir, 'sandbox.json');
      const description = await waitFor('sandbox.json appears', 90000, () => {
        try {
          const d = JSON.parse(fs.readFileSync(descriptionPath, 'utf8')) as { pid: number; armEndpoint: string; authorityHost: string; blobEndpoint: string; caCertPath: string; tenants: Array<{ tenantId: string; displayName: string; subscriptions: Array<{ subscriptionId: string }>; servicePrincipals: Array<{ clientId: string; secret: string }> }> };
          return d.pid === child.pid ? d : undefined;
        } catch {
          return undefined;
        }
      }, child, output);
      assert.match(description.armEndpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = fs.readFileSync(description.caCertPath, 'utf8');
      const contoso = description.tenants.find((t) => t.displayName === 'Contoso');
      assert.ok(contoso, 'the demo seed has Contoso');
      const sp = contoso.servicePrincipals[0];
      const token = await httpsRequest('POST', `${description.authorityHost}/${contoso.tenantId}/oauth2/v2.0/token`, {
        ca, form: { grant_type: 'client_credentials', client_id: sp.clientId, client_secret: sp.secret, scope: 'https://management.azure.com/.default' },
      });
      assert.strictEqual(token.status, 200, token.text);
      const accessToken = (token.body as { access_token: string }).access_token;
      const subs = await httpsRequest('GET', `${description.armEndpoint}/subscriptions?api-version=2022-12-01`, { ca, token: accessToken });
      assert.strictEqual(subs.status, 200, subs.text);
      const ids = (subs.body as { value: Array<{ subscriptionId: string }> }).value.map((s) => s.subscriptionId);
      assert.deepStrictEqual(ids, contoso.subscriptions.map((s) => s.subscriptionId));
      // Azurite, run from the folder given, answers on the blob endpoint (an unknown account: 4xx from Azurite, over TLS).
      const blob = await httpsRequest('GET', `${description.blobEndpoint}/nosuchaccount/?comp=list`, { ca });
      assert.ok(blob.status >= 400 && blob.status < 500, `Azurite answered: ${blob.status} ${blob.text.slice(0, 200)}`);
      assert.ok(blob.headers['x-ms-request-id'] ?? blob.headers.server, 'a storage-service response');
    } finally {
      await stop(child);
    }
  });

  it('without an Azurite location, exits saying how to give one', async () => {
    const ext = path.join(unpacked, 'extension');
    const { child, output } = run(path.join(ext, 'dist', 'sandbox.js'), ['--port', '0', '--data-dir', path.join(unpacked, 'data-none'), '--quiet'], ext);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.notStrictEqual(code, 0);
    assert.match(output(), /Azurite .*not found.*--azurite/s);
  });
});
