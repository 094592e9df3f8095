#!/usr/bin/env node
// `npm test`: builds, checks, and runs every test tier, then prints one summary line CI reads:
//   N passed, N failed
// Tiers: unit (mocha, plain Node), integration (mocha, plain Node, against local services the
// tests start: the sandbox cloud over HTTPS, Azurite), extension (mocha inside a real VS Code:
// code-server on Node 24), ui (Playwright driving the same code-server in Debian chromium).
// `node scripts/test.js unit integration` runs a subset. The real-VS-Code runtime is installed
// when missing (scripts/setup-vscode-runtime.sh), never skipped.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const ALL = ['checks', 'unit', 'integration', 'extension', 'ui'];
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const tiers = requested.length ? requested : ALL;
const resultsDir = path.join(REPO, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  return r.status ?? 1;
}

function readCounts(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return undefined; }
}

function mochaTier(name, globs, timeout) {
  const files = globs.flatMap((g) => listTests(path.join(REPO, 'out', 'test', g)));
  if (files.length === 0) return { passed: 0, failed: 1, note: `no ${name} tests found` };
  const resultFile = path.join(resultsDir, `${name}.json`);
  fs.rmSync(resultFile, { force: true });
  const code = run(process.execPath, [path.join(REPO, 'node_modules/mocha/bin/mocha.js'), '--reporter', path.join(REPO, 'test/support/countReporter.js'), '--timeout', String(timeout), '--exit', ...files], { GDS_RESULT_FILE: resultFile });
  return tierResult(resultFile, code);
}

function tierResult(resultFile, code) {
  const counts = readCounts(resultFile);
  if (!counts) return { passed: 0, failed: 1, note: `crashed before reporting (exit ${code})` };
  if (code !== 0 && counts.failed === 0) return { ...counts, failed: 1, note: `exited ${code}` };
  return counts;
}

function listTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'support' ? [] : listTests(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

async function main() {
  const results = {};
  const started = Date.now();
  console.log('\n== build ==');
  if (run(process.execPath, ['esbuild.js']) !== 0 || run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']) !== 0) {
    console.log('\nThe build failed: fix the errors above.\n0 passed, 1 failed');
    process.exit(1);
  }
  for (const tier of tiers) {
    console.log(`\n== ${tier} ==`);
    const t0 = Date.now();
    if (tier === 'checks') {
      const lint = run(process.execPath, [path.join(REPO, 'node_modules/eslint/bin/eslint.js'), '--max-warnings', '0', 'src', 'test', 'webview-ui', 'scripts', 'esbuild.js']);
      const cmds = run(process.execPath, ['scripts/check-commands.js']);
      results.checks = { passed: (lint === 0) + (cmds === 0), failed: (lint !== 0) + (cmds !== 0) };
    } else if (tier === 'unit') {
      results.unit = mochaTier('unit', ['unit'], 10000);
    } else if (tier === 'integration') {
      results.integration = mochaTier('integration', ['integration', 'conformance'], 180000);
    } else if (tier === 'extension') {
      const { runInHost } = require('./lib/run-in-host');
      const resultFile = path.join(resultsDir, 'extension.json');
      fs.rmSync(resultFile, { force: true });
      let code;
      try {
        code = await runInHost({ extensionTestsPath: path.join(REPO, 'out/test/extension/index.js'), extensionEnvironment: { GDS_RESULT_FILE: resultFile }, timeoutMs: 900000, workspace: fs.mkdtempSync(path.join(os.tmpdir(), 'gds-ws-')) });
      } catch (e) {
        console.error(e);
        code = 1;
      }
      results.extension = tierResult(resultFile, code);
    } else if (tier === 'ui') {
      results.ui = mochaTier('ui', ['e2e'], 240000);
    } else {
      console.error(`Unknown tier '${tier}'. Tiers: ${ALL.join(', ')}`);
      process.exit(2);
    }
    const r = results[tier];
    console.log(`-- ${tier}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const passed = Object.values(results).reduce((n, r) => n + r.passed, 0);
  const failed = Object.values(results).reduce((n, r) => n + r.failed, 0);
  console.log('\n== summary ==');
  for (const [tier, r] of Object.entries(results)) console.log(`${tier.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
  console.log(`total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); console.log('0 passed, 1 failed'); process.exit(1); });
