/**
 * Customer-managed key state of a storage account (for validation and the dashboard), and key
 * rotation: a new key version, then confirmation that the account follows it (its
 * `currentVersionedKeyIdentifier` moves to the new version).
 */
import { isAzureRequestError, roleGuidOf, type AzureClients, type StorageAccount } from '../azure';
import type { RecipeEnv, SideEnv } from './env';
import { UserFacingError } from './errors';
import { sleep } from './steps/common';
import { KEY_USERS } from './steps/cmk';

export interface CmkProblem {
  problem: string;
  fix: string;
}

export interface CmkState {
  /** `Microsoft.Storage` (Microsoft-managed keys) or `Microsoft.Keyvault`. */
  keySource: string;
  /** The key the account uses now (`currentVersionedKeyIdentifier`), else the key's URI. */
  keyUri?: string;
  /** Key version pinned in the account (empty: follows new versions). */
  keyVersion?: string;
  keyEnabled?: boolean;
  expiresOn?: string;
  /** Resource id of the user-assigned identity the account reaches the key with (or `SystemAssigned`). */
  identity?: string;
  /** That identity holds get/wrapKey/unwrapKey on the key (Key Vault Crypto Service Encryption User or wider). */
  roleOk?: boolean;
  lastKeyRotation?: string;
  problems: CmkProblem[];
}

/** Days before expiry from which validation warns. */
export const EXPIRY_WARNING_DAYS = 30;

/** The vault's resource id for a vault URI, among the vaults of the subscription. */
async function vaultIdFor(clients: AzureClients, subscriptionId: string, vaultUri: string): Promise<string | undefined> {
  const want = vaultUri.replace(/\/+$/, '').toLowerCase();
  for await (const v of clients.keyVault(subscriptionId).sdk.vaults.listBySubscription()) {
    if ((v.properties?.vaultUri ?? '').replace(/\/+$/, '').toLowerCase() === want) return v.id;
  }
  return undefined;
}

/**
 * What a person needs to know about an account's encryption: key source, the key in use, whether it
 * is enabled and when it expires, the identity and its role. Reads only; each problem with its fix.
 */
export async function cmkState(clients: AzureClients, subscriptionId: string, resourceGroup: string, storageAccount: string, now = Date.now()): Promise<CmkState> {
  const account: StorageAccount = await clients.storage(subscriptionId).accounts.get(resourceGroup, storageAccount);
  const enc = account.encryption;
  const keySource = enc?.keySource ?? 'Microsoft.Storage';
  if (keySource.toLowerCase() !== 'microsoft.keyvault') return { keySource, problems: [] };
  const kvp = enc?.keyVaultProperties ?? {};
  const state: CmkState = {
    keySource: 'Microsoft.Keyvault',
    keyUri: kvp.currentVersionedKeyIdentifier ?? `${(kvp.keyVaultUri ?? '').replace(/\/+$/, '')}/keys/${kvp.keyName ?? ''}`,
    keyVersion: kvp.keyVersion ?? '',
    ...(kvp.lastKeyRotationTimestamp ? { lastKeyRotation: new Date(kvp.lastKeyRotationTimestamp).toISOString() } : {}),
    problems: [],
  };
  const uami = enc?.encryptionIdentity?.encryptionUserAssignedIdentity;
  state.identity = uami ?? (account.identity?.principalId ? 'SystemAssigned' : undefined);
  const principalId = uami
    ? Object.entries(account.identity?.userAssignedIdentities ?? {}).find(([id]) => id.toLowerCase() === uami.toLowerCase())?.[1].principalId
    : account.identity?.principalId;
  if (!state.identity || !principalId) {
    state.problems.push({ problem: `${storageAccount} has no managed identity to reach its key with${uami ? ` (${uami} is not assigned to it)` : ''}.`, fix: 'Assign the user-assigned identity to the account (Enable Customer-Managed Key… does it).' });
  }

  // The key itself.
  if (kvp.keyVaultUri && kvp.keyName) {
    try {
      const key = await clients.keyVaultKeys(kvp.keyVaultUri).getKey(kvp.keyName, kvp.keyVersion || undefined);
      state.keyEnabled = key.properties.enabled !== false;
      if (key.properties.expiresOn) state.expiresOn = key.properties.expiresOn.toISOString();
      if (!state.keyEnabled) {
        state.problems.push({ problem: `Key ${kvp.keyName} (version ${key.properties.version ?? '?'}) is disabled: Azure Storage refuses reads and writes of ${storageAccount} (403 KeyVaultEncryptionKeyNotFound) and Data Share snapshots fail.`, fix: `Enable the key version in ${kvp.keyVaultUri} (Key Vault → Keys → ${kvp.keyName} → Enabled), or rotate to a new enabled version.` });
      }
      if (key.properties.expiresOn) {
        const days = (key.properties.expiresOn.getTime() - now) / 86400_000;
        if (days <= 0) state.problems.push({ problem: `Key ${kvp.keyName} expired on ${state.expiresOn}.`, fix: 'Rotate the key (Rotate Key) or set a later expiry on the key version.' });
        else if (days <= EXPIRY_WARNING_DAYS) state.problems.push({ problem: `Key ${kvp.keyName} expires in ${Math.ceil(days)} day(s) (${state.expiresOn}).`, fix: 'Rotate the key (Rotate Key) before it expires, or extend its expiry.' });
      }
    } catch (e) {
      if (isAzureRequestError(e) && e.statusCode === 404) {
        state.keyEnabled = false;
        state.problems.push({ problem: `Key ${kvp.keyName} was not found in ${kvp.keyVaultUri} (deleted?): ${storageAccount} cannot be read or written.`, fix: `Recover the deleted key in ${kvp.keyVaultUri} (soft delete keeps it), or point the account at another key.` });
      } else {
        state.problems.push({ problem: `Cannot read key ${kvp.keyName}: ${(e as Error).message}`, fix: 'Give yourself Key Vault Crypto Officer (or Key Vault Reader) on the vault to check the key.' });
      }
    }
  }

  // The identity's role on the key (RBAC vaults).
  if (principalId && kvp.keyVaultUri && kvp.keyName) {
    try {
      const vaultId = await vaultIdFor(clients, subscriptionId, kvp.keyVaultUri);
      if (!vaultId) {
        state.problems.push({ problem: `The vault ${kvp.keyVaultUri} is not in subscription ${subscriptionId} (or was deleted).`, fix: 'Recover the vault, or point the account at a key in an existing vault.' });
      } else {
        const vault = await clients.keyVault(subscriptionId).sdk.vaults.get(vaultId.split('/')[4], vaultId.split('/').pop()!);
        const keyScope = `${vaultId}/keys/${kvp.keyName}`.toLowerCase();
        if (vault.properties?.enableRbacAuthorization) {
          let ok = false;
          const want = new Set(KEY_USERS.map((r) => r.toLowerCase()));
          for await (const a of clients.authorization(subscriptionId).listForPrincipal(keyScope, principalId)) {
            const at = (a.scope ?? '').toLowerCase().replace(/\/+$/, '');
            if (a.roleDefinitionId && want.has(roleGuidOf(a.roleDefinitionId)) && (keyScope === at || keyScope.startsWith(`${at}/`))) ok = true;
          }
          state.roleOk = ok;
        } else {
          const perms = (vault.properties?.accessPolicies ?? []).filter((p) => p.objectId.toLowerCase() === principalId.toLowerCase()).flatMap((p) => (p.permissions.keys ?? []).map((k) => k.toLowerCase()));
          state.roleOk = perms.includes('all') || ['get', 'wrapkey', 'unwrapkey'].every((k) => perms.includes(k));
        }
        if (!state.roleOk) {
          state.problems.push({
            problem: `The account's identity (${principalId}) cannot use key ${kvp.keyName}: no Key Vault Crypto Service Encryption User role (or get/wrapKey/unwrapKey access policy).`,
            fix: `Assign 'Key Vault Crypto Service Encryption User' (e147488a-f6f5-4113-8e2d-b22465e65bf6) on the key ${kvp.keyName} (or its vault) to ${state.identity}.`,
          });
        }
      }
    } catch (e) {
      state.problems.push({ problem: `Cannot check the identity's access to the key: ${(e as Error).message}`, fix: 'You need Reader on the vault to check its role assignments.' });
    }
  }
  return state;
}

