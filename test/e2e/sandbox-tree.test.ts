import { Workbench } from './workbench';
import { startWorkspaceSandbox } from './sandbox';
import { AzureClientFactory, sandboxCloud, sandboxCredentials, type AzureClients } from '../../src/azure';
import type { RunningSandbox } from '../../src/sandbox';

/**
 * The Shares tree against a real sandbox, as the sharing story unfolds: the provider's account
 * and sent share appear under its subscription; the consumer sees the invitation in its tenant
 * while its own subscription says Microsoft.DataShare is not registered; once the consumer
 * accepts, the invitation leaves the pending list and the share appears as received.
 * The scene is set through the same clients the extension uses, over HTTPS.
 */
describe('Shares view against the local sandbox', function () {
  let wb: Workbench;
  let sandbox: RunningSandbox;
  let fabrikam: { clients: AzureClients; sub: string; tenantId: string };
  let invitationId = '';

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
    const tenant = sandbox.description.tenants.find((t) => t.displayName.startsWith('Fabrikam'))!;
    const invitation = await clients.dataShare.invitations.createOrUpdate({ ...account, shareName: 'sales-daily', invitationName: 'fabrikam' }, { properties: { targetEmail: tenant.users[0].email } });
    invitationId = invitation.properties!.invitationId!;
    fabrikam = {
      tenantId: tenant.tenantId,
      sub: tenant.subscriptions[0].subscriptionId,
      // The invitation is addressed to Fabrikam's user, so the user accepts it.
      clients: new AzureClientFactory({ lro: { intervalInMs: 50 } }).forTenant(sandboxCloud(sandbox.description, sandbox.ca), tenant.tenantId,
        sandboxCredentials(sandbox.description, tenant.tenantId, 'user', { caPem: sandbox.ca })),
    };
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  it('lists the provider\'s Data Share account and its sent share', async () => {
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    const shares = wb.view('Shares');
    await wb.expand(shares.getByRole('treeitem', { name: /^Subscription Contoso/ }), 20000);
    await wb.expand(shares.getByRole('treeitem', { name: /Data Share account contoso-share/ }));
    await wb.expand(shares.getByRole('treeitem', { name: /Sent shares of contoso-share/ }));
    await shares.getByRole('treeitem', { name: /Sent share sales-daily/ }).waitFor({ timeout: 30000 });
    await wb.screenshot('04-sandbox-shares');
  });

  it('shows the consumer its pending invitation, and in place of accounts that Microsoft.DataShare is not registered', async () => {
    const shares = wb.view('Shares');
    await wb.expand(shares.getByRole('treeitem', { name: /Pending invitations in Fabrikam/ }));
    await shares.getByRole('treeitem', { name: /Invitation to sales-daily from .*Contoso/ }).waitFor({ timeout: 30000 });
    await wb.expand(shares.getByRole('treeitem', { name: /^Subscription Fabrikam/ }));
    await shares.getByRole('treeitem', { name: /not registered to use namespace 'Microsoft\.DataShare'/ }).waitFor({ timeout: 30000 });
    // The provider's tenant is unaffected by the consumer's error.
    await shares.getByRole('treeitem', { name: /Sent share sales-daily/ }).waitFor();
    await wb.screenshot('05-invitation-and-unregistered');
  });

  it('registers Microsoft.DataShare from the error node\'s inline action, and the subscription then lists accounts', async () => {
    const shares = wb.view('Shares');
    const errorRow = shares.getByRole('treeitem', { name: /not registered to use namespace 'Microsoft\.DataShare'/ });
    await errorRow.click();
    await errorRow.locator('a.action-label[aria-label^="Register Resource Provider"]').click();
    await wb.view('Activity').getByRole('treeitem', { name: /Register Microsoft\.DataShare in Fabrikam Analytics, Succeeded/ }).waitFor({ timeout: 30000 });
    await shares.getByRole('treeitem', { name: /No Data Share accounts yet/ }).waitFor({ timeout: 30000 });
    await wb.screenshot('06-registered-from-error-node');
  });

  it('after the consumer accepts, shows the share as received and no pending invitation', async () => {
    const { clients, sub } = fabrikam;
    await clients.resources(sub).resourceGroups.createOrUpdate('rg-received', { location: 'westeurope' });
    const account = { subscriptionId: sub, resourceGroupName: 'rg-received', accountName: 'fabrikam-share' };
    await clients.dataShare.accounts.createOrUpdateAndWait(account, { location: 'westeurope' });
    await clients.dataShare.shareSubscriptions.accept({ ...account, shareSubscriptionName: 'sales-from-contoso' }, { invitationId, sourceShareLocation: 'westeurope' });

    await wb.runCommand('Governed Data Share: Refresh');
    const shares = wb.view('Shares');
    await wb.collapse(shares.getByRole('treeitem', { name: /^Tenant Contoso/ }));
    await wb.expand(shares.getByRole('treeitem', { name: /^Subscription Fabrikam/ }));
    await wb.expand(shares.getByRole('treeitem', { name: /Data Share account fabrikam-share/ }));
    await wb.expand(shares.getByRole('treeitem', { name: /Received shares of fabrikam-share/ }));
    await shares.getByRole('treeitem', { name: /Received share sales-from-contoso, Active/ }).waitFor({ timeout: 30000 });
    await wb.expand(shares.getByRole('treeitem', { name: /Pending invitations in Fabrikam/ }));
    await shares.getByRole('treeitem', { name: /No pending invitations/ }).waitFor({ timeout: 30000 });
    await wb.screenshot('07-received-share');
  });
});
