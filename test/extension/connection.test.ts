import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension } from './activation.test';

function writeDescription(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-ext-'));
  const file = path.join(dir, 'sandbox.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const DESCRIPTION = {
  armEndpoint: 'https://127.0.0.1:1',
  caCertPath: '/nonexistent/ca.pem',
  authorityHost: 'https://127.0.0.1:1',
  tenants: [
    { tenantId: '11111111-1111-1111-1111-111111111111', displayName: 'Contoso', domain: 'contoso.example', subscriptions: [{ subscriptionId: 'aaaaaaaa-0000-0000-0000-000000000001', displayName: 'Contoso Data' }], users: [], servicePrincipals: [] },
    { tenantId: '22222222-2222-2222-2222-222222222222', displayName: 'Fabrikam', domain: 'fabrikam.example', subscriptions: [], users: [], servicePrincipals: [] },
  ],
};

describe('Connecting to a sandbox', () => {
  afterEach(async () => { await vscode.commands.executeCommand('governedDataShare.disconnect'); });

  it('connects to the tenants a sandbox.json describes and records it in the Activity view', async () => {
    const api = await activateExtension();
    const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.connectSandbox', writeDescription(DESCRIPTION));
    assert.deepStrictEqual(tenants, DESCRIPTION.tenants.map((t) => t.tenantId));
    const latest = api.activities()[0];
    assert.strictEqual(latest?.title, 'Connect to local sandbox');
    assert.strictEqual(latest?.status, 'succeeded');
  });

  it('refuses a file that is not a sandbox description, says what to do, and stays disconnected', async () => {
    const api = await activateExtension();
    const result = await vscode.commands.executeCommand('governedDataShare.connectSandbox', writeDescription({ hello: 'world' }));
    assert.strictEqual(result, undefined, 'nothing connected');
    const latest = api.activities()[0];
    assert.strictEqual(latest?.status, 'failed');
    assert.match(latest?.detail ?? '', /does not describe a sandbox/);
    assert.match(latest?.detail ?? '', /sandbox\.json/);
  });

  it('reports a missing file with the command that creates it', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('governedDataShare.connectSandbox', path.join(os.tmpdir(), 'does-not-exist', 'sandbox.json'));
    const latest = api.activities()[0];
    assert.strictEqual(latest?.status, 'failed');
    assert.match(latest?.detail ?? '', /npm run sandbox/);
  });
});
