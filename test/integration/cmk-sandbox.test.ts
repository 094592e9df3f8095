/**
 * The sandbox's Key Vault, managed identity and storage-encryption surfaces on the wire: the spec
 * examples' request shapes and api-versions (ARM 2025-05-01 and 2026-02-01, data plane 7.4 and
 * 2025-07-01, MSI 2024-11-30), Key Vault's own refusals (purge protection cannot be turned off,
 * names are global, RBAC and access-policy authorization), a soft-deleted key or a removed role
 * cutting an account off its data, and the access-policy path of the customer-managed key steps.
 */
import * as assert from 'node:assert/strict';
import type { RunningSandbox } from '../../src/sandbox';
import type { RecipeEnv } from '../../src/workflows/env';
import { recipeSteps, runRecipeSteps, stepsFor } from '../../src/workflows/recipe';
import { validateEstate } from '../../src/workflows/validation';
import { freshPlan, recipeEnv } from './support/recipe';
import { request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

const KV_SCOPE = 'https://vault.azure.net/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';

describe('sandbox Key Vault, identities and storage encryption on the wire', function () {
  this.timeout(180_000);
  let sandbox: RunningSandbox;
  let env: RecipeEnv;
  let arm: string;
  let vaultToken: string;
  let rg: string;
  let sub: string;
  let dataDir: string;

  before(async () => {
    ({ sandbox, dataDir } = await startTestSandbox('cmkwire'));
    const plan = freshPlan('cmkw');
    env = await recipeEnv(sandbox, plan);
    const contoso = tenantOf(sandbox, 'Contoso');
    const cred = spCredential(sandbox, contoso);
    arm = await tokenFor(cred, ARM_SCOPE);
    vaultToken = await tokenFor(cred, KV_SCOPE);
    sub = plan.provider.subscriptionId;
    rg = plan.provider.resourceGroup;
    // Resource group and storage account through the product's own steps.
    const r = await runRecipeSteps(stepsFor(['provider.storage', 'provider.dataRole'], recipeSteps(), { withDependencies: true }), env);
    assert.ok(r.ok, JSON.stringify(r.outcomes));
  });
  after(async () => {
    await sandbox?.stop();
  });

  const vaultPath = (name: string, api = '2025-05-01') => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}?api-version=${api}`;

  it('vaults: the spec example body at 2025-05-01 (access policies), vaultUri on its own origin; purge protection cannot be turned off; names are global; unknown api-versions refused', async () => {
    const name = `ap-${env.provider.plan.storageAccount}`;
    const sp = tenantOf(sandbox, 'Contoso').servicePrincipals[0];
    const body = {
      location: 'westus',
      properties: {
        tenantId: env.provider.tenantId,
        sku: { family: 'A', name: 'standard' },
        accessPolicies: [{ tenantId: env.provider.tenantId, objectId: sp.objectId, permissions: { keys: ['get', 'list', 'create', 'update', 'wrapKey', 'unwrapKey', 'delete', 'recover'], secrets: ['get'], certificates: [] } }],
        enabledForDeployment: true,
        enabledForDiskEncryption: true,
        enabledForTemplateDeployment: true,
        publicNetworkAccess: 'Enabled',
      },
    };
    const created = await request(sandbox, 'PUT', vaultPath(name), { token: arm, body });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.properties.vaultUri, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(created.body.properties.enableSoftDelete, true, 'soft delete is always on');
    assert.equal(created.body.properties.enableRbacAuthorization, false);
    assert.equal(created.body.properties.accessPolicies[0].permissions.keys.length, 8);
    const got = await request(sandbox, 'GET', vaultPath(name, '2026-02-01'), { token: arm });
    assert.equal(got.status, 200);
    assert.equal(got.body.properties.vaultUri, created.body.properties.vaultUri);

    const off = await request(sandbox, 'PUT', vaultPath(name), { token: arm, body: { ...body, properties: { ...body.properties, enablePurgeProtection: false } } });
    assert.equal(off.status, 400);
    assert.match(off.body.error.message, /"enablePurgeProtection" cannot be set to false/);
    const on = await request(sandbox, 'PATCH', vaultPath(name), { token: arm, body: { properties: { enablePurgeProtection: true } } });
    assert.equal(on.status, 200);
    assert.equal(on.body.properties.enablePurgeProtection, true);

    // Another tenant cannot take the name.
    const fab = tenantOf(sandbox, 'Fabrikam');
    const other = await request(sandbox, 'PUT', `/subscriptions/${fab.subscriptions[0].subscriptionId}/resourceGroups/${env.consumer.plan.resourceGroup}/providers/Microsoft.KeyVault/vaults/${name}?api-version=2026-02-01`, {
      token: await tokenFor(spCredential(sandbox, fab), ARM_SCOPE),
      body: { location: 'westus', properties: { tenantId: fab.tenantId, sku: { family: 'A', name: 'standard' } } },
    });
    assert.ok(other.status === 409 || other.status === 404, other.text); // 404 when the consumer group does not exist yet
    const avail = await request(sandbox, 'POST', `/subscriptions/${sub}/providers/Microsoft.KeyVault/checkNameAvailability?api-version=2025-05-01`, { token: arm, body: { name, type: 'Microsoft.KeyVault/vaults' } });
    assert.equal(avail.body.nameAvailable, false);
    const bad = await request(sandbox, 'GET', vaultPath(name, '2015-06-01'), { token: arm });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidApiVersionParameter');
  });

  it('keys at api-version 7.4: create (spec shape), get, new version, list versions, disable; access policies decide who may', async () => {
    const name = `ap-${env.provider.plan.storageAccount}`;
    const vault = (await request(sandbox, 'GET', vaultPath(name), { token: arm })).body;
    const base = vault.properties.vaultUri as string;
    const created = await request(sandbox, 'POST', `${base}keys/wrap/create?api-version=7.4`, { token: vaultToken, body: { kty: 'RSA', key_size: 2048, key_ops: ['wrapKey', 'unwrapKey'], attributes: {}, tags: { purpose: 'test' } } });
    assert.equal(created.status, 200, created.text);
    assert.match(created.body.key.kid, new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}keys/wrap/[0-9a-f]{32}$`));
    assert.equal(created.body.key.kty, 'RSA');
    assert.equal(created.body.key.e, 'AQAB');
    assert.equal(Buffer.from(created.body.key.n, 'base64url').length, 256);
    assert.deepEqual(created.body.key.key_ops, ['wrapKey', 'unwrapKey']);
    assert.equal(created.body.attributes.enabled, true);
    assert.equal(created.body.attributes.recoveryLevel, 'Recoverable', 'purge protection on: Recoverable');
    assert.deepEqual(created.body.tags, { purpose: 'test' });
    const second = await request(sandbox, 'POST', `${base}keys/wrap/create?api-version=2025-07-01`, { token: vaultToken, body: { kty: 'RSA' } });
    assert.notEqual(second.body.key.kid, created.body.key.kid);
    const versions = await request(sandbox, 'GET', `${base}keys/wrap/versions?api-version=7.4`, { token: vaultToken });
    assert.equal(versions.body.value.length, 2);
    const v1 = created.body.key.kid.split('/').pop();
    const disabled = await request(sandbox, 'PATCH', `${base}keys/wrap/${v1}?api-version=7.4`, { token: vaultToken, body: { attributes: { enabled: false } } });
    assert.equal(disabled.body.attributes.enabled, false);
    assert.equal((await request(sandbox, 'GET', `${base}keys/wrap?api-version=7.4`, { token: vaultToken })).body.attributes.enabled, true, 'the newest version is untouched');
    const missing = await request(sandbox, 'GET', `${base}keys/nope?api-version=7.4`, { token: vaultToken });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'KeyNotFound');
    const ec = await request(sandbox, 'POST', `${base}keys/ec/create?api-version=7.4`, { token: vaultToken, body: { kty: 'RSA', key_size: 1024 } });
    assert.equal(ec.status, 400);
    assert.equal(ec.body.error.code, 'BadParameter');
    // The Contoso user has no access policy on this vault: 403, nothing created.
    const contoso = tenantOf(sandbox, 'Contoso');
    const userToken = (await request(sandbox, 'POST', '/admin/tokens', { headers: { 'x-sandbox-admin-key': sandbox.adminKey }, body: { objectId: contoso.users[0].objectId, audience: 'https://vault.azure.net' } })).body.access_token as string;
    const denied = await request(sandbox, 'POST', `${base}keys/other/create?api-version=7.4`, { token: userToken, body: { kty: 'RSA' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.innererror.code, 'AccessDenied');
    // A token for another audience is not a Key Vault token: 401 with the challenge.
    const wrongAudience = await request(sandbox, 'GET', `${base}keys/wrap?api-version=7.4`, { token: arm });
    assert.equal(wrongAudience.status, 401);
    assert.match(String(wrongAudience.headers['www-authenticate']), /resource="https:\/\/vault\.azure\.net"/);
  });

  it('user-assigned identities at 2024-11-30 and 2023-01-31 are directory objects that can hold roles', async () => {
    const path = (api: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-wire?api-version=${api}`;
    const created = await request(sandbox, 'PUT', path('2024-11-30'), { token: arm, body: { location: 'westeurope', tags: { a: 'b' } } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.properties.tenantId, env.provider.tenantId);
    assert.match(created.body.properties.principalId, /^[0-9a-f-]{36}$/);
    const again = await request(sandbox, 'PUT', path('2023-01-31'), { token: arm, body: { location: 'westeurope' } });
    assert.equal(again.status, 200);
    assert.equal(again.body.properties.principalId, created.body.properties.principalId);
    const role = await request(sandbox, 'PUT', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Authorization/roleAssignments/8c2d4c5e-0b51-4a0e-9a33-1c1b5c4d3e21?api-version=2022-04-01`, {
      token: arm,
      body: { properties: { roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`, principalId: created.body.properties.principalId, principalType: 'ServicePrincipal' } },
    });
    assert.equal(role.status, 201, role.text);
  });

  it('the CMK steps on an access-policy vault add get/wrapKey/unwrapKey for the identity; a soft-deleted key or a removed policy cuts the account off its data; recovery restores it', async () => {
    const name = `ap-${env.provider.plan.storageAccount}`;
    env.provider.plan.cmk = { keyVault: name, keyName: 'storage', identity: 'uai-storage' };
    const r = await runRecipeSteps(stepsFor(['provider.keyVault', 'provider.cmk'], recipeSteps(), { withDependencies: false }), env);
    assert.ok(r.ok, JSON.stringify(r.outcomes));
    const vault = (await request(sandbox, 'GET', vaultPath(name), { token: arm })).body;
    const uai = (await request(sandbox, 'GET', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-storage?api-version=2024-11-30`, { token: arm })).body;
    const policy = vault.properties.accessPolicies.find((p: { objectId: string }) => p.objectId === uai.properties.principalId);
    assert.deepEqual(policy.permissions.keys.map((k: string) => k.toLowerCase()).sort(), ['get', 'unwrapkey', 'wrapkey']);
    const acct = (await request(sandbox, 'GET', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${env.provider.plan.storageAccount}?api-version=2025-06-01`, { token: arm })).body;
    assert.equal(acct.properties.encryption.keySource, 'Microsoft.Keyvault');
    assert.equal(acct.properties.encryption.keyvaultproperties.keyvaulturi, vault.properties.vaultUri);
    assert.match(acct.properties.encryption.keyvaultproperties.currentVersionedKeyIdentifier, /\/keys\/storage\/[0-9a-f]{32}$/);
    assert.ok(acct.properties.encryption.keyvaultproperties.lastKeyRotationTimestamp);
    assert.equal(acct.identity.type, 'UserAssigned');
    assert.equal(acct.identity.userAssignedIdentities[uai.id].principalId, uai.properties.principalId);

    const blob = env.provider.clients.blobForAccount(env.provider.plan.storageAccount);
    await blob.upload(env.provider.plan.container, 'x.txt', 'x');
    const base = vault.properties.vaultUri as string;
    const del = await request(sandbox, 'DELETE', `${base}keys/storage?api-version=7.4`, { token: vaultToken });
    assert.equal(del.status, 200);
    assert.match(del.body.recoveryId, /deletedkeys\/storage$/);
    await assert.rejects(blob.downloadText(env.provider.plan.container, 'x.txt'), (e: { statusCode?: number; code?: string }) => e.statusCode === 403 && e.code === 'KeyVaultEncryptionKeyNotFound');
    const check = (await validateEstate(env)).checks.find((c) => c.id === 'provider.cmk')!;
    assert.equal(check.ok, false);
    assert.match(String(check.fix), /Recover the deleted key/);
    const recovered = await request(sandbox, 'POST', `${base}deletedkeys/storage/recover?api-version=7.4`, { token: vaultToken });
    assert.equal(recovered.status, 200, recovered.text);
    assert.equal(await blob.downloadText(env.provider.plan.container, 'x.txt'), 'x');

    // Taking the identity's access policy away also cuts the account off (Azure: "revoke access").
    const removed = await request(sandbox, 'PUT', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}/accessPolicies/remove?api-version=2025-05-01`, {
      token: arm,
      body: { properties: { accessPolicies: [{ tenantId: env.provider.tenantId, objectId: uai.properties.principalId, permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] } }] } },
    });
    assert.equal(removed.status, 200, removed.text);
    await assert.rejects(blob.upload(env.provider.plan.container, 'y.txt', 'y'), (e: { statusCode?: number }) => e.statusCode === 403);
    const noRole = (await validateEstate(env)).checks.find((c) => c.id === 'provider.cmk')!;
    assert.match(noRole.detail, /cannot use key storage/);
    // Re-running the steps puts the policy back; data flows again.
    const again = await runRecipeSteps(stepsFor(['provider.keyVault', 'provider.cmk'], recipeSteps(), { withDependencies: false }), env);
    assert.ok(again.ok);
    await blob.upload(env.provider.plan.container, 'y.txt', 'y');
    assert.equal(await blob.downloadText(env.provider.plan.container, 'y.txt'), 'y');
  });

  it('a new account can be created encrypted with the key only through a user-assigned identity; an unknown identity is refused and nothing is created', async () => {
    const name = `ap-${env.provider.plan.storageAccount}`;
    const vault = (await request(sandbox, 'GET', vaultPath(name), { token: arm })).body;
    const uaiId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-storage`;
    const acctPath = (n: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${n}?api-version=2025-06-01`;
    const body = (identity: unknown, encIdentity?: string) => ({
      location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' }, identity,
      properties: { encryption: { keySource: 'Microsoft.Keyvault', keyvaultproperties: { keyvaulturi: vault.properties.vaultUri, keyname: 'storage', keyversion: '' }, ...(encIdentity ? { identity: { userAssignedIdentity: encIdentity } } : {}), services: { blob: { enabled: true, keyType: 'Account' } } } },
    });
    const n1 = `n1${env.provider.plan.storageAccount}`.slice(0, 24);
    const system = await request(sandbox, 'PUT', acctPath(n1), { token: arm, body: body({ type: 'SystemAssigned' }) });
    assert.equal(system.status, 400);
    assert.equal(system.body.error.code, 'InvalidEncryptionIdentity');
    const unknown = await request(sandbox, 'PUT', acctPath(n1), { token: arm, body: body({ type: 'UserAssigned', userAssignedIdentities: { [`${uaiId}-nope`]: {} } }, `${uaiId}-nope`) });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'FailedIdentityOperation');
    assert.equal((await request(sandbox, 'GET', acctPath(n1), { token: arm })).status, 404, 'nothing was created');
    const created = await request(sandbox, 'PUT', acctPath(n1), { token: arm, body: body({ type: 'UserAssigned', userAssignedIdentities: { [uaiId]: {} } }, uaiId) });
    assert.equal(created.status, 202, created.text);
    const got = (await request(sandbox, 'GET', acctPath(n1), { token: arm })).body;
    assert.equal(got.properties.encryption.keySource, 'Microsoft.Keyvault');
    assert.equal(got.properties.encryption.identity.userAssignedIdentity, uaiId);
    assert.match(got.properties.encryption.keyvaultproperties.currentVersionedKeyIdentifier, /\/keys\/storage\/[0-9a-f]{32}$/);
    // As in the spec example, the vault may be named by its Azure URI; Azure echoes what was sent.
    const azureStyle = { ...body({ type: 'UserAssigned', userAssignedIdentities: { [uaiId]: {} } }, uaiId) };
    azureStyle.properties.encryption.keyvaultproperties.keyvaulturi = `https://${name}.vault.azure.net`;
    const echoed = await request(sandbox, 'PUT', acctPath(n1), { token: arm, body: azureStyle });
    assert.equal(echoed.status, 200, echoed.text);
    assert.equal(echoed.body.properties.encryption.keyvaultproperties.keyvaulturi, `https://${name}.vault.azure.net`);
    assert.match(echoed.body.properties.encryption.keyvaultproperties.currentVersionedKeyIdentifier, new RegExp(`^https://${name}\\.vault\\.azure\\.net/keys/storage/[0-9a-f]{32}$`));
    // An existing account may add a system-assigned identity; switching encryption to it needs its role first.
    const both = await request(sandbox, 'PATCH', acctPath(n1), { token: arm, body: { identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uaiId]: {} } } } });
    assert.equal(both.status, 200, both.text);
    assert.match(both.body.identity.principalId, /^[0-9a-f-]{36}$/);
    const toSystem = await request(sandbox, 'PATCH', acctPath(n1), { token: arm, body: { properties: { encryption: { keySource: 'Microsoft.Keyvault', keyvaultproperties: { keyvaulturi: vault.properties.vaultUri, keyname: 'storage', keyversion: '' }, identity: { userAssignedIdentity: '' } } } } });
    assert.equal(toSystem.status, 400);
    assert.equal(toSystem.body.error.code, 'KeyVaultAuthenticationFailure');
    assert.equal((await request(sandbox, 'GET', acctPath(n1), { token: arm })).body.properties.encryption.identity.userAssignedIdentity, uaiId, 'unchanged');
  });

  it('the vault keeps its URI and keys across a sandbox restart', async () => {
    const name = `ap-${env.provider.plan.storageAccount}`;
    const before = (await request(sandbox, 'GET', vaultPath(name), { token: arm })).body.properties.vaultUri as string;
    await sandbox.stop();
    ({ sandbox } = await startTestSandbox('cmkwire', { dataDir }));
    const after = (await request(sandbox, 'GET', vaultPath(name), { token: arm })).body.properties.vaultUri as string;
    assert.equal(after, before, 'same port when it is still free');
    const key = await request(sandbox, 'GET', `${after}keys/storage?api-version=7.4`, { token: vaultToken });
    assert.equal(key.status, 200);
  });
});
