/**
 * `npm start` stops cleanly however it is stopped: SIGTERM sent to the npm process (as a process
 * manager, a VS Code task or a CI step does) stops code-server, the sandbox and Azurite, and
 * nothing is left listening. (`npm run sandbox` is covered in the integration tier.)
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { alive, descendants, listening } from '../support/processes';

const REPO = path.resolve(__dirname, '..', '..', '..');


describe('npm start, stopped with SIGTERM', function () {
  this.timeout(300000);

  it('stops code-server, the sandbox and Azurite; nothing is left listening', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-start-'));
    const npm = spawn('npm', ['start', '--', '--empty'], { cwd: REPO, env: { ...process.env, GDS_FORCE_CODE_SERVER: '1', GDS_SANDBOX_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const end = Date.now() + 240000;
      while (!/code-server\) is ready: open http:\/\/127\.0\.0\.1:(\d+)/.test(out)) {
        if (Date.now() > end || npm.exitCode !== null) throw new Error(`npm start did not get ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const codePort = Number(/code-server\) is ready: open http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const d = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox.json'), 'utf8')) as { armEndpoint: string; blobEndpoint: string };
      const ports = [codePort, ...[d.armEndpoint, d.blobEndpoint].map((u) => Number(new URL(u).port))];
      for (const p of ports) assert.ok(await listening(p), `port ${p} listens while npm start runs`);
      const tree = descendants(npm.pid as number);
      assert.ok(tree.length >= 3, 'npm runs the launcher, the sandbox, Azurite and code-server below it');

      process.kill(npm.pid as number, 'SIGTERM');
      const stopBy = Date.now() + 30000;
      while (tree.some(alive)) {
        if (Date.now() > stopBy) throw new Error(`still running after SIGTERM: ${tree.filter(alive).join(', ')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const p of ports) assert.equal(await listening(p), false, `port ${p} still listening after SIGTERM`);
    } finally {
      for (const pid of descendants(npm.pid as number)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      npm.kill('SIGKILL');
    }
  });
});
