// Runs a test entry (a module exporting run(): Promise<void>) inside the extension host of a real
// VS Code (code-server), with this repository loaded as the development extension.
// Resolves with the exit code the workbench reports through codeAutomationExit.
'use strict';
const util = require('util');
const { startCodeServer, launchBrowser, REPO } = require('./code-server');

const NOISE = /open-vsx\.org|^Canceled|AccountPolicyGate|socket|connection token|vsda|Failed to load resource|ENOTFOUND/;

/**
 * @param {{ extensionTestsPath: string, extensionEnvironment?: Record<string,string>, timeoutMs?: number, onLog?: (line: string) => void, workspace?: string }} options
 */
async function runInHost(options) {
  const server = await startCodeServer({ testMode: true, workspace: options.workspace });
  const browser = await launchBrowser();
  const onLog = options.onLog ?? ((line) => console.log(line));
  try {
    const page = await browser.context.newPage();
    let finish;
    const exited = new Promise((resolve) => { finish = resolve; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      if (!NOISE.test(line)) onLog(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    await page.goto(server.payloadUrl({ extensionDevelopmentPath: REPO, extensionTestsPath: options.extensionTestsPath, extensionEnvironment: options.extensionEnvironment }));
    const timeoutMs = options.timeoutMs ?? 180000;
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs))]);
    if (code === 'timeout') {
      onLog(`The extension host did not finish within ${timeoutMs / 1000} s; code-server log: ${server.logFile}`);
      return 1;
    }
    return code === 0 ? 0 : 1;
  } finally {
    await browser.close();
    await server.stop();
  }
}

module.exports = { runInHost };
