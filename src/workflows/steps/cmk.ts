/**
 * Customer-managed keys for a tenant's storage account (plan: `provider.cmk` / `consumer.cmk`):
 *
 *  1. `{side}.keyVault`: the Key Vault (soft delete, purge protection, RBAC authorization), the
 *     signed-in identity's Key Vault Crypto Officer on it when it has no key-management role, the
 *     RSA key, the user-assigned identity, and that identity's Key Vault Crypto Service Encryption
 *     User on the key. Runs beside the storage step (both tenants in parallel).
 *  2. `{side}.cmk`: the storage account gets the identity and its encryption is set to the key
 *     with an empty key version (it follows new versions). Existing accounts are switched too.
 *
 * Each reads first and writes only what is missing; without `cmk` in the plan both are no-ops.
 */
import { KEY_VAULT_ROLES, roleGuidOf, updateStorageAccount, type Vault } from '../../azure';
import type { PlannedChange, Step, StepContext } from '../engine';
import type { RecipeEnv, SideEnv } from '../env';
import { UserFacingError } from '../errors';
import type { SidePlan } from '../plan';
import { getOrUndefined, rgPath, sleep, storageId } from './common';

type S = Step<RecipeEnv>;
type Which = 'provider' | 'consumer';
export type CmkPlan = NonNullable<SidePlan['cmk']>;

export function vaultId(s: SideEnv, cmk: CmkPlan): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.plan.resourceGroup}/providers/Microsoft.KeyVault/vaults/${cmk.keyVault}`;
}

export function identityId(s: SideEnv, cmk: CmkPlan): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.plan.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${cmk.identity}`;
}

export function keyScope(s: SideEnv, cmk: CmkPlan): string {
  return `${vaultId(s, cmk)}/keys/${cmk.keyName}`;
}

/** Roles that let the signed-in identity create and rotate keys in an RBAC vault. */
const KEY_MANAGERS = [KEY_VAULT_ROLES.CryptoOfficer, KEY_VAULT_ROLES.Administrator];
/** Roles that give an identity get, wrapKey and unwrapKey on a key. */
export const KEY_USERS = [KEY_VAULT_ROLES.CryptoServiceEncryptionUser, KEY_VAULT_ROLES.CryptoUser, KEY_VAULT_ROLES.CryptoOfficer, KEY_VAULT_ROLES.Administrator];

/** True when `principalId` holds one of `roles` at `scope` or above. */
export async function holdsRole(s: SideEnv, scope: string, principalId: string, roles: readonly string[], signal?: AbortSignal): Promise<boolean> {
  const want = new Set(roles.map((r) => r.toLowerCase()));
  const target = scope.toLowerCase();
  for await (const a of s.clients.authorization(s.subscriptionId).listForPrincipal(scope, principalId, { abortSignal: signal })) {
    const at = (a.scope ?? '').toLowerCase().replace(/\/+$/, '');
    if (a.roleDefinitionId && want.has(roleGuidOf(a.roleDefinitionId)) && (target === at || target.startsWith(`${at}/`))) return true;
  }
  return false;
}

/**
 * Runs a data-plane call that may fail with 403 for a while after a role was granted (Azure RBAC
 * takes up to a few minutes to reach Key Vault); retries 403s for up to `env`'s patience.
 */
async function afterRoleGrant<T>(env: RecipeEnv, ctx: StepContext, fn: () => Promise<T>): Promise<T> {
  const attempts = env.pollIntervalMs >= 1000 ? 19 : 3; // Azure: 18 waits of 10 s = 3 minutes
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status !== 403 || i >= attempts - 1) throw e;
      ctx.report('waiting for the Key Vault role to take effect');
      await sleep(Math.max(env.pollIntervalMs, 50) * 2, ctx.signal);
    }
  }
}

function vaultProblems(v: Vault): string[] {
  const p = v.properties;
  const out: string[] = [];
  if (p?.enableSoftDelete === false) out.push('soft delete off');
  if (!p?.enablePurgeProtection) out.push('purge protection off');
  return out;
}

