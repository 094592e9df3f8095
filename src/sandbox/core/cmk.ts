/**
 * Customer-managed keys as the sandbox keeps them: Key Vault vaults and keys (records in the
 * `resources` collection, so deleting a vault or its resource group removes its keys and role
 * assignments), and the question every blob request and Data Share snapshot asks: can this storage
 * account reach its key right now?
 *
 * An account encrypted with a key it cannot use (vault gone, key deleted, disabled, expired or not
 * yet valid, or its identity lost get/wrapKey/unwrapKey) refuses blob reads and writes with 403
 * `KeyVaultEncryptionKeyNotFound`, as Azure Storage does. Azure notices within minutes; the
 * sandbox at once.
 */
import type { Store } from './contract';
import { builtInRole, roleAllows, roleGuidOf, scopeContains, type RoleAssignmentResource, type RoleDefinition } from './rbac';

export const VAULT_AUDIENCE = 'https://vault.azure.net';

export interface VaultRecord {
  id: string;
  name: string;
  type: 'Microsoft.KeyVault/vaults';
  location: string;
  tags?: Record<string, string>;
  systemData: Record<string, string>;
  properties: {
    tenantId: string;
    sku: { family: string; name: string };
    accessPolicies: AccessPolicy[];
    enabledForDeployment: boolean;
    enabledForDiskEncryption: boolean;
    enabledForTemplateDeployment: boolean;
    enableSoftDelete: boolean;
    softDeleteRetentionInDays: number;
    enableRbacAuthorization: boolean;
    enablePurgeProtection?: boolean;
    publicNetworkAccess: string;
    provisioningState: 'Succeeded';
  };
}

export interface AccessPolicy {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] };
}

export interface KeyVersion {
  version: string;
  n: string;
  e: string;
  enabled: boolean;
  created: number;
  updated: number;
  exp?: number;
  nbf?: number;
  tags?: Record<string, string>;
}

/** A key and all its versions (newest last). Stored at `{vaultId}/keys/{name}` so role assignments can target it. */
export interface KeyRecord {
  id: string;
  name: string;
  type: 'Microsoft.KeyVault/vaults/keys';
  vaultId: string;
  kty: 'RSA' | 'RSA-HSM';
  keySize: number;
  keyOps: string[];
  versions: KeyVersion[];
  /** Set while the key is soft-deleted. */
  deletedDate?: number;
  scheduledPurgeDate?: number;
}

/** The storage account's stored CMK settings (inside `properties.encryption`). */
export interface StoredEncryption {
  keySource: 'Microsoft.Storage' | 'Microsoft.Keyvault';
  keyvaultproperties?: { keyvaulturi: string; keyname: string; keyversion: string };
  identity?: { userAssignedIdentity?: string };
  /** Internal: the vault the URI resolved to when the setting was made. */
  vaultId?: string;
  /** Internal: when the key setting was last made (ms). */
  configuredAt?: number;
  requireInfrastructureEncryption?: boolean;
}

export { KV_ROLES } from './keyVaultRoles';

function roleDataAllows(role: RoleDefinition, dataAction: string): boolean {
  return roleAllows({ ...role, actions: role.dataActions, notActions: role.notDataActions }, dataAction);
}

/** True when a role the principal holds at `scope` or above grants the data action. */
export function dataActionAllowed(store: Store, principalId: string, dataAction: string, scope: string): boolean {
  const pid = principalId.toLowerCase();
  return store
    .list<RoleAssignmentResource>('roleAssignments')
    .filter((a) => a.properties.principalId.toLowerCase() === pid && scopeContains(a.properties.scope, scope))
    .some((a) => {
      const role = builtInRole(roleGuidOf(a.properties.roleDefinitionId));
      return role !== undefined && roleDataAllows(role, dataAction);
    });
}

/** Access-policy check for vaults that do not use RBAC (permission names case-insensitive, `all` allowed). */
export function accessPolicyAllows(vault: VaultRecord, objectId: string, permission: string): boolean {
  const oid = objectId.toLowerCase();
  return vault.properties.accessPolicies.some(
    (p) => p.objectId.toLowerCase() === oid && (p.permissions.keys ?? []).some((k) => k.toLowerCase() === permission.toLowerCase() || k.toLowerCase() === 'all'),
  );
}

/** Key permission names as access policies spell them -> RBAC data actions. */
const POLICY_TO_ACTION: Record<string, string> = {
  get: 'Microsoft.KeyVault/vaults/keys/read',
  wrapkey: 'Microsoft.KeyVault/vaults/keys/wrap/action',
  unwrapkey: 'Microsoft.KeyVault/vaults/keys/unwrap/action',
};

