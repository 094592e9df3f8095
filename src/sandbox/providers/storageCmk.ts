/**
 * Storage account identities and customer-managed keys (`identity`, `properties.encryption`) with
 * the checks Azure Storage makes before it accepts a key: the vault exists in the account's tenant
 * with soft delete and purge protection, the key exists, is enabled and RSA, and the identity
 * named for encryption may get, wrap and unwrap it (Key Vault Crypto Service Encryption User or an
 * equivalent role, or an access policy). A refused request changes nothing.
 *
 * `keyversion` empty means the account follows the newest key version (Azure checks daily; the
 * sandbox follows at once), reported as `currentVersionedKeyIdentifier` and
 * `lastKeyRotationTimestamp`.
 */
import { allVaults, canUseKeyForEncryption, effectiveVersion, keyRecordId, vaultById, versionUsable, type KeyRecord, type StoredEncryption, type VaultRecord } from '../core/cmk';
import { ArmError, type SandboxContext } from '../core/contract';
import { userAssignedIdentity } from './msi';
import { vaultUriOf } from './keyvault';

export interface StorageIdentity {
  type: 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned,UserAssigned';
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, { principalId: string; clientId: string }>;
}

interface AccountLike {
  id: string;
  name: string;
  identity?: StorageIdentity;
  properties: { encryption?: StoredEncryption; creationTime: string };
}

/** Stands for a system-assigned identity not created yet (it holds no role, so key checks fail as in Azure). */
const PENDING_SYSTEM_IDENTITY = '00000000-0000-0000-0000-000000000000';

const TYPES = ['None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned,UserAssigned'];

function tenantOf(ctx: SandboxContext, resourceId: string): string {
  const sub = /\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] ?? '';
  return ctx.resources.subscription(sub)?.tenantId ?? '';
}

function applyIdentity(ctx: SandboxContext, acct: AccountLike, raw: unknown): StorageIdentity | undefined {
  if (raw === undefined || raw === null) return acct.identity;
  const body = raw as { type?: unknown; userAssignedIdentities?: Record<string, unknown> };
  const type = TYPES.find((t) => t.replace(/\s/g, '').toLowerCase() === String(body.type ?? '').replace(/\s/g, '').toLowerCase()) as StorageIdentity['type'] | undefined;
  if (!type) throw new ArmError(400, 'InvalidIdentityType', `The identity type '${String(body.type)}' is not supported. Use one of: ${TYPES.join(', ')}.`);
  const tenantId = tenantOf(ctx, acct.id);
  const out: StorageIdentity = { type };
  if (type.includes('SystemAssigned')) {
    // Created only once every check has passed (see applyStorageCmk); until then, the existing one if any.
    const existing = ctx.store.get<{ objectId: string }>('managedIdentities', `${acct.id}/identity`);
    out.principalId = existing?.objectId ?? PENDING_SYSTEM_IDENTITY;
    out.tenantId = tenantId;
  }
  if (type.includes('UserAssigned')) {
    const wanted = { ...Object.fromEntries(Object.keys(acct.identity?.userAssignedIdentities ?? {}).map((k) => [k, {}])), ...(body.userAssignedIdentities ?? {}) } as Record<string, unknown>;
    const uais: Record<string, { principalId: string; clientId: string }> = {};
    for (const [id, v] of Object.entries(wanted)) {
      if (v === null) continue; // removal, as ARM's merge-patch does
      const uami = userAssignedIdentity(ctx, id);
      if (!uami) throw new ArmError(400, 'FailedIdentityOperation', `Identity operation for resource '${acct.id}' failed: the user-assigned identity '${id}' was not found. Create it first (Microsoft.ManagedIdentity/userAssignedIdentities).`);
      uais[uami.id] = { principalId: uami.properties.principalId, clientId: uami.properties.clientId };
    }
    if (Object.keys(uais).length === 0) throw new ArmError(400, 'BadRequest', "Identity type 'UserAssigned' needs at least one entry in 'identity.userAssignedIdentities'.");
    out.userAssignedIdentities = uais;
  }
  return out;
}

function vaultForUri(ctx: SandboxContext, uri: string): VaultRecord | undefined {
  const norm = uri.trim().replace(/\/+$/, '').toLowerCase();
  let host = '';
  try {
    host = new URL(norm).hostname;
  } catch {
    return undefined;
  }
  // Azure-style `https://{name}.vault.azure.net` names the vault too.
  const byName = host.endsWith('.vault.azure.net') ? host.split('.')[0] : undefined;
  return allVaults(ctx.store).find((v) => vaultUriOf(ctx, v as VaultRecord & { dataPlanePort?: number }).replace(/\/+$/, '').toLowerCase() === norm || v.name.toLowerCase() === byName);
}

