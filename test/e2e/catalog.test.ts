import { Workbench } from './workbench';
import { startWorkspaceSandbox } from './sandbox';
import type { RunningSandbox } from '../../src/sandbox';
import { defaultStorageAccountParameters } from '../../src/azure';

const READER = 'StorageBlobDataReader';

/**
 * The Purview Catalog view against a real sandbox: the provider registers its storage in Purview
 * and scans it with the account's managed identity (through the same clients, over HTTPS); a
 * person then browses account → storage account → container → files and sees what the scan classified.
 */
describe('Purview Catalog view against the local sandbox', function () {
  let wb: Workbench;
  let sandbox: RunningSandbox;

  before(async function () {
    this.timeout(240000);
    wb = await Workbench.open();
    const started = await startWorkspaceSandbox(wb);
    sandbox = started.sandbox;
    const { clients, subscriptionId: sub, principalId } = started;
    await clients.resources(sub).providers.register('Microsoft.Purview', { pollIntervalInMs: 50 });
    await clients.resources(sub).resourceGroups.createOrUpdate('rg-governance', { location: 'westeurope' });
    const storage = await clients.storage(sub).accounts.createAndWait('rg-governance', 'contosocustomers', defaultStorageAccountParameters('westeurope', { hierarchicalNamespace: true }));
    await clients.storage(sub).containers.create('rg-governance', 'contosocustomers', 'crm');
    // Writing blob data with a token takes a data role, as in Azure.
    await clients.authorization(sub).ensureRoleAssignment({ scope: storage.id!, role: 'StorageBlobDataContributor', principalId, principalType: 'ServicePrincipal' });
    const blob = clients.blob(storage.primaryEndpoints!.blob!);
    await blob.upload('crm', 'contacts.csv', 'name,email\nAva,ava@contoso.example\nBen,ben@fabrikam.example\nCy,cy@northwind.example\n');
    await blob.upload('crm', 'notes.txt', 'the quick brown fox jumps over the lazy dog\n');
    const purview = await clients.purview(sub).accounts.createAndWait('rg-governance', 'contoso-purview', { location: 'westeurope' });
    await clients.authorization(sub).ensureRoleAssignment({ scope: storage.id!, role: READER, principalId: purview.identity!.principalId! });
    const scanning = clients.purviewDataPlane('contoso-purview').scanning;
    await scanning.dataSources.createOrReplace('contoso-customers', { kind: 'AzureStorage', properties: { endpoint: 'https://contosocustomers.blob.core.windows.net/', collection: { referenceName: 'contoso-purview', type: 'CollectionReference' } } });
    await scanning.scans.createOrReplace('contoso-customers', 'full', { kind: 'AzureStorageMsi', properties: { scanRulesetName: 'AzureStorage', scanRulesetType: 'System', collection: { referenceName: 'contoso-purview', type: 'CollectionReference' } } });
    await scanning.runs.runScanAndWait('contoso-customers', 'full', undefined, { scanLevel: 'Full' });
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
  });

  it('browses the provider\'s Purview account and shows the classification a scan found', async () => {
    await wb.openContainer();
    await wb.runCommand('Governed Data Share: Connect to Local Sandbox');
    const catalog = wb.view('Purview Catalog');
    await wb.expandView('Purview Catalog');
    const tenant = catalog.getByRole('treeitem', { name: /^Tenant Contoso/ });
    await tenant.waitFor({ timeout: 20000 });
    await tenant.click();
    await wb.page.keyboard.press('ArrowRight');
    const account = catalog.getByRole('treeitem', { name: /Purview account contoso-purview/ });
    await account.waitFor({ timeout: 30000 });
    await account.click();
    await wb.page.keyboard.press('ArrowRight');
    // Assets sit in their storage hierarchy: storage account → container → files.
    const storage = catalog.getByRole('treeitem', { name: /^Storage account contosocustomers/ });
    await storage.waitFor({ timeout: 30000 });
    await storage.click();
    await wb.page.keyboard.press('ArrowRight');
    const container = catalog.getByRole('treeitem', { name: /^Container crm/ });
    await container.waitFor({ timeout: 30000 });
    await container.click();
    await wb.page.keyboard.press('ArrowRight');
    const classified = catalog.getByRole('treeitem', { name: /Blob file contacts\.csv, classified Email/ });
    await classified.waitFor({ timeout: 30000 });
    await catalog.getByRole('treeitem', { name: /^Blob file notes\.txt$/ }).waitFor();
    await classified.click();
    await wb.page.keyboard.press('ArrowRight');
    await catalog.getByRole('treeitem', { name: /Classification Email/ }).waitFor({ timeout: 10000 });
    await wb.screenshot('06-purview-catalog');
  });
});
