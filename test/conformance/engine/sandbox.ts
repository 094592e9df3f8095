/**
 * Where the conformance material lives, and one sandbox per `describe` to replay against.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox';
import type { ReplayTarget } from './replay';
import { sandboxTarget } from './target';

export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The shared reference examples (a sibling of the clone in CI); GDS_SPECS_DIR overrides. */
export function examplesRoot(): string {
  return process.env.GDS_SPECS_DIR ? path.resolve(process.env.GDS_SPECS_DIR) : path.resolve(repoRoot(), '..', 'shared', 'reference', 'specs', 'examples');
}

export function notServedFile(): string {
  return path.join(repoRoot(), 'test', 'conformance', 'not-served.json');
}

/**
 * Starts a demo sandbox (in a temporary folder) before the enclosing describe's tests and stops it
 * after; returns a getter for the replay target.
 */
export function sandboxForReplay(prefix: string): () => ReplayTarget {
  let sandbox: RunningSandbox | undefined;
  let dataDir = '';
  let target: ReplayTarget | undefined;
  before(async function () {
    this.timeout(180_000);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gds-conformance-${prefix}-`));
    sandbox = await startSandbox({ port: 0, dataDir, seed: 'demo', quiet: true, lroRetryAfterSeconds: 0, tickIntervalMs: 0 });
    target = sandboxTarget(sandbox.description, sandbox.ca);
  });
  after(async function () {
    this.timeout(60_000);
    await sandbox?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!target) throw new Error('the sandbox did not start');
    return target;
  };
}