export function keyVaultStep(which: Which): S {
  return {
    id: `${which}.keyVault`,
    title: `Key Vault, key and identity for the customer-managed key (${which})`,
    dependsOn: [`${which}.register`],
    side: which,
    plan: (env) => {
      const s = env[which];
      const cmk = s.plan.cmk;
      if (!cmk) return [];
      return [
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, cmk.keyVault), detail: 'Key Vault (standard): soft delete (90 days), purge protection (irreversible: the vault cannot be purged until its retention ends), RBAC authorization', cost: 'Key Vault standard: ~0.03 USD per 10,000 key operations; RSA 2048 software keys have no monthly charge' },
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, cmk.keyVault), detail: 'role assignment: Key Vault Crypto Officer for you (when you have no key-management role there)' },
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, cmk.keyVault, 'keys', cmk.keyName), detail: `RSA ${cmk.keySize ?? 2048}-bit key (wrapKey, unwrapKey)` },
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, cmk.identity), detail: 'user-assigned managed identity for the storage account' },
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, cmk.keyVault, 'keys', cmk.keyName), detail: `role assignment: Key Vault Crypto Service Encryption User for ${cmk.identity}` },
      ];
    },
    async execute(env, ctx) {
      const s = env[which];
      const cmk = s.plan.cmk;
      if (!cmk) return { changed: false, summary: 'no customer-managed key in the plan' };
      const o = { abortSignal: ctx.signal };
      const kv = s.clients.keyVault(s.subscriptionId);
      const done: string[] = [];
      const rgs = s.clients.resources(s.subscriptionId).sdk.resourceGroups;
      if (!(await getOrUndefined(() => rgs.get(s.plan.resourceGroup, o)))) {
        await rgs.createOrUpdate(s.plan.resourceGroup, { location: env.plan.location }, o);
        done.push(`resource group ${s.plan.resourceGroup}`);
      }

      // 1. The vault.
      let vault = await getOrUndefined(() => kv.vaults.get(s.plan.resourceGroup, cmk.keyVault, o));
      if (!vault) {
        const avail = await kv.vaults.checkNameAvailability(cmk.keyVault, o);
        if (avail.nameAvailable === false) {
          throw new UserFacingError(`The key vault name '${cmk.keyVault}' is not available${avail.message ? `: ${avail.message}` : '.'}`, 'Vault names are global (and a deleted vault holds its name for its retention period): choose another cmk.keyVault in the plan.');
        }
        ctx.report(`creating key vault ${cmk.keyVault}`);
        vault = await kv.vaults.createOrUpdate(
          s.plan.resourceGroup,
          cmk.keyVault,
          {
            location: env.plan.location,
            properties: { tenantId: s.tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [], enableRbacAuthorization: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: true },
          },
          o,
        );
        done.push(`vault ${cmk.keyVault}`);
      } else if (vaultProblems(vault).length > 0) {
        ctx.report(`turning on purge protection for ${cmk.keyVault}`);
        vault = await kv.vaults.update(s.plan.resourceGroup, cmk.keyVault, { enableSoftDelete: true, enablePurgeProtection: true }, o);
        done.push(`purge protection on ${cmk.keyVault}`);
      }
      const vaultUri = vault.properties?.vaultUri;
      if (!vaultUri) throw new UserFacingError(`The key vault ${cmk.keyVault} has no vaultUri.`, 'Check the vault in the portal.');
      const rbac = vault.properties?.enableRbacAuthorization === true;

      // 2. Who may manage keys and who may use the key.
      const me = await s.principal();
      const identity = await (async () => {
        const msi = s.clients.msi(s.subscriptionId);
        const found = await getOrUndefined(() => msi.userAssigned.get(s.plan.resourceGroup, cmk.identity, o));
        if (found) return found;
        ctx.report(`creating managed identity ${cmk.identity}`);
        done.push(`identity ${cmk.identity}`);
        return msi.userAssigned.createOrUpdate(s.plan.resourceGroup, cmk.identity, { location: env.plan.location }, o);
      })();
      const principalId = identity.principalId;
      if (!principalId) throw new UserFacingError(`The managed identity ${cmk.identity} has no principal id.`, 'Recreate it.');
      const auth = s.clients.authorization(s.subscriptionId);
      if (rbac) {
        if (!(await holdsRole(s, vaultId(s, cmk), me.objectId, KEY_MANAGERS, ctx.signal))) {
          await auth.ensureRoleAssignment({ scope: vaultId(s, cmk), role: KEY_VAULT_ROLES.CryptoOfficer, principalId: me.objectId, principalType: me.kind, description: 'Governed Data Share: manage the customer-managed key' }, { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 });
          done.push(`Key Vault Crypto Officer for ${me.name}`);
        }
      } else {
        // An existing vault with access policies: the same rights as policies.
        const policies = vault.properties?.accessPolicies ?? [];
        const has = (oid: string, perms: string[]) => policies.some((p) => p.objectId.toLowerCase() === oid.toLowerCase() && perms.every((x) => (p.permissions.keys ?? []).some((k) => k.toLowerCase() === x.toLowerCase() || k.toLowerCase() === 'all')));
        const add: { objectId: string; keys: string[] }[] = [];
        if (!has(me.objectId, ['get', 'list', 'create', 'update', 'rotate'])) add.push({ objectId: me.objectId, keys: ['get', 'list', 'create', 'update', 'rotate'] });
        if (!has(principalId, ['get', 'wrapKey', 'unwrapKey'])) add.push({ objectId: principalId, keys: ['get', 'wrapKey', 'unwrapKey'] });
        if (add.length) {
          await kv.sdk.vaults.updateAccessPolicy(s.plan.resourceGroup, cmk.keyVault, 'add', { properties: { accessPolicies: add.map((a) => ({ tenantId: s.tenantId, objectId: a.objectId, permissions: { keys: a.keys } })) } }, o);
          done.push('access policies');
        }
      }

      // 3. The key.
      const keys = s.clients.keyVaultKeys(vaultUri);
      const existingKey = await afterRoleGrant(env, ctx, () => getOrUndefined(() => keys.getKey(cmk.keyName, undefined, o)));
      if (!existingKey) {
        ctx.report(`creating RSA key ${cmk.keyName}`);
        await afterRoleGrant(env, ctx, () => keys.createRsaKey(cmk.keyName, { keySize: cmk.keySize ?? 2048, abortSignal: ctx.signal }));
        done.push(`key ${cmk.keyName}`);
      } else if (existingKey.keyType !== 'RSA' && existingKey.keyType !== 'RSA-HSM') {
        throw new UserFacingError(`The key ${cmk.keyName} in ${cmk.keyVault} is ${existingKey.keyType ?? 'not RSA'}; Azure Storage accepts RSA keys only.`, 'Choose another cmk.keyName in the plan.');
      }

      // 4. The identity's right to use the key.
      if (rbac && !(await holdsRole(s, keyScope(s, cmk), principalId, KEY_USERS, ctx.signal))) {
        await auth.ensureRoleAssignment({ scope: keyScope(s, cmk), role: KEY_VAULT_ROLES.CryptoServiceEncryptionUser, principalId, principalType: 'ServicePrincipal', description: 'Storage account encryption with a customer-managed key' }, { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 });
        done.push(`Key Vault Crypto Service Encryption User for ${cmk.identity}`);
      }
      return { changed: done.length > 0, summary: done.length ? `created ${done.join(', ')}` : `vault ${cmk.keyVault}, key ${cmk.keyName} and identity ${cmk.identity} already in place`, resourceIds: [vaultId(s, cmk), identityId(s, cmk)] };
    },
  };
}