function applyEncryption(ctx: SandboxContext, acct: AccountLike, identity: StorageIdentity | undefined, raw: unknown, isNew: boolean): StoredEncryption | undefined {
  if (raw === undefined || raw === null) return acct.properties.encryption;
  const e = raw as { keySource?: unknown; keyvaultproperties?: Record<string, unknown>; identity?: { userAssignedIdentity?: unknown }; requireInfrastructureEncryption?: unknown };
  const source = String(e.keySource ?? acct.properties.encryption?.keySource ?? 'Microsoft.Storage');
  if (source.toLowerCase() === 'microsoft.storage') {
    return { keySource: 'Microsoft.Storage', ...(e.requireInfrastructureEncryption === true ? { requireInfrastructureEncryption: true } : {}) };
  }
  if (source.toLowerCase() !== 'microsoft.keyvault') throw new ArmError(400, 'InvalidValuesForRequestParameters', `Values for request parameters are invalid: keySource '${source}'. Use Microsoft.Storage or Microsoft.Keyvault.`);
  const kvp = e.keyvaultproperties ?? acct.properties.encryption?.keyvaultproperties;
  const keyname = String(kvp?.keyname ?? '');
  const keyvaulturi = String(kvp?.keyvaulturi ?? '');
  const keyversion = String(kvp?.keyversion ?? '');
  if (!keyname || !keyvaulturi) {
    throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: keyvaultproperties. keySource Microsoft.Keyvault needs keyvaultproperties.keyvaulturi and keyvaultproperties.keyname.');
  }
  const uamiRaw = e.identity?.userAssignedIdentity ?? (e.identity === undefined ? acct.properties.encryption?.identity?.userAssignedIdentity : undefined);
  const uami = typeof uamiRaw === 'string' && uamiRaw ? uamiRaw : undefined;
  let principal: string | undefined;
  if (uami) {
    const entry = Object.entries(identity?.userAssignedIdentities ?? {}).find(([id]) => id.toLowerCase() === uami.toLowerCase());
    if (!entry) {
      throw new ArmError(400, 'InvalidEncryptionIdentity', `The user-assigned identity '${uami}' named in encryption.identity is not assigned to the storage account. Add it to identity.userAssignedIdentities first.`);
    }
    principal = entry[1].principalId;
  } else {
    if (isNew) {
      throw new ArmError(400, 'InvalidEncryptionIdentity', 'A new storage account can use a customer-managed key only through a user-assigned identity: set identity (type UserAssigned) and encryption.identity.userAssignedIdentity.');
    }
    principal = identity?.principalId;
    if (!principal) {
      throw new ArmError(400, 'InvalidEncryptionIdentity', 'The storage account has no managed identity to reach the key vault with. Assign a system- or user-assigned identity (and name it in encryption.identity.userAssignedIdentity when user-assigned).');
    }
  }
  const vault = vaultForUri(ctx, keyvaulturi);
  if (!vault) throw new ArmError(400, 'KeyVaultVaultNotFound', `The key vault '${keyvaulturi}' was not found. Check keyvaultproperties.keyvaulturi (the vault's vaultUri).`);
  const acctTenant = tenantOf(ctx, acct.id);
  if (vault.properties.tenantId.toLowerCase() !== acctTenant.toLowerCase()) {
    throw new ArmError(400, 'KeyVaultTenantMismatch', `The key vault ${vault.name} belongs to tenant ${vault.properties.tenantId}, the storage account to tenant ${acctTenant}. Customer-managed keys must come from a vault in the account's own tenant.`);
  }
  if (!vault.properties.enableSoftDelete || !vault.properties.enablePurgeProtection) {
    throw new ArmError(400, 'KeyVaultPolicyError', `Keyvault policy recoverable is not set. The key vault ${vault.name} must have soft delete and purge protection enabled before a storage account can use its keys.`);
  }
  if (!canUseKeyForEncryption(ctx.store, vault, keyname, principal)) {
    throw new ArmError(
      400,
      'KeyVaultAuthenticationFailure',
      `The operation failed because of authentication issue on the keyvault. The identity ${principal} needs get, wrapKey and unwrapKey on key '${keyname}' of vault ${vault.name}: ${vault.properties.enableRbacAuthorization ? "assign it the role 'Key Vault Crypto Service Encryption User' (e147488a-f6f5-4113-8e2d-b22465e65bf6) on the key or the vault" : 'add an access policy with the key permissions get, wrapKey and unwrapKey'}. For more information, see - https://aka.ms/storagekeyvaultaccesspolicy`,
    );
  }
  const key = ctx.store.get<KeyRecord>('resources', keyRecordId(vault.id, keyname));
  if (!key || key.deletedDate !== undefined) {
    throw new ArmError(400, 'KeyVaultKeyNotFound', `The key '${keyname}' was not found in key vault ${vault.name}${key?.deletedDate !== undefined ? ' (it is deleted; recover it first)' : ''}.`);
  }
  if (key.kty !== 'RSA' && key.kty !== 'RSA-HSM') throw new ArmError(400, 'KeyVaultKeyTypeNotSupported', `The key '${keyname}' is of type ${key.kty}; storage encryption supports RSA and RSA-HSM keys (2048, 3072 or 4096 bits).`);
  const v = effectiveVersion(key, keyversion);
  if (!v) throw new ArmError(400, 'KeyVaultKeyNotFound', `The key version '${keyversion}' of key '${keyname}' was not found in key vault ${vault.name}.`);
  if (!versionUsable(v, ctx.clock.now().getTime())) {
    throw new ArmError(400, 'KeyVaultKeyDisabled', `The key '${keyname}' (version ${v.version}) in key vault ${vault.name} is disabled, expired or not yet valid. Enable it or choose another key.`);
  }
  return {
    keySource: 'Microsoft.Keyvault',
    // Echoed as sent (Azure does), e.g. with or without the trailing slash, or as `https://{vault}.vault.azure.net`.
    keyvaultproperties: { keyvaulturi: keyvaulturi.trim(), keyname: key.name, keyversion },
    ...(uami ? { identity: { userAssignedIdentity: uami } } : {}),
    vaultId: vault.id,
    configuredAt: ctx.clock.now().getTime(),
    ...(e.requireInfrastructureEncryption === true ? { requireInfrastructureEncryption: true } : {}),
  };
}

