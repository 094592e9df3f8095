/**
 * The first-run and stop paths a person meets through npm, run the way npm runs them:
 * - the real-VS-Code runtime setup under `npm run` (npm's environment: npm_config_*, a Node 20
 *   user agent) hands the inner, Node 24 npm a clean environment (issue: code-server's
 *   postinstall saw "node v20" on every cold cache);
 * - SIGTERM sent to `npm run sandbox` (as a process manager, a VS Code task or CI stops it)
 *   stops the sandbox and Azurite: nothing is left listening and the data folder is free again.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox } from '../../src/sandbox';
import { alive, descendants, listening } from '../support/processes';

const REPO = path.resolve(__dirname, '..', '..', '..');


async function waitUntil(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run: first run and stopping', function () {
  this.timeout(240_000);

  it('the runtime setup gives the inner npm Node 24 and none of the outer npm\'s configuration', () => {
    const out = execFileSync('npm', ['run', '--silent', 'setup:vscode', '--', '--print-inner-env'], { cwd: REPO, encoding: 'utf8', env: { ...process.env } });
    const lines = out.trim().split('\n');
    const value = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
    assert.match(value('node') ?? '', /^v24\./, out);
    assert.doesNotMatch(value('user-agent') ?? '', new RegExp(`node/${process.version.replace(/\./g, '\\.')}`), 'the inner npm reports the outer Node as its own');
    // Only what the script sets on purpose: native modules build against Node 24's headers.
    const env = lines.filter((l) => l.startsWith('env:'));
    assert.deepEqual(env.filter((l) => !l.startsWith('env:npm_config_nodedir=')), [], 'npm variables leak into the inner npm');
    assert.match(env.find((l) => l.startsWith('env:npm_config_nodedir=')) ?? '', /node24/);
  });

  it('SIGTERM to `npm run sandbox` stops the sandbox and Azurite and frees the data folder', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-sigterm-'));
    const npm: ChildProcess = spawn('npm', ['run', '--silent', 'sandbox', '--', '--port', '0', '--data-dir', dataDir, '--quiet'], { cwd: REPO, stdio: 'ignore' });
    const description = path.join(dataDir, 'sandbox.json');
    try {
      await waitUntil('sandbox.json', 120_000, () => fs.existsSync(description));
      const d = JSON.parse(fs.readFileSync(description, 'utf8')) as { armEndpoint: string; blobEndpoint: string };
      const ports = [d.armEndpoint, d.blobEndpoint].map((u) => Number(new URL(u).port));
      for (const p of ports) assert.ok(await listening(p), `port ${p} listens while the sandbox runs`);
      const tree = descendants(npm.pid as number);
      assert.ok(tree.length >= 2, 'npm runs the sandbox and Azurite below it');

      process.kill(npm.pid as number, 'SIGTERM');
      await waitUntil('every process under npm to exit', 30_000, () => tree.every((pid) => !alive(pid)));
      for (const p of ports) assert.equal(await listening(p), false, `port ${p} still listening after SIGTERM`);

      // The data folder's lock is free: a new sandbox starts on it and finds the state it left.
      const again = await startSandbox({ port: 0, dataDir, quiet: true });
      await again.stop();
    } finally {
      for (const pid of descendants(npm.pid as number)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      npm.kill('SIGKILL');
    }
  });
});
