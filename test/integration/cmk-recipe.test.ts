/**
 * Customer-managed keys on both storage accounts, through the product's workflows and the real SDK
 * clients (@azure/arm-keyvault, @azure/arm-msi, @azure/keyvault-keys, @azure/arm-storage) over
 * HTTPS to a sandbox the test starts: provisioning in both tenants, Azure's refusals (no purge
 * protection, no role), a disabled key stopping blob reads/writes and Data Share snapshots (and
 * validation naming the fix), re-enabling, rotation followed by the account, and the Key Vault
 * client's 401 challenge.
 */
import * as assert from 'node:assert/strict';
import { KeyClient } from '@azure/keyvault-keys';
import { isAzureRequestError, KEY_VAULT_ROLES, updateStorageAccount } from '../../src/azure';
import type { RunningSandbox } from '../../src/sandbox';
import { cmkState, rotateKey } from '../../src/workflows/cmk';
import type { RecipeEnv } from '../../src/workflows/env';
import { checkPlan } from '../../src/workflows/plan';
import { cleanupSteps, runRecipeSteps } from '../../src/workflows/recipe';
import { identityId } from '../../src/workflows/steps/cmk';
import { runSnapshot, subscriptionRef } from '../../src/workflows/steps/sharing';
import { validateEstate } from '../../src/workflows/validation';
import { freshPlan, receivedBlobs, recipeEnv, runRecipe } from './support/recipe';
import { request, startTestSandbox } from './support/sandbox';

async function refusal(p: Promise<unknown>): Promise<{ status?: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isAzureRequestError(e)) return { status: e.statusCode, code: e.code, message: e.message };
    const r = e as { statusCode?: number; code?: string; message: string };
    return { status: r.statusCode, code: String(r.code ?? ''), message: r.message };
  }
  assert.fail('expected the call to be refused');
}

