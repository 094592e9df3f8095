/**
 * Conformance replay: every Azure Data Share 2021-08-01 example (shared/reference/specs/examples/
 * datashare) is sent to a real sandbox over HTTPS, after a setup that creates what it refers to,
 * and the answer must have the example's status and shape and validate against the swagger.
 * Examples that are not replayed are listed with their reason in not-served.json (and printed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import { dataShareSuite } from './datashare/suite';
import { defineReplayTests } from './engine/mocha';
import { type ReplayTarget } from './engine/replay';
import { sandboxTarget } from './engine/target';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function examplesRoot(): string {
  return process.env.GDS_SPECS_DIR ? path.resolve(process.env.GDS_SPECS_DIR) : path.resolve(repoRoot(), '..', 'shared', 'reference', 'specs', 'examples');
}

const notServedFile = path.join(repoRoot(), 'test', 'conformance', 'not-served.json');

describe('conformance: Azure Data Share 2021-08-01 examples against the sandbox', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox | undefined;
  let dataDir = '';
  let target: ReplayTarget | undefined;

  before(async function () {
    this.timeout(180_000);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-conformance-'));
    sandbox = await startSandbox({ port: 0, dataDir, seed: 'demo', quiet: true, lroRetryAfterSeconds: 0, tickIntervalMs: 0 });
    target = sandboxTarget(sandbox.description, sandbox.ca);
  });

  after(async function () {
    this.timeout(60_000);
    await sandbox?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  defineReplayTests(dataShareSuite(examplesRoot(), notServedFile), () => {
    if (!target) throw new Error('the sandbox did not start');
    return target;
  });
});
