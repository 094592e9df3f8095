import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Workbench } from './workbench';

const SANDBOX = {
  armEndpoint: 'https://127.0.0.1:1',
  caCertPath: '/nonexistent/ca.pem',
  authorityHost: 'https://127.0.0.1:1',
  tenants: [
    { tenantId: '11111111-1111-1111-1111-111111111111', displayName: 'Contoso', domain: 'contoso.example', subscriptions: [{ subscriptionId: 'aaaaaaaa-0000-0000-0000-000000000001', displayName: 'Contoso Data Platform' }], users: [], servicePrincipals: [] },
    { tenantId: '22222222-2222-2222-2222-222222222222', displayName: 'Fabrikam', domain: 'fabrikam.example', subscriptions: [{ subscriptionId: 'bbbbbbbb-0000-0000-0000-000000000002', displayName: 'Fabrikam Analytics' }], users: [], servicePrincipals: [] },
  ],
};

describe('Governed Data Share in a real VS Code', function () {
  let wb: Workbench;

  before(async function () {
    this.timeout(180000);
    wb = await Workbench.open({
      prepareWorkspace: (dir) => {
        fs.mkdirSync(path.join(dir, '.sandbox'));
        fs.writeFileSync(path.join(dir, '.sandbox', 'sandbox.json'), JSON.stringify(SANDBOX));
      },
    });
  });

  after(async () => { await wb?.close(); });

  it('opens its activity-bar container with the Shares, Purview Catalog and Activity views and their welcome content', async () => {
    await wb.openContainer();
    for (const title of ['Shares', 'Purview Catalog', 'Activity']) {
      await wb.view(title).locator('.pane-header').waitFor({ timeout: 30000 });
      await wb.expandView(title);
    }
    await wb.view('Shares').locator('.welcome-view-content', { hasText: 'Share datasets between a provider and a consumer tenant' }).waitFor({ timeout: 15000 });
    await wb.view('Shares').locator('.welcome-view-content').getByRole('button', { name: 'Connect to Local Sandbox' }).waitFor();
    await wb.view('Purview Catalog').locator('.welcome-view-content', { hasText: 'Browse Microsoft Purview accounts' }).waitFor();
    await wb.view('Activity').locator('.welcome-view-content', { hasText: 'No activity yet' }).waitFor();
    await wb.screenshot('01-welcome-views');
  });

  it('connects to the sandbox from the command palette and shows both tenants and the activity', async () => {
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    const shares = wb.view('Shares');
    await shares.getByRole('treeitem', { name: /Tenant Contoso/ }).waitFor({ timeout: 20000 });
    await shares.getByRole('treeitem', { name: /Tenant Fabrikam/ }).waitFor();
    await shares.getByRole('treeitem', { name: /Subscription Contoso Data Platform/ }).waitFor();
    const activity = wb.view('Activity').getByRole('treeitem', { name: /Connect to local sandbox, Succeeded in/ });
    await activity.waitFor({ timeout: 10000 });
    assert.strictEqual(await wb.view('Shares').locator('.welcome-view-content').count(), 0, 'welcome content gives way to the tree');
    await wb.screenshot('02-connected-tenants');
  });

  it('opens the walkthrough from the palette', async () => {
    await wb.runCommand('Governed Data Share: Open Walkthrough');
    await wb.page.locator('.gettingStartedContainer', { hasText: 'Get started with Governed Data Share' }).waitFor({ timeout: 20000 });
    await wb.page.locator('.gettingStartedContainer', { hasText: 'Start the local sandbox' }).waitFor();
    await wb.screenshot('03-walkthrough');
  });
});
