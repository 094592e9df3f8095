/**
 * The customer-managed key commands inside a real VS Code, against the sandbox the extension
 * starts: Enable Customer-Managed Key… switches an existing account to a key (vault, key, identity
 * and role created), a bad vault name is refused with its rule before anything is created, and
 * Rotate Key makes a new version the account follows. Effects are checked through the Azure clients.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { startSandboxFromEditor } from './sandboxStart';
import type { ExtensionApi } from '../../src/ui/activate';
import type { SandboxTenant } from '../../src/auth/sandbox';
import { createRecipeEnv, type RecipeEnv } from '../../src/workflows/env';
import type { RecipePlan } from '../../src/workflows/plan';
import { recipeSteps, runRecipeSteps, stepsFor } from '../../src/workflows/recipe';
import { getOrUndefined } from '../../src/workflows/steps/common';

interface Result { ok: boolean; summary?: string; error?: string; [k: string]: unknown }

const run = (command: string, answers: Record<string, unknown>) =>
  vscode.commands.executeCommand<Result | undefined>(`governedDataShare.${command}`, { answers, confirm: true });

describe('Customer-managed key commands against the sandbox', function () {
  this.timeout(300000);
  let api: ExtensionApi;
  let env: RecipeEnv;
  const s = crypto.randomBytes(3).toString('hex');
  let answers: Record<string, string>;
  const latest = () => api.activities()[0];
  const account = () => env.provider.clients.storage(env.provider.subscriptionId).accounts.get(env.provider.plan.resourceGroup, env.provider.plan.storageAccount);

  before(async () => {
    let file: string;
    let contoso: SandboxTenant;
    let fabrikam: SandboxTenant;
    ({ api, file, contoso, fabrikam } = await startSandboxFromEditor());
    const plan: RecipePlan = {
      version: 1, target: 'sandbox', location: 'westeurope',
      provider: { tenantId: contoso.tenantId, subscriptionId: contoso.subscriptions[0].subscriptionId, identity: 'user', resourceGroup: `cmk-${s}`, storageAccount: `cmk${s}`, container: 'shared', dataShareAccount: `cmk-${s}` },
      consumer: { tenantId: fabrikam.tenantId, subscriptionId: fabrikam.subscriptions[0].subscriptionId, identity: 'user', resourceGroup: `cmkc-${s}`, storageAccount: `cmkc${s}`, container: 'landing', dataShareAccount: `cmkc-${s}` },
      share: { name: `sales-${s}`, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] },
      invitation: { name: 'to-fabrikam' },
      subscription: { name: `received-${s}` },
    };
    env = await createRecipeEnv(plan, { sandboxJson: file });
    // An existing account, without a customer-managed key.
    const r = await runRecipeSteps(stepsFor(['provider.storage'], recipeSteps()), env);
    assert.ok(r.ok, JSON.stringify(r.outcomes));
    answers = { pTenant: contoso.tenantId, pSub: plan.provider.subscriptionId, pRg: plan.provider.resourceGroup, pStorage: plan.provider.storageAccount };
  });

  it('refuses an invalid vault name with its rule and creates nothing', async () => {
    const r = await run('enableCustomerManagedKey', { ...answers, cmkVault: '1-bad--name', cmkKey: 'k', cmkIdentity: `id-${s}`, cmkKeySize: 2048 });
    assert.strictEqual(r?.ok, false);
    assert.match(r?.error ?? '', /Key vault '1-bad--name' is not a valid name: 3 to 24 letters, digits and hyphens, starting with a letter/);
    assert.strictEqual(latest()?.status, 'failed');
    assert.strictEqual(await getOrUndefined(() => env.provider.clients.msi(env.provider.subscriptionId).userAssigned.get(env.provider.plan.resourceGroup, `id-${s}`)), undefined, 'no identity was created');
    assert.strictEqual((await account()).encryption?.keySource, 'Microsoft.Storage');
  });

  it('Enable Customer-Managed Key… switches the existing account to a key in a new vault', async () => {
    const r = await run('enableCustomerManagedKey', { ...answers, cmkVault: `kv-cmk-${s}`, cmkKey: 'storage-key', cmkIdentity: `id-${s}`, cmkKeySize: 3072 });
    assert.ok(r?.ok, `Enable succeeded (result ${JSON.stringify(r)}; activity ${JSON.stringify(latest())})`);
    assert.match(r!.summary ?? '', new RegExp(`cmk${s} is encrypted with kv-cmk-${s}/storage-key \\(version [0-9a-f]{32}, follows new versions\\)\\.$`));
    assert.match(latest()?.title ?? '', new RegExp(`^Enable customer-managed key on cmk${s}`));
    assert.strictEqual(latest()?.status, 'succeeded');
    const a = await account();
    assert.strictEqual(a.encryption?.keySource, 'Microsoft.Keyvault');
    assert.strictEqual(a.encryption?.keyVaultProperties?.keyName, 'storage-key');
    assert.strictEqual(a.encryption?.keyVaultProperties?.keyVersion, '');
    const vault = await env.provider.clients.keyVault(env.provider.subscriptionId).vaults.get(env.provider.plan.resourceGroup, `kv-cmk-${s}`);
    assert.strictEqual(vault.properties?.enablePurgeProtection, true);
  });

  it('Rotate Key makes a new key version and the account follows it', async () => {
    const before = (await account()).encryption?.keyVaultProperties?.currentVersionedKeyIdentifier;
    const r = await run('rotateCustomerManagedKey', answers);
    assert.ok(r?.ok, `Rotate succeeded (result ${JSON.stringify(r)}; activity ${JSON.stringify(latest())})`);
    assert.match(r!.summary ?? '', new RegExp(`cmk${s} follows the new key version [0-9a-f]{32} of storage-key`));
    const after = (await account()).encryption?.keyVaultProperties?.currentVersionedKeyIdentifier;
    assert.notStrictEqual(after, before);
    assert.ok(after?.endsWith(`/${String((r!.rotation as { newVersion: string }).newVersion)}`));
  });
});