/** Whether `objectId` may use the key for storage encryption (get, wrapKey, unwrapKey), by RBAC or access policy. */
export function canUseKeyForEncryption(store: Store, vault: VaultRecord, keyName: string, objectId: string): boolean {
  const keyScope = `${vault.id}/keys/${keyName}`;
  return ['get', 'wrapKey', 'unwrapKey'].every((perm) =>
    vault.properties.enableRbacAuthorization ? dataActionAllowed(store, objectId, POLICY_TO_ACTION[perm.toLowerCase()], keyScope) : accessPolicyAllows(vault, objectId, perm),
  );
}

export function keyRecordId(vaultId: string, keyName: string): string {
  return `${vaultId}/keys/${keyName}`;
}

export function vaultById(store: Store, vaultId: string | undefined): VaultRecord | undefined {
  return vaultId ? store.get<VaultRecord>('resources', vaultId) : undefined;
}

export function allVaults(store: Store): VaultRecord[] {
  return store.list<VaultRecord>('resources', '/subscriptions/').filter((r) => r.type === 'Microsoft.KeyVault/vaults');
}

/** The version a setting uses: the named one, or the newest when the version is empty (auto-rotation). */
export function effectiveVersion(key: KeyRecord, version: string | undefined): KeyVersion | undefined {
  return version ? key.versions.find((v) => v.version.toLowerCase() === version.toLowerCase()) : key.versions[key.versions.length - 1];
}

export function versionUsable(v: KeyVersion, nowMs: number): boolean {
  return v.enabled && (v.exp === undefined || v.exp * 1000 > nowMs) && (v.nbf === undefined || v.nbf * 1000 <= nowMs);
}

interface StorageAccountLike {
  id: string;
  name: string;
  type: string;
  properties: { encryption?: StoredEncryption };
  identity?: { type?: string; principalId?: string; userAssignedIdentities?: Record<string, { principalId?: string }> };
}

/** The principal the account uses to reach its key (the user-assigned one named, else the system one). */
export function encryptionPrincipal(acct: StorageAccountLike): string | undefined {
  const uami = acct.properties.encryption?.identity?.userAssignedIdentity;
  if (uami) {
    const entry = Object.entries(acct.identity?.userAssignedIdentities ?? {}).find(([id]) => id.toLowerCase() === uami.toLowerCase());
    return entry?.[1].principalId;
  }
  return acct.identity?.principalId;
}

/**
 * Why an account encrypted with a customer-managed key cannot use it now, or undefined when it can
 * (or uses Microsoft-managed keys).
 */
export function cmkProblem(store: Store, acct: StorageAccountLike, nowMs: number): string | undefined {
  const enc = acct.properties.encryption;
  if (enc?.keySource !== 'Microsoft.Keyvault' || !enc.keyvaultproperties) return undefined;
  const kv = enc.keyvaultproperties;
  const vault = vaultById(store, enc.vaultId);
  if (!vault) return `the key vault ${kv.keyvaulturi} no longer exists`;
  const key = store.get<KeyRecord>('resources', keyRecordId(vault.id, kv.keyname));
  if (!key) return `key '${kv.keyname}' no longer exists in vault ${vault.name}`;
  if (key.deletedDate !== undefined) return `key '${kv.keyname}' in vault ${vault.name} is deleted (recover it to restore access)`;
  const v = effectiveVersion(key, kv.keyversion);
  if (!v) return `key version '${kv.keyversion}' of '${kv.keyname}' does not exist`;
  if (!v.enabled) return `key '${kv.keyname}' (version ${v.version}) in vault ${vault.name} is disabled`;
  if (!versionUsable(v, nowMs)) return `key '${kv.keyname}' (version ${v.version}) in vault ${vault.name} is expired or not yet valid`;
  const principal = encryptionPrincipal(acct);
  if (!principal || !canUseKeyForEncryption(store, vault, kv.keyname, principal)) return `the identity of storage account ${acct.name} lost get/wrapKey/unwrapKey on key '${kv.keyname}'`;
  return undefined;
}

/** Storage account names whose key is unavailable now -> the reason (for Azurite's 403s and Data Share). */
export function accountsWithUnavailableKey(store: Store, nowMs: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const acct of store.list<StorageAccountLike>('resources', '/subscriptions/')) {
    if (acct.type !== 'Microsoft.Storage/storageAccounts') continue;
    const problem = cmkProblem(store, acct, nowMs);
    if (problem) out[acct.name.toLowerCase()] = problem;
  }
  return out;
}

/** Azure Storage's error for a blob operation on an account whose key cannot be used. */
export const CMK_UNAVAILABLE_CODE = 'KeyVaultEncryptionKeyNotFound';
export const CMK_UNAVAILABLE_MESSAGE = 'The key vault key is not found to unwrap the encryption key.';