/** Applies `identity` and `properties.encryption` of a PUT/PATCH body (checks first; throws before any change). */
export function applyStorageCmk<T extends AccountLike>(ctx: SandboxContext, acct: T, body: Record<string, unknown>, props: Record<string, unknown>, isNew: boolean): T {
  const identity = applyIdentity(ctx, acct, body.identity);
  const encryption = applyEncryption(ctx, acct, identity, props.encryption, isNew);
  if (identity?.principalId === PENDING_SYSTEM_IDENTITY) {
    identity.principalId = ctx.directory.ensureManagedIdentity(identity.tenantId ?? tenantOf(ctx, acct.id), acct.id, acct.name).objectId;
  }
  if (acct.identity?.type.includes('SystemAssigned') && !identity?.type.includes('SystemAssigned')) {
    ctx.directory.deleteManagedIdentity(acct.id);
  }
  const out: T = { ...acct, properties: { ...acct.properties } };
  if (identity && identity.type !== 'None') out.identity = identity;
  else delete out.identity;
  if (encryption && encryption.keySource === 'Microsoft.Keyvault') out.properties.encryption = encryption;
  else delete out.properties.encryption;
  return out;
}

export function identityView(identity: StorageIdentity) {
  return identity;
}

/** `properties.encryption` as Azure answers it, with the key version the account uses now. */
export function encryptionView(ctx: SandboxContext, acct: AccountLike) {
  const created = acct.properties.creationTime;
  const services = { blob: { enabled: true, keyType: 'Account', lastEnabledTime: created }, file: { enabled: true, keyType: 'Account', lastEnabledTime: created } };
  const enc = acct.properties.encryption;
  if (enc?.keySource !== 'Microsoft.Keyvault' || !enc.keyvaultproperties) {
    return { services, keySource: 'Microsoft.Storage', requireInfrastructureEncryption: enc?.requireInfrastructureEncryption ?? false };
  }
  const vault = vaultById(ctx.store, enc.vaultId) as (VaultRecord & { dataPlanePort?: number }) | undefined;
  // The URI as it was sent, unless it named the vault's sandbox origin and that port changed after a restart.
  const sent = enc.keyvaultproperties.keyvaulturi;
  const current = vault ? vaultUriOf(ctx, vault) : undefined;
  const uri = !current || /\.vault\.azure\.net\/?$/i.test(sent) || sent.replace(/\/+$/, '').toLowerCase() === current.replace(/\/+$/, '').toLowerCase() ? sent : current;
  const base = uri.replace(/\/+$/, '');
  const key = vault ? ctx.store.get<KeyRecord>('resources', keyRecordId(vault.id, enc.keyvaultproperties.keyname)) : undefined;
  const v = key ? effectiveVersion(key, enc.keyvaultproperties.keyversion) : undefined;
  const rotated = Math.max(enc.configuredAt ?? 0, (v?.created ?? 0) * 1000);
  return {
    services,
    keySource: 'Microsoft.Keyvault',
    keyvaultproperties: {
      keyname: enc.keyvaultproperties.keyname,
      keyversion: enc.keyvaultproperties.keyversion,
      keyvaulturi: uri,
      ...(v ? { currentVersionedKeyIdentifier: `${base}/keys/${enc.keyvaultproperties.keyname}/${v.version}` } : {}),
      ...(rotated ? { lastKeyRotationTimestamp: new Date(rotated).toISOString() } : {}),
    },
    ...(enc.identity ? { identity: enc.identity } : {}),
    requireInfrastructureEncryption: enc.requireInfrastructureEncryption ?? false,
  };
}
