import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/ui/activate';

export const EXTENSION_ID = 'governed-data-share.governed-data-share';

export async function activateExtension(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed in the host`);
  return ext.isActive ? ext.exports : await ext.activate();
}

describe('Activation', () => {
  it('activates and reports what its activation cost', async () => {
    const api = await activateExtension();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'extension is active');
    const { bundleLoadStartMs, activateEndMs, totalMs } = api.activation;
    assert.ok(Number.isFinite(totalMs) && totalMs > 0, `activation time measured (${totalMs} ms)`);
    assert.ok(activateEndMs >= bundleLoadStartMs, 'activate() ended after the bundle started loading');
  });

  it('does not load the Azure SDK bundle while activating', async () => {
    await activateExtension();
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    // Other test files of this run import the SDKs themselves (to set up sandboxes): a module whose
    // first requirer was a test file does not count against activation.
    const loadedByTests = (file: string): boolean => {
      const seen = new Set<NodeJS.Module>();
      for (let m = require.cache[file]; m && !seen.has(m); m = m.parent ?? undefined) {
        seen.add(m);
        if (/[\\/]out[\\/]test[\\/]/.test(m.filename)) return true;
      }
      return false;
    };
    const lazyBundles = /[\\/]dist[\\/](azure|workflowHost|lineagePanel)\.js$/;
    const loaded = Object.keys(require.cache).filter((f) => f.startsWith(root) && (lazyBundles.test(f) || (/[\\/]@azure[\\/]/.test(f) && !loadedByTests(f))));
    assert.deepStrictEqual(loaded, [], 'no Azure SDK module (nor a lazy bundle) is in the require cache after activation');
  });
});
