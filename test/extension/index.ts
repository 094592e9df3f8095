/**
 * Entry the extension host loads (extensionTestsPath): runs the mocha suites in this folder
 * inside a real VS Code with the real `vscode` API. Used both under code-server and under
 * @vscode/test-electron. Writes the counts to GDS_RESULT_FILE when set.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec' });
  const grep = process.env.GDS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((count) => resolve(count));
      runner.once('end', () => {
        const s = runner.stats;
        const out = process.env.GDS_RESULT_FILE;
        if (out && s) fs.writeFileSync(out, JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending }));
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed.`);
}
