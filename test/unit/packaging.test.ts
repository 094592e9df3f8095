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
    // What runs lazily or as a child process ships too: the panels' bundles, the sandbox (bundled with
    // its packages; Azurite is found or installed on first use) and the demo estate's recipe.
    for (const f of ['dist/azure.js', 'dist/lineagePanel.js', 'dist/workflowHost.js', 'dist/sandbox.js', 'dist/azurite-host.js', 'dist/webview/lineage.js', 'dist/webview/lineage.css', 'examples/sandbox.recipe.json']) {
      assert.ok(files.includes(f), `${f} ships`);
    }
    // Every bundle dist/extension.js loads at run time (the lazily loaded trees, panels, workflows, SDKs) ships.
    const lazy = [...fs.readFileSync(path.join(REPO, 'dist/extension.js'), 'utf8').matchAll(/require\("\.\/([\w./-]+\.js)"\)/g)].map((m) => `dist/${m[1]}`);
    assert.ok(lazy.includes('dist/trees.js'), `the tree providers load lazily: ${lazy.join(', ')}`);
    for (const f of lazy) assert.ok(files.includes(f), `${f} (required by dist/extension.js) ships`);
    assert.ok(!files.includes('dist/recipe.js') && !files.includes('dist/meta.json'), 'the command-line runner and build metadata stay out');
    const unwanted = files.filter((f) => /\.ts$|\.map$|^src\/|^test\/|^out\/|^scripts\/|^node_modules\/|^\.sandbox\/|azurite\/dist\//.test(f));
    assert.deepStrictEqual(unwanted, [], 'nothing but what runs');
  });
});
