/**
 * Microsoft.Storage, Microsoft.Authorization and Microsoft.Purview providers of the sandbox with
 * the real SDK clients, plus blob data in Azurite (bearer tokens, server-side copies) and the
 * resource-group delete cascade.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { PurviewManagementClient } from '@azure/arm-purview';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import type { RestError } from '@azure/core-rest-pipeline';
import type { RunningSandbox, SandboxTenantDescription } from '../../src/sandbox';
import { armOptions, ARM_SCOPE, blobClient, grantBlobData, removeTempDirs, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const BLOB_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
const BLOB_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';

describe('sandbox providers: Storage, Authorization, Purview, blob data', function () {
  this.timeout(60_000);
  let sandbox: RunningSandbox;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let csub: string;
  let fsub: string;
  const suffix = crypto.randomBytes(3).toString('hex');
  const acct = (base: string) => `${base}${suffix}`;

  const storage = (t: SandboxTenantDescription) =>
    new StorageManagementClient(spCredential(sandbox, t), t.subscriptions[0].subscriptionId, {
      endpoint: sandbox.armEndpoint,
      credentials: { scopes: [ARM_SCOPE] },
      tlsOptions: { ca: sandbox.ca },
    });
  const rm = (t: SandboxTenantDescription) => new ResourceManagementClient(spCredential(sandbox, t), t.subscriptions[0].subscriptionId, armOptions(sandbox));
  const authz = (t: SandboxTenantDescription) => new AuthorizationManagementClient(spCredential(sandbox, t), t.subscriptions[0].subscriptionId, armOptions(sandbox));
  const purview = (t: SandboxTenantDescription) =>
    new PurviewManagementClient(spCredential(sandbox, t), t.subscriptions[0].subscriptionId, { ...armOptions(sandbox), apiVersion: '2021-12-01' });

  before(async () => {
    ({ sandbox } = await startTestSandbox('storage'));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    csub = contoso.subscriptions[0].subscriptionId;
    fsub = fabrikam.subscriptions[0].subscriptionId;
    await rm(contoso).resourceGroups.createOrUpdate('data', { location: 'westeurope' });
    await rm(fabrikam).resourceGroups.createOrUpdate('data', { location: 'westeurope' });
  });

  after(async () => {
    await sandbox?.stop();
    removeTempDirs();
  });

  describe('storage accounts', () => {
    it('400 AccountNameInvalid for a bad name; checkNameAvailability reasons', async () => {
      const client = storage(contoso);
      await assert.rejects(
        () => client.storageAccounts.create('data', 'Bad_Name', { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }),
        (e: RestError) => e.statusCode === 400 && e.code === 'AccountNameInvalid' && /between 3 and 24 characters/.test(e.message),
      );
      const invalid = await client.storageAccounts.checkNameAvailability({ name: 'ab', type: 'Microsoft.Storage/storageAccounts' });
      assert.equal(invalid.nameAvailable, false);
      assert.equal(invalid.reason, 'AccountNameInvalid');
      const free = await client.storageAccounts.checkNameAvailability({ name: acct('free'), type: 'Microsoft.Storage/storageAccounts' });
      assert.equal(free.nameAvailable, true);
    });

    it('creates an HNS account (202 + Location, then the account) that works at once with a bearer token', async () => {
      const client = storage(contoso);
      const name = acct('provider');
      const raw = await request(sandbox, 'PUT', `/subscriptions/${csub}/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/${acct('rawput')}?api-version=2025-08-01`, {
        token: await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE),
        body: { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } },
      });
      assert.equal(raw.status, 202);
      assert.ok(raw.headers.location);
      const account = await client.storageAccounts.create('data', name, {
        location: 'westeurope',
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
        isHnsEnabled: true,
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
      });
      assert.equal(account.name, name);
      assert.equal(account.isHnsEnabled, true);
      assert.equal(account.provisioningState, 'Succeeded');
      const blobEndpoint = account.primaryEndpoints?.blob as string;
      assert.equal(blobEndpoint, `${sandbox.description.blobEndpoint}/${name}/`);
      assert.equal(account.primaryEndpoints?.dfs, blobEndpoint);

      // container through ARM, really created in Azurite
      const container = await client.blobContainers.create('data', name, 'raw', { publicAccess: 'None' });
      assert.equal(container.name, 'raw');
      await grantBlobData(sandbox, contoso, account.id as string); // a data role, as Azure requires
      const service = blobClient(sandbox, blobEndpoint, spCredential(sandbox, contoso));
      const blob = service.getContainerClient('raw').getBlockBlobClient('hello/world.csv');
      await blob.uploadData(Buffer.from('id,name\n1,Ada\n'));
      const downloaded = await blob.downloadToBuffer();
      assert.equal(downloaded.toString(), 'id,name\n1,Ada\n');

      const listed: string[] = [];
      for await (const c of client.blobContainers.list('data', name)) {
        listed.push(c.name as string);
      }
      assert.deepEqual(listed, ['raw']);
      const keys = await client.storageAccounts.listKeys('data', name);
      assert.equal(keys.keys?.length, 2);

      // isHnsEnabled is create-time only
      await assert.rejects(
        async () => request(sandbox, 'PATCH', `/subscriptions/${csub}/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/${name}?api-version=2025-08-01`, {
          token: await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE),
          body: { properties: { isHnsEnabled: false } },
        }).then((r) => {
          if (r.status !== 200) {
            throw Object.assign(new Error(r.text), { statusCode: r.status });
          }
        }),
        (e: RestError) => e.statusCode === 400,
      );
    });

    it('409 StorageAccountAlreadyTaken for a name used in another tenant', async () => {
      await assert.rejects(
        () => storage(fabrikam).storageAccounts.create('data', acct('provider'), { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } }),
        (e: RestError) => e.statusCode === 409 && e.code === 'StorageAccountAlreadyTaken',
      );
      const check = await storage(fabrikam).storageAccounts.checkNameAvailability({ name: acct('provider'), type: 'Microsoft.Storage/storageAccounts' });
      assert.equal(check.reason, 'AlreadyExists');
    });

    it('400 ContainerOperationFailure for a bad container name', async () => {
      await assert.rejects(
        () => storage(contoso).blobContainers.create('data', acct('provider'), 'Bad--Name', {}),
        (e: RestError) => e.statusCode === 400 && e.code === 'ContainerOperationFailure' && /invalid characters/.test(e.message),
      );
      await assert.rejects(
        () => storage(contoso).blobContainers.create('data', acct('provider'), 'ab', {}),
        (e: RestError) => e.statusCode === 400 && e.code === 'ContainerOperationFailure',
      );
    });

    it('copies blobs server-side between accounts (BlobData) quickly', async () => {
      const target = acct('consumer');
      const targetAccount = await storage(fabrikam).storageAccounts.create('data', target, { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
      await grantBlobData(sandbox, fabrikam, targetAccount.id as string);
      const blobs = sandbox.core.blobs;
      const src = acct('provider');
      const payload = crypto.randomBytes(100 * 1024);
      await Promise.all(Array.from({ length: 40 }, (_, i) => blobs.writeBlob(src, 'raw', `bulk/file-${i}.bin`, payload)));
      const items = await blobs.listBlobs(src, 'raw', 'bulk/');
      assert.equal(items.length, 40);
      await blobs.ensureContainer(target, 'landing');
      const copied = await Promise.all(items.map((b) => blobs.copyBlob({ account: src, container: 'raw', name: b.name }, { account: target, container: 'landing', name: b.name })));
      assert.equal(copied.reduce((a, b) => a + b, 0), 40 * payload.length);
      const back = await blobs.readBlob(target, 'landing', 'bulk/file-7.bin');
      assert.ok(back.equals(payload));
      assert.equal((await blobs.readBlob(target, 'landing', 'bulk/file-7.bin', 10)).length, 10);
      // Asking for more than the blob holds returns the whole blob (a sample read of a short file).
      assert.ok((await blobs.readBlob(target, 'landing', 'bulk/file-7.bin', payload.length + 4096)).equals(payload));
      assert.equal(await blobs.containerExists(target, 'landing'), true);
      // A client copying from a source it can read only with OAuth fails as in Azure.
      const targetEndpoint = `${sandbox.description.blobEndpoint}/${target}/`;
      const client = blobClient(sandbox, targetEndpoint, spCredential(sandbox, fabrikam));
      const sourceUrl = `${sandbox.description.blobEndpoint}/${src}/raw/bulk/file-1.bin`;
      await assert.rejects(
        async () => (await client.getContainerClient('landing').getBlobClient('oauth-copy.bin').beginCopyFromURL(sourceUrl)).pollUntilDone(),
        (e: RestError) => e.statusCode === 403 && e.code === 'CannotVerifyCopySource',
      );
      assert.equal(await blobs.containerExists(target, 'nope'), false);
    });
  });

  describe('role assignments', () => {
    let accountScope: string;
    let miId: string;

    before(async () => {
      accountScope = `/subscriptions/${csub}/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/${acct('provider')}`;
      await rm(contoso).providers.register('Microsoft.Purview');
      const pv = await purview(contoso).accounts.beginCreateOrUpdateAndWait('data', acct('contoso-pv-'), { location: 'westeurope', identity: { type: 'SystemAssigned' } }, { updateIntervalInMs: 10 });
      miId = pv.identity?.principalId as string;
    });

    it('finds built-in role definitions by name at any scope', async () => {
      const found = [];
      for await (const rd of authz(contoso).roleDefinitions.list(accountScope, { filter: "roleName eq 'Storage Blob Data Reader'" })) {
        found.push(rd);
      }
      assert.equal(found.length, 1);
      assert.equal(found[0].name, BLOB_READER);
      assert.equal(found[0].id, `/subscriptions/${csub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`);
    });

    it('creates, lists (principalId / atScope), rejects duplicates (409) and unknown principals (400)', async () => {
      const client = authz(contoso);
      const roleDefinitionId = `/subscriptions/${csub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`;
      assert.equal(sandbox.core.authorization.hasRole(miId, accountScope, BLOB_READER), false);
      // the SDK is given the scope with a leading '/', which puts '//' in the path
      const created = await client.roleAssignments.create(accountScope, crypto.randomUUID(), { roleDefinitionId, principalId: miId, principalType: 'ServicePrincipal' });
      assert.equal(created.principalId, miId);
      assert.equal(created.scope, accountScope);
      assert.equal(sandbox.core.authorization.hasRole(miId, accountScope, BLOB_READER), true);
      assert.equal(sandbox.core.authorization.hasRole(miId, `${accountScope}/blobServices/default/containers/raw`, BLOB_READER), true);
      assert.equal(sandbox.core.authorization.hasRole(miId, accountScope, BLOB_CONTRIBUTOR), false);

      const mine = [];
      for await (const ra of client.roleAssignments.listForSubscription({ filter: `principalId eq '${miId}'` })) {
        mine.push(ra);
      }
      assert.equal(mine.length, 1);
      const atScope = [];
      for await (const ra of client.roleAssignments.listForScope(accountScope, { filter: 'atScope()' })) {
        atScope.push(ra);
      }
      // the seeded Owner assignments at the subscription apply at the account too
      assert.ok(atScope.some((a) => a.principalId === miId));
      assert.ok(atScope.some((a) => a.principalId === contoso.servicePrincipals[0].objectId));

      await assert.rejects(
        () => client.roleAssignments.create(accountScope, crypto.randomUUID(), { roleDefinitionId, principalId: miId, principalType: 'ServicePrincipal' }),
        (e: RestError) => e.statusCode === 409 && e.code === 'RoleAssignmentExists',
      );
      await assert.rejects(
        () => client.roleAssignments.create(accountScope, crypto.randomUUID(), { roleDefinitionId, principalId: crypto.randomUUID(), principalType: 'ServicePrincipal' }),
        (e: RestError) => e.statusCode === 400 && e.code === 'PrincipalNotFound',
      );
      // a principal of the other tenant is not in this directory either
      await assert.rejects(
        () => client.roleAssignments.create(accountScope, crypto.randomUUID(), { roleDefinitionId, principalId: fabrikam.servicePrincipals[0].objectId, principalType: 'ServicePrincipal' }),
        (e: RestError) => e.statusCode === 400 && e.code === 'PrincipalNotFound',
      );
      await client.roleAssignments.delete(accountScope, created.name as string);
      assert.equal(sandbox.core.authorization.hasRole(miId, accountScope, BLOB_READER), false);
    });

    it('403 AuthorizationFailed when a Reader tries to assign roles', async () => {
      const user = fabrikam.users[0];
      // Make Fabrikam's user a Reader only on a fresh group, then try to assign a role there.
      await rm(fabrikam).resourceGroups.createOrUpdate('readonly', { location: 'westeurope' });
      const scope = `/subscriptions/${fsub}/resourceGroups/readonly`;
      const tokenRes = await request(sandbox, 'POST', `/${fabrikam.tenantId}/oauth2/v2.0/token`, {
        form: { grant_type: 'password', client_id: 'test', username: user.email, password: user.password, scope: ARM_SCOPE },
      });
      const userToken = tokenRes.body.access_token as string;
      // remove the seeded Owner of the user to act as a plain Reader
      const owner = sandbox.core.authorization.assignments().find((a) => a.properties.principalId === user.objectId);
      assert.ok(owner);
      await authz(fabrikam).roleAssignments.delete(owner.properties.scope, owner.name);
      await authz(fabrikam).roleAssignments.create(scope, crypto.randomUUID(), {
        roleDefinitionId: `/subscriptions/${fsub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        principalId: user.objectId,
        principalType: 'User',
      });
      const res = await request(sandbox, 'PUT', `${scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
        token: userToken,
        body: { properties: { roleDefinitionId: `/subscriptions/${fsub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: user.objectId } },
      });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'AuthorizationFailed');
      assert.match(res.body.error.message as string, new RegExp(`^The client '${user.email}' with object id '${user.objectId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write'`));
    });
  });

  describe('Purview accounts', () => {
    it('creates (LRO) with a system-assigned identity and endpoints; list, keys, admins, name check, delete', async () => {
      await rm(fabrikam).providers.register('Microsoft.Purview');
      const client = purview(fabrikam);
      const name = acct('fabrikam-pv-');
      const account = await client.accounts.beginCreateOrUpdateAndWait('data', name, { location: 'westeurope', identity: { type: 'SystemAssigned' } }, { updateIntervalInMs: 10 });
      assert.equal(account.provisioningState, 'Succeeded');
      assert.equal(account.identity?.type, 'SystemAssigned');
      assert.equal(account.identity?.tenantId, fabrikam.tenantId);
      const mi = sandbox.core.directory.object(account.identity?.principalId as string);
      assert.equal(mi?.kind, 'ManagedIdentity');
      assert.equal(account.endpoints?.catalog, `${sandbox.armEndpoint}/purview/${name}/catalog`);
      assert.equal(account.endpoints?.scan, `${sandbox.armEndpoint}/purview/${name}/scan`);
      assert.ok(account.endpoints?.guardian);

      const names: string[] = [];
      for await (const a of client.accounts.listByResourceGroup('data')) {
        names.push(a.name as string);
      }
      assert.deepEqual(names, [name]);
      const bySub: string[] = [];
      for await (const a of client.accounts.listBySubscription()) {
        bySub.push(a.name as string);
      }
      assert.ok(bySub.includes(name));
      const keys = await client.accounts.listKeys('data', name);
      assert.match(keys.atlasKafkaPrimaryEndpoint as string, /^Endpoint=sb:\/\//);
      await client.accounts.addRootCollectionAdmin('data', name, { objectId: fabrikam.users[0].objectId });
      const taken = await client.accounts.checkNameAvailability({ name, type: 'Microsoft.Purview/accounts' });
      assert.equal(taken.nameAvailable, false);
      assert.equal(taken.reason, 'AlreadyExists');
      const updated = await client.accounts.beginUpdateAndWait('data', name, { tags: { env: 'sandbox' } }, { updateIntervalInMs: 10 });
      assert.equal(updated.tags?.env, 'sandbox');

      // default api-version of arm-purview 1.1.0 (2021-07-01) is served too
      const legacy = new PurviewManagementClient(spCredential(sandbox, fabrikam), fsub, armOptions(sandbox));
      assert.equal((await legacy.accounts.get('data', name)).name, name);

      await client.accounts.beginDeleteAndWait('data', name, { updateIntervalInMs: 10 });
      await assert.rejects(() => client.accounts.get('data', name), (e: RestError) => e.statusCode === 404);
      assert.equal(sandbox.core.directory.object(account.identity?.principalId as string), undefined);
    });
  });

  describe('resource group delete cascade', () => {
    it('removes accounts, containers, Azurite data, role assignments and managed identities under the group', async () => {
      const client = rm(contoso);
      await client.resourceGroups.createOrUpdate('doomed', { location: 'westeurope' });
      const name = acct('doomed');
      const account = await storage(contoso).storageAccounts.create('doomed', name, { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
      await storage(contoso).blobContainers.create('doomed', name, 'c01', {});
      const pv = await purview(contoso).accounts.beginCreateOrUpdateAndWait('doomed', acct('doomed-pv-'), { location: 'westeurope' }, { updateIntervalInMs: 10 });
      const scope = account.id as string;
      await authz(contoso).roleAssignments.create(scope, crypto.randomUUID(), {
        roleDefinitionId: `/subscriptions/${csub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`,
        principalId: pv.identity?.principalId as string,
        principalType: 'ServicePrincipal',
      });
      await grantBlobData(sandbox, contoso, scope);
      const service = blobClient(sandbox, account.primaryEndpoints?.blob as string, spCredential(sandbox, contoso));
      await service.getContainerClient('c01').getBlockBlobClient('x.txt').uploadData(Buffer.from('x'));

      await client.resourceGroups.beginDeleteAndWait('doomed', { updateIntervalInMs: 10 });

      await assert.rejects(() => client.resourceGroups.get('doomed'), (e: RestError) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound');
      await assert.rejects(() => storage(contoso).storageAccounts.getProperties('doomed', name), (e: RestError) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound');
      const store = sandbox.core.store;
      for (const collection of store.collections()) {
        assert.equal(store.keys(collection, '/subscriptions/' + csub + '/resourcegroups/doomed/').length, 0, `leftovers in ${collection}`);
      }
      assert.equal(sandbox.core.directory.object(pv.identity?.principalId as string), undefined);
      assert.equal(sandbox.core.authorization.hasRole(pv.identity?.principalId as string, scope, BLOB_READER), false);
      // the account is gone from Azurite too: the name can be created again, empty
      const again = await storage(contoso).storageAccounts.create('data', name, { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
      await grantBlobData(sandbox, contoso, again.id as string); // the old grant went with the group
      const containers: string[] = [];
      for await (const c of blobClient(sandbox, again.primaryEndpoints?.blob as string, spCredential(sandbox, contoso)).listContainers()) {
        containers.push(c.name);
      }
      assert.deepEqual(containers, []);
    });
  });
});