describe('customer-managed keys on both storage accounts (sandbox, HTTPS, real clients)', function () {
  this.timeout(180_000);
  let sandbox: RunningSandbox;
  let env: RecipeEnv;

  before(async () => {
    ({ sandbox } = await startTestSandbox('cmk'));
    const plan = freshPlan('cmk');
    plan.provider.cmk = { keyVault: `kv-${plan.provider.storageAccount}`, keyName: 'storage-key', identity: `id-${plan.provider.storageAccount}` };
    plan.consumer.cmk = { keyVault: `kv-${plan.consumer.storageAccount}`, keyName: 'landing-key', identity: `id-${plan.consumer.storageAccount}`, keySize: 3072 };
    env = await recipeEnv(sandbox, checkPlan(plan, 'cmk plan'));
  });
  after(async () => {
    await sandbox?.stop();
  });

  const keysOf = (side: 'provider' | 'consumer') => {
    const s = env[side];
    return s.clients.keyVault(s.subscriptionId).vaults.get(s.plan.resourceGroup, s.plan.cmk!.keyVault).then((v) => s.clients.keyVaultKeys(v.properties!.vaultUri!));
  };
  const account = (side: 'provider' | 'consumer') => env[side].clients.storage(env[side].subscriptionId).accounts.get(env[side].plan.resourceGroup, env[side].plan.storageAccount);

  it('provisions CMK in both tenants through the recipe; data still flows and validation passes', async () => {
    const result = await runRecipe(env);
    assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'), null, 2));
    for (const side of ['provider', 'consumer'] as const) {
      const s = env[side];
      const vault = await s.clients.keyVault(s.subscriptionId).vaults.get(s.plan.resourceGroup, s.plan.cmk!.keyVault);
      assert.equal(vault.properties?.enablePurgeProtection, true);
      assert.equal(vault.properties?.enableSoftDelete, true);
      assert.equal(vault.properties?.enableRbacAuthorization, true);
      const a = await account(side);
      assert.equal(a.encryption?.keySource, 'Microsoft.Keyvault');
      assert.equal(a.encryption?.keyVaultProperties?.keyName, s.plan.cmk!.keyName);
      assert.equal(a.encryption?.keyVaultProperties?.keyVersion, '');
      assert.equal(a.encryption?.encryptionIdentity?.encryptionUserAssignedIdentity, identityId(s, s.plan.cmk!));
      const key = await (await keysOf(side)).getKey(s.plan.cmk!.keyName);
      assert.equal(a.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier, key.id, 'the account uses the newest version');
      assert.equal(key.keyType, 'RSA');
      assert.equal(key.key?.n?.length, side === 'consumer' ? 384 : 256, 'RSA modulus of the planned size');
    }
    assert.deepEqual([...(await receivedBlobs(env)).keys()].sort(), ['reference/regions.csv', 'sales/2024/01/sales.csv', 'sales/2024/02/sales.csv']);
    const report = await validateEstate(env);
    assert.deepEqual(report.checks.filter((c) => !c.ok), []);
    assert.deepEqual(report.checks.filter((c) => c.id.endsWith('.cmk')).map((c) => c.id).sort(), ['consumer.cmk', 'provider.cmk']);
    const st = await cmkState(env.provider.clients, env.provider.subscriptionId, env.provider.plan.resourceGroup, env.provider.plan.storageAccount);
    assert.equal(st.keyEnabled, true);
    assert.equal(st.roleOk, true);
    assert.deepEqual(st.problems, []);
  });

  it('a second run changes nothing (no ARM write)', async () => {
    const writes = env.counter.arm.writes;
    const result = await runRecipe(env);
    assert.ok(result.ok);
    assert.deepEqual(result.outcomes.filter((o) => o.changed).map((o) => o.id), []);
    assert.equal(env.counter.arm.writes - writes, 0);
  });

  it('Key Vault answers a request without a token with the 401 challenge the real client expects, and refuses other tenants', async () => {
    const keys = await keysOf('provider');
    const url = `${keys.vaultUrl}keys/storage-key?api-version=2025-07-01`;
    const anon = await request(sandbox, 'GET', url);
    assert.equal(anon.status, 401);
    const challenge = String(anon.headers['www-authenticate']);
    assert.match(challenge, new RegExp(`^Bearer authorization="https://127\\.0\\.0\\.1:\\d+/${env.provider.tenantId}", resource="https://vault\\.azure\\.net"$`));
    // The consumer's identity (another tenant) gets 401, never the key.
    const foreign = await env.consumer.clients.credential.getToken('https://vault.azure.net/.default');
    const other = await request(sandbox, 'GET', url, { token: foreign!.token });
    assert.equal(other.status, 401);
    assert.match(JSON.stringify(other.body), /AKV10032/);
    // Without disableChallengeResourceVerification the SDK refuses a vault outside *.vault.azure.net (why the sandbox client sets it).
    const strict = new KeyClient(keys.vaultUrl, env.provider.clients.credential, { tlsOptions: { ca: env.cloud.caPem } });
    await assert.rejects(strict.getKey('storage-key'), /challenge resource 'vault\.azure\.net' does not match the requested domain/);
    // Through the product's client (challenge, then a token for the vault's tenant): the key.
    assert.equal((await keys.getKey('storage-key')).name, 'storage-key');
  });

  it('a vault without purge protection: the storage update is refused with Azure\'s message and nothing changes', async () => {
    const s = env.provider;
    const kv = s.clients.keyVault(s.subscriptionId);
    const name = `np-${s.plan.storageAccount}`;
    const vault = await kv.vaults.createOrUpdate(s.plan.resourceGroup, name, { location: env.plan.location, properties: { tenantId: s.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true } });
    assert.notEqual(vault.properties?.enablePurgeProtection, true);
    const me = await s.principal();
    const auth = s.clients.authorization(s.subscriptionId);
    const vid = vault.id!;
    await auth.ensureRoleAssignment({ scope: vid, role: KEY_VAULT_ROLES.CryptoOfficer, principalId: me.objectId, principalType: me.kind });
    await s.clients.keyVaultKeys(vault.properties!.vaultUri!).createRsaKey('k1');
    const uami = await s.clients.msi(s.subscriptionId).userAssigned.get(s.plan.resourceGroup, s.plan.cmk!.identity);
    await auth.ensureRoleAssignment({ scope: `${vid}/keys/k1`, role: KEY_VAULT_ROLES.CryptoServiceEncryptionUser, principalId: uami.principalId!, principalType: 'ServicePrincipal' });
    const before = await account('provider');
    const r = await refusal(
      updateStorageAccount(s.clients.storage(s.subscriptionId), s.plan.resourceGroup, s.plan.storageAccount, {
        encryption: { keySource: 'Microsoft.Keyvault', keyVaultProperties: { keyVaultUri: vault.properties!.vaultUri!, keyName: 'k1', keyVersion: '' }, encryptionIdentity: { encryptionUserAssignedIdentity: uami.id! } },
      }),
    );
    assert.equal(r.status, 400);
    assert.equal(r.code, 'KeyVaultPolicyError');
    assert.match(r.message, /Keyvault policy recoverable is not set/);
    const after = await account('provider');
    assert.equal(after.encryption?.keyVaultProperties?.keyVaultUri, before.encryption?.keyVaultProperties?.keyVaultUri);
    assert.equal(after.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier, before.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier);
  });

  it('an identity without Key Vault Crypto Service Encryption User on the key: refused, nothing changes', async () => {
    const s = env.consumer;
    const msi = s.clients.msi(s.subscriptionId);
    const bare = await msi.userAssigned.createOrUpdate(s.plan.resourceGroup, `bare-${s.plan.storageAccount}`, { location: env.plan.location });
    const vault = await s.clients.keyVault(s.subscriptionId).vaults.get(s.plan.resourceGroup, s.plan.cmk!.keyVault);
    const before = await account('consumer');
    const r = await refusal(
      updateStorageAccount(s.clients.storage(s.subscriptionId), s.plan.resourceGroup, s.plan.storageAccount, {
        identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId(s, s.plan.cmk!)]: {}, [bare.id!]: {} } },
        encryption: { keySource: 'Microsoft.Keyvault', keyVaultProperties: { keyVaultUri: vault.properties!.vaultUri!, keyName: s.plan.cmk!.keyName, keyVersion: '' }, encryptionIdentity: { encryptionUserAssignedIdentity: bare.id! } },
      }),
    );
    assert.equal(r.status, 400);
    assert.equal(r.code, 'KeyVaultAuthenticationFailure');
    assert.match(r.message, /Key Vault Crypto Service Encryption User/);
    const after = await account('consumer');
    assert.deepEqual(Object.keys(after.identity?.userAssignedIdentities ?? {}), Object.keys(before.identity?.userAssignedIdentities ?? {}));
    assert.equal(after.encryption?.encryptionIdentity?.encryptionUserAssignedIdentity, identityId(s, s.plan.cmk!));
  });

  it('a disabled key: blob reads and writes answer 403, the next snapshot fails with the reason, validation names the fix; re-enabled, it all works again', async () => {
    const p = env.provider;
    const keys = await keysOf('provider');
    const blob = p.clients.blobForAccount(p.plan.storageAccount);
    assert.match(await blob.downloadText(p.plan.container, 'reference/regions.csv'), /region,manager/);
    await keys.setEnabled(p.plan.cmk!.keyName, false);

    const read = await refusal(blob.downloadText(p.plan.container, 'reference/regions.csv'));
    assert.equal(read.status, 403);
    assert.equal(read.code, 'KeyVaultEncryptionKeyNotFound');
    const write = await refusal(blob.upload(p.plan.container, 'new.csv', 'a,b\n1,2\n'));
    assert.equal(write.status, 403);
    assert.equal(write.code, 'KeyVaultEncryptionKeyNotFound');

    const snap = await refusal(runSnapshot(env, 'FullSync', { signal: new AbortController().signal, report: () => undefined }));
    assert.match(snap.message, new RegExp(`source storage account '${p.plan.storageAccount}' is encrypted with a customer-managed key that cannot be used: key '${p.plan.cmk!.keyName}' .* is disabled`));
    const runs = (await env.consumer.clients.dataShare.shareSubscriptions.listSynchronizations(subscriptionRef(env)).collect()).items;
    const last = runs.sort((a, b) => String(b.startTime).localeCompare(String(a.startTime)))[0];
    assert.equal(last.status, 'Failed');
    assert.match(String(last.message), /customer-managed key/);

    const report = await validateEstate(env);
    const cmkCheck = report.checks.find((c) => c.id === 'provider.cmk')!;
    assert.equal(cmkCheck.ok, false);
    assert.match(cmkCheck.detail, /is disabled/);
    assert.match(String(cmkCheck.fix), /Enable the key version/);
    assert.equal(report.checks.find((c) => c.id === 'consumer.cmk')?.ok, true, 'the consumer key is untouched');
    assert.equal(report.checks.find((c) => c.id === 'consumer.snapshot')?.ok, false);

    await keys.setEnabled(p.plan.cmk!.keyName, true);
    assert.match(await blob.downloadText(p.plan.container, 'reference/regions.csv'), /region,manager/);
    const ok = await runSnapshot(env, 'FullSync', { signal: new AbortController().signal, report: () => undefined });
    assert.equal(ok.sync.status, 'Succeeded');
    const again = await validateEstate(env);
    assert.deepEqual(again.checks.filter((c) => !c.ok), []);
  });

  it('rotation: a new key version, and the account follows it (its current versioned key id changes)', async () => {
    const before = (await account('consumer')).encryption?.keyVaultProperties?.currentVersionedKeyIdentifier;
    const r = await rotateKey(env, 'consumer');
    assert.equal(r.followed, true, r.summary);
    assert.equal(r.before, before);
    assert.notEqual(r.after, before);
    assert.ok(r.after?.endsWith(`/${r.newVersion}`));
    const after = await account('consumer');
    assert.equal(after.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier, r.after);
    const versions = await (await keysOf('consumer')).listVersions(env.consumer.plan.cmk!.keyName);
    assert.equal(versions.length, 2);
    // Data written before and after the rotation is readable.
    const blob = env.consumer.clients.blobForAccount(env.consumer.plan.storageAccount);
    await blob.upload(env.consumer.plan.container, 'after-rotation.txt', 'hello');
    assert.equal(await blob.downloadText(env.consumer.plan.container, 'after-rotation.txt'), 'hello');
    assert.ok((await receivedBlobs(env)).has('reference/regions.csv'));
  });

  it('cleanup removes the CMK resources in a safe order and says the purge-protected vault cannot be purged', async () => {
    const result = await runRecipeSteps(cleanupSteps(), env);
    assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'), null, 2));
    const cmk = result.outcomes.find((o) => o.id === 'cleanup.provider.cmk')!;
    assert.match(cmk.summary, /storage account .*identity .*vault .*cannot be purged/);
    const s = env.provider;
    const gone = await refusal(s.clients.keyVault(s.subscriptionId).vaults.get(s.plan.resourceGroup, s.plan.cmk!.keyVault));
    assert.equal(gone.status, 404);
  });
});