export interface RotationResult {
  before?: string;
  after?: string;
  newVersion: string;
  /** True once the account's current versioned key id names the new version. */
  followed: boolean;
  summary: string;
}

/**
 * Makes a new version of the side's key (from the plan's `cmk`, else whatever key the account uses)
 * and waits until the storage account follows it. Azure picks new versions up within 24 hours;
 * the wait is bounded (`timeoutMs`), and the result says whether it has happened yet.
 */
export async function rotateKey(env: RecipeEnv, side: 'provider' | 'consumer', options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<RotationResult> {
  const s: SideEnv = env[side];
  const storage = s.clients.storage(s.subscriptionId);
  const o = { abortSignal: options.signal };
  const account = await storage.accounts.get(s.plan.resourceGroup, s.plan.storageAccount, o);
  const kvp = account.encryption?.keyVaultProperties;
  if (account.encryption?.keySource?.toLowerCase() !== 'microsoft.keyvault' || !kvp?.keyVaultUri || !kvp.keyName) {
    throw new UserFacingError(`${s.plan.storageAccount} uses Microsoft-managed keys: there is no key of yours to rotate.`, 'Enable a customer-managed key first (Enable Customer-Managed Key…).');
  }
  const before = kvp.currentVersionedKeyIdentifier;
  const key = await s.clients.keyVaultKeys(kvp.keyVaultUri).rotateKey(kvp.keyName, { abortSignal: options.signal });
  const newVersion = key.properties.version ?? '';
  if (kvp.keyVersion) {
    return { before, after: before, newVersion, followed: false, summary: `New version ${newVersion} of ${kvp.keyName} created, but ${s.plan.storageAccount} is pinned to version ${kvp.keyVersion}: set its key version to empty (or to ${newVersion}) to use it.` };
  }
  const deadline = Date.now() + (options.timeoutMs ?? (env.pollIntervalMs >= 1000 ? 120_000 : 15_000));
  let after = before;
  for (;;) {
    const now = await storage.accounts.get(s.plan.resourceGroup, s.plan.storageAccount, o);
    after = now.encryption?.keyVaultProperties?.currentVersionedKeyIdentifier;
    if (after && after.toLowerCase().endsWith(`/${newVersion.toLowerCase()}`)) {
      return { before, after, newVersion, followed: true, summary: `${s.plan.storageAccount} follows the new key version ${newVersion} of ${kvp.keyName} (was ${before?.split('/').pop() ?? 'unknown'}).` };
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.max(env.pollIntervalMs, 50) * 2, options.signal);
  }
  return { before, after, newVersion, followed: false, summary: `New version ${newVersion} of ${kvp.keyName} created; ${s.plan.storageAccount} still uses ${after?.split('/').pop() ?? 'the previous version'} (Azure switches accounts that follow the newest version within 24 hours).` };
}
