/**
 * Runs the extension-host suites (test/extension) under @vscode/test-electron, for machines that
 * can download VS Code (`npm run test:electron`). Here, offline, the same suites run in
 * code-server through scripts/test.js.
 */
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '../../..');
  await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(repo, 'out/test/extension/index.js'),
    launchArgs: ['--disable-extensions', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { GDS_RESULT_FILE: path.join(repo, 'test-results/electron.json') },
  });
}

main().catch((error: unknown) => {
  console.error('Extension-host tests under @vscode/test-electron failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
