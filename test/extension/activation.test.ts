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
    const loaded = Object.keys(require.cache).filter((f) => f.startsWith(root) && (/[\\/]dist[\\/]azure\.js$/.test(f) || /[\\/]@azure[\\/]/.test(f)));
    assert.deepStrictEqual(loaded, [], 'no Azure SDK module is in the require cache after activation');
  });
});