/** What setting the account's encryption to the plan's key would change (for the plan and the editor). */
export function cmkStorageChange(s: SideEnv, cmk: CmkPlan): PlannedChange {
  return { action: 'update', tenantId: s.tenantId, resource: rgPath(s, s.plan.storageAccount), detail: `encryption: customer-managed key ${cmk.keyVault}/${cmk.keyName} (follows new versions) through identity ${cmk.identity}` };
}

export function cmkStorageStep(which: Which): S {
  return {
    id: `${which}.cmk`,
    title: `Storage encryption with the customer-managed key (${which})`,
    dependsOn: [`${which}.storage`, `${which}.keyVault`],
    side: which,
    plan: (env) => (env[which].plan.cmk ? [cmkStorageChange(env[which], env[which].plan.cmk!)] : []),
    async execute(env, ctx) {
      const s = env[which];
      const cmk = s.plan.cmk;
      if (!cmk) return { changed: false, summary: 'no customer-managed key in the plan' };
      const o = { abortSignal: ctx.signal };
      const storage = s.clients.storage(s.subscriptionId);
      const vault = await s.clients.keyVault(s.subscriptionId).vaults.get(s.plan.resourceGroup, cmk.keyVault, o);
      const vaultUri = vault.properties?.vaultUri ?? '';
      const uamiId = identityId(s, cmk);
      const account = await storage.accounts.get(s.plan.resourceGroup, s.plan.storageAccount, o);
      const enc = account.encryption;
      const kvp = enc?.keyVaultProperties;
      const sameUri = (a?: string) => (a ?? '').replace(/\/+$/, '').toLowerCase() === vaultUri.replace(/\/+$/, '').toLowerCase();
      const identities = Object.keys(account.identity?.userAssignedIdentities ?? {});
      const hasIdentity = identities.some((i) => i.toLowerCase() === uamiId.toLowerCase());
      if (enc?.keySource?.toLowerCase() === 'microsoft.keyvault' && sameUri(kvp?.keyVaultUri) && kvp?.keyName === cmk.keyName && !kvp.keyVersion && enc.encryptionIdentity?.encryptionUserAssignedIdentity?.toLowerCase() === uamiId.toLowerCase() && hasIdentity) {
        return { changed: false, summary: `${s.plan.storageAccount} already encrypted with ${cmk.keyVault}/${cmk.keyName}`, resourceIds: [storageId(s)] };
      }
      const type = account.identity?.type?.includes('SystemAssigned') ? 'SystemAssigned,UserAssigned' : 'UserAssigned';
      ctx.report(`switching ${s.plan.storageAccount} to the customer-managed key`);
      await updateStorageAccount(
        storage,
        s.plan.resourceGroup,
        s.plan.storageAccount,
        {
          identity: { type, userAssignedIdentities: { ...Object.fromEntries(identities.map((i) => [i, {}])), [uamiId]: {} } },
          encryption: {
            keySource: 'Microsoft.Keyvault',
            keyVaultProperties: { keyVaultUri: vaultUri, keyName: cmk.keyName, keyVersion: '' },
            encryptionIdentity: { encryptionUserAssignedIdentity: uamiId },
            services: { blob: { enabled: true, keyType: 'Account' }, file: { enabled: true, keyType: 'Account' } },
          },
        },
        o,
      );
      return { changed: true, summary: `${s.plan.storageAccount} now encrypted with ${cmk.keyVault}/${cmk.keyName} (follows new versions)`, resourceIds: [storageId(s)] };
    },
  };
}

