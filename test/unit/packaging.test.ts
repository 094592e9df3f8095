import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');

describe('VSIX contents', () => {
  it('holds only what runs: bundles, manifest, media and docs; no sources, tests or source maps', function () {
    this.timeout(30000);
    assert.ok(fs.existsSync(path.join(REPO, 'dist/extension.js')), 'build first (npm test does)');
    const vsce = path.join(REPO, 'node_modules/@vscode/vsce/vsce');
    const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n');
    assert.ok(files.includes('dist/extension.js'), 'the extension bundle ships');
    assert.ok(files.includes('package.json') && files.includes('LICENSE') && files.includes('README.md'));
    const unwanted = files.filter((f) => /\.ts$|\.map$|^src\/|^test\/|^out\/|^scripts\/|^node_modules\/|^\.sandbox\//.test(f));
    assert.deepStrictEqual(unwanted, [], 'nothing but what runs');
  });
});
