import { Workbench } from './workbench';
import { startWorkspaceSandbox } from './sandbox';
import type { RunningSandbox } from '../../src/sandbox';

/**
 * The Shares tree against a real sandbox: the provider's Data Share account and share, created
 * through the same clients over HTTPS, appear when a person expands the subscription; the
 * consumer tenant, with no accounts, says so.
 */
describe('Shares view against the local sandbox', function () {
  let wb: Workbench;
  let sandbox: RunningSandbox;

  before(async function () {
    this.timeout(240000);
    wb = await Workbench.open();
    const started = await startWorkspaceSandbox(wb);
    sandbox = started.sandbox;
    const { clients, subscriptionId: sub } = started;
    await clients.resources(sub).providers.register('Microsoft.DataShare', { pollIntervalInMs: 50 });
    await clients.resources(sub).resourceGroups.createOrUpdate('rg-sharing', { location: 'westeurope' });
    const account = { subscriptionId: sub, resourceGroupName: 'rg-sharing', accountName: 'contoso-share' };
    await clients.dataShare.accounts.createOrUpdateAndWait(account, { location: 'westeurope' });
    await clients.dataShare.shares.createOrUpdate({ ...account, shareName: 'sales-daily' }, { properties: { shareKind: 'CopyBased', description: 'Daily sales extract' } });
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  it('lists the provider\'s Data Share account and sent share when the subscription is expanded', async () => {
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    const shares = wb.view('Shares');
    const subscription = shares.getByRole('treeitem', { name: /^Subscription Contoso/ });
    await subscription.waitFor({ timeout: 20000 });
    await subscription.click();
    await wb.page.keyboard.press('ArrowRight');
    const account = shares.getByRole('treeitem', { name: /Data Share account contoso-share/ });
    await account.waitFor({ timeout: 30000 });
    await account.click();
    await wb.page.keyboard.press('ArrowRight');
    await shares.getByRole('treeitem', { name: /Sent share sales-daily/ }).waitFor({ timeout: 30000 });
    await wb.screenshot('04-sandbox-shares');
  });

  it('shows, in place of the accounts, that the consumer subscription has not registered Microsoft.DataShare', async () => {
    const shares = wb.view('Shares');
    const subscription = shares.getByRole('treeitem', { name: /^Subscription Fabrikam/ });
    await subscription.click();
    await wb.page.keyboard.press('ArrowRight');
    await shares.getByRole('treeitem', { name: /not registered to use namespace 'Microsoft\.DataShare'/ }).waitFor({ timeout: 30000 });
    // The provider's tenant is unaffected by the consumer's error.
    await shares.getByRole('treeitem', { name: /Sent share sales-daily/ }).waitFor();
    await wb.screenshot('05-unregistered-error-node');
  });
});