export function cmkSteps(which: Which): S[] {
  return [keyVaultStep(which), cmkStorageStep(which)];
}

/**
 * Cleanup of the customer-managed key, in a safe order: the storage account first (nothing can
 * lose access to its data once the account is gone), then the identity's role and the identity,
 * then the vault. A vault with purge protection is only soft-deleted: it cannot be purged, and its
 * name stays taken until its retention period ends (90 days by default).
 */
export function cmkCleanupStep(which: Which, afterStep: string): S {
  return {
    id: `cleanup.${which}.cmk`,
    title: `Delete the customer-managed key resources (${which})`,
    dependsOn: [afterStep],
    side: which,
    plan: (env) => {
      const s = env[which];
      const cmk = s.plan.cmk;
      if (!cmk) return [];
      return [
        { action: 'delete', tenantId: s.tenantId, resource: rgPath(s, s.plan.storageAccount), detail: 'storage account first (its data is unreadable without the key, so it goes before the key)' },
        { action: 'delete', tenantId: s.tenantId, resource: rgPath(s, cmk.keyVault, 'keys', cmk.keyName), detail: `role assignment of ${cmk.identity}` },
        { action: 'delete', tenantId: s.tenantId, resource: rgPath(s, cmk.identity), detail: 'user-assigned identity' },
        { action: 'delete', tenantId: s.tenantId, resource: rgPath(s, cmk.keyVault), detail: 'key vault: soft-deleted only. With purge protection it cannot be purged: the vault and its key are kept, and the name stays taken, until the retention period (90 days) ends' },
      ];
    },
    async execute(env, ctx) {
      const s = env[which];
      const cmk = s.plan.cmk;
      if (!cmk) return { changed: false, summary: 'no customer-managed key in the plan' };
      const o = { abortSignal: ctx.signal };
      const done: string[] = [];
      const storage = s.clients.storage(s.subscriptionId);
      if (await getOrUndefined(() => storage.accounts.get(s.plan.resourceGroup, s.plan.storageAccount, o))) {
        await storage.accounts.delete(s.plan.resourceGroup, s.plan.storageAccount, o);
        done.push(`storage account ${s.plan.storageAccount}`);
      }
      const auth = s.clients.authorization(s.subscriptionId);
      const msi = s.clients.msi(s.subscriptionId);
      const identity = await getOrUndefined(() => msi.userAssigned.get(s.plan.resourceGroup, cmk.identity, o));
      if (identity?.principalId) {
        for await (const a of auth.listForPrincipal(vaultId(s, cmk), identity.principalId, o)) {
          if (a.id && (a.scope ?? '').toLowerCase().startsWith(vaultId(s, cmk).toLowerCase())) {
            await getOrUndefined(() => auth.deleteById(a.id!, o));
            done.push('role assignment');
          }
        }
        await msi.userAssigned.delete(s.plan.resourceGroup, cmk.identity, o);
        done.push(`identity ${cmk.identity}`);
      }
      const kv = s.clients.keyVault(s.subscriptionId);
      const vault = await getOrUndefined(() => kv.vaults.get(s.plan.resourceGroup, cmk.keyVault, o));
      if (vault) {
        await kv.vaults.delete(s.plan.resourceGroup, cmk.keyVault, o);
        const note = vault.properties?.enablePurgeProtection ? ' (soft-deleted; purge protection means it cannot be purged: the name stays taken for its retention period)' : ' (soft-deleted)';
        done.push(`vault ${cmk.keyVault}${note}`);
        ctx.audit({ action: 'cleanup.manual', outcome: 'planned', message: `Key vault ${cmk.keyVault} in ${s.tenantName} is soft-deleted${vault.properties?.enablePurgeProtection ? ' with purge protection: it cannot be purged and is removed by Azure after its retention period' : ''}.` });
      }
      return { changed: done.length > 0, summary: done.length ? `deleted ${done.join(', ')}` : 'customer-managed key resources already gone' };
    },
  };
}
