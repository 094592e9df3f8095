/**
 * Microsoft.KeyVault: vaults over ARM (api 2026-02-01 as @azure/arm-keyvault 5.0.0 sends it, and the
 * stable ones in the specs), and the keys data plane as @azure/keyvault-keys uses it (7.x and
 * 2025-07-01): create (a new version when the key exists), rotate, get, versions, list, update
 * attributes (enable/disable, expiry), delete (soft), deleted keys, recover.
 *
 * Every vault gets an HTTPS origin of its own (`vaultUri` = `https://127.0.0.1:{port}/`, the port
 * kept across restarts where free), because the client parses key ids as
 * `https://{vault}/keys/{name}/{version}`; its requests are served here under `/keyvault/{vault}`.
 *
 * The data plane authenticates as Key Vault does: a request without a token (the client's first
 * one) gets 401 with `WWW-Authenticate: Bearer authorization="{authority}/{tenant}",
 * resource="https://vault.azure.net"`; tokens must be for that audience and the vault's tenant.
 * Authorization: RBAC data actions (Key Vault Crypto Officer, Administrator, …) when
 * `enableRbacAuthorization`, else the vault's access policies.
 */
import * as crypto from 'node:crypto';
import { paginate, systemData } from '../core/arm';
import {
  accessPolicyAllows,
  allVaults,
  dataActionAllowed,
  effectiveVersion,
  keyRecordId,
  VAULT_AUDIENCE,
  type AccessPolicy,
  type KeyRecord,
  type KeyVersion,
  type VaultRecord,
} from '../core/cmk';
import { ArmError, type Principal, type ResourceProvider, type Route, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../core/contract';
import { internals } from '../core/server';
import { bodyObject, callerOf, isGuid, normalizeLocation, propertiesOf, tagsOf } from './common';

/** arm-keyvault 5.0.0 sends 2026-02-01; 2025-05-01 is the newest stable in the specs. */
export const KEYVAULT_ARM_API_VERSIONS = ['2019-09-01', '2021-10-01', '2022-07-01', '2023-02-01', '2023-07-01', '2024-11-01', '2025-05-01', '2026-02-01'];
/** keyvault-keys 4.10.2 sends 2025-07-01; 7.4 is the spec examples' version. */
export const KEYVAULT_DATA_API_VERSIONS = ['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-06-01-preview', '2025-07-01'];

const VAULT_NAME_RE = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const KEY_NAME_RE = /^[0-9a-zA-Z-]{1,127}$/;
const DATA_PREFIX = '/keyvault/{vaultName}';

type VaultStored = VaultRecord & { dataPlanePort?: number };

function vaultId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${p.vaultName}`;
}

function originPrefix(name: string): string {
  return `/keyvault/${name.toLowerCase()}`;
}

/** The vault's data-plane URL (its own origin on the sandbox). */
export function vaultUriOf(ctx: SandboxContext, vault: { name: string; dataPlanePort?: number }): string {
  const port = internals(ctx).originPort(originPrefix(vault.name)) ?? vault.dataPlanePort ?? 0;
  return `https://127.0.0.1:${port}/`;
}

function view(ctx: SandboxContext, v: VaultStored) {
  const { dataPlanePort: _port, ...rest } = v;
  return { ...rest, properties: { ...v.properties, vaultUri: vaultUriOf(ctx, v), hsmPoolResourceId: undefined, networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] } } };
}

function vaultByName(ctx: SandboxContext, name: string): VaultStored | undefined {
  const lower = name.toLowerCase();
  return allVaults(ctx.store).find((v) => v.name.toLowerCase() === lower);
}

interface DeletedVaultRecord {
  id: string;
  name: string;
  type: 'Microsoft.KeyVault/deletedVaults';
  properties: { vaultId: string; location: string; deletionDate: string; scheduledPurgeDate: string; tags?: Record<string, string>; purgeProtectionEnabled: boolean };
}

function deletedVaultKey(subscriptionId: string, location: string, name: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/locations/${location}/deletedVaults/${name.toLowerCase()}`;
}

function boolOf(props: Record<string, unknown>, name: string): boolean | undefined {
  const v = props[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ArmError(400, 'BadRequest', `The property "${name}" must be true or false.`);
  return v;
}

function accessPoliciesOf(props: Record<string, unknown>, fallback: AccessPolicy[]): AccessPolicy[] {
  const v = props.accessPolicies;
  if (v === undefined || v === null) return fallback;
  if (!Array.isArray(v)) throw new ArmError(400, 'BadRequest', "The property 'accessPolicies' must be an array.");
  return v.map((p: Record<string, unknown>) => {
    if (!p || typeof p.objectId !== 'string' || typeof p.tenantId !== 'string') throw new ArmError(400, 'BadRequest', 'Each access policy needs tenantId and objectId.');
    const perms = (p.permissions ?? {}) as AccessPolicy['permissions'];
    return { tenantId: p.tenantId, objectId: p.objectId, ...(typeof p.applicationId === 'string' ? { applicationId: p.applicationId } : {}), permissions: { keys: perms.keys ?? [], secrets: perms.secrets ?? [], certificates: perms.certificates ?? [] } };
  });
}

/** Applies the writable vault properties (PUT or PATCH) with Key Vault's own checks. */
function applyVaultProps(props: Record<string, unknown>, existing: VaultRecord['properties'] | undefined, subscriptionTenant: string): VaultRecord['properties'] {
  const tenantId = typeof props.tenantId === 'string' ? props.tenantId : existing?.tenantId;
  if (!tenantId || !isGuid(tenantId)) throw new ArmError(400, 'BadRequest', "The property 'properties.tenantId' is required and must be a GUID (the tenant that authenticates requests to the vault).");
  if (tenantId.toLowerCase() !== subscriptionTenant.toLowerCase()) {
    throw new ArmError(400, 'BadRequest', `The tenant '${tenantId}' is not the tenant of this subscription (${subscriptionTenant}). A vault authenticates requests from its subscription's tenant.`);
  }
  const sku = (props.sku ?? existing?.sku) as { family?: string; name?: string } | undefined;
  if (!sku?.name) throw new ArmError(400, 'BadRequest', "The property 'properties.sku' is required, e.g. {\"family\":\"A\",\"name\":\"standard\"}.");
  if (!['standard', 'premium'].includes(String(sku.name).toLowerCase())) throw new ArmError(400, 'SkuNotSupported', `The SKU '${String(sku.name)}' is not supported; use standard or premium.`);
  const softDelete = boolOf(props, 'enableSoftDelete');
  if (softDelete === false) throw new ArmError(400, 'BadRequest', 'The property "enableSoftDelete" cannot be set to false. Soft delete is always on for new and existing vaults.');
  const purge = boolOf(props, 'enablePurgeProtection');
  if (purge === false) {
    throw new ArmError(400, 'BadRequest', 'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.');
  }
  const retention = props.softDeleteRetentionInDays ?? existing?.softDeleteRetentionInDays ?? 90;
  if (typeof retention !== 'number' || retention < 7 || retention > 90) throw new ArmError(400, 'BadRequest', "'softDeleteRetentionInDays' must be between 7 and 90.");
  const rbac = boolOf(props, 'enableRbacAuthorization') ?? existing?.enableRbacAuthorization ?? false;
  return {
    tenantId,
    sku: { family: String(sku.family ?? 'A'), name: String(sku.name) },
    accessPolicies: accessPoliciesOf(props, existing?.accessPolicies ?? []),
    enabledForDeployment: boolOf(props, 'enabledForDeployment') ?? existing?.enabledForDeployment ?? false,
    enabledForDiskEncryption: boolOf(props, 'enabledForDiskEncryption') ?? existing?.enabledForDiskEncryption ?? false,
    enabledForTemplateDeployment: boolOf(props, 'enabledForTemplateDeployment') ?? existing?.enabledForTemplateDeployment ?? false,
    enableSoftDelete: true,
    softDeleteRetentionInDays: retention,
    enableRbacAuthorization: rbac,
    ...(purge || existing?.enablePurgeProtection ? { enablePurgeProtection: true } : {}),
    publicNetworkAccess: String(props.publicNetworkAccess ?? existing?.publicNetworkAccess ?? 'Enabled'),
    provisioningState: 'Succeeded',
  };
}

function getVault(ctx: SandboxContext, p: Record<string, string>): VaultStored {
  const v = ctx.store.get<VaultStored>('resources', vaultId(p));
  if (!v) throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/vaults/${p.vaultName}' under resource group '${p.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  return v;
}

const VAULT = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}';

function armRoutes(): Route[] {
  const av = { apiVersions: KEYVAULT_ARM_API_VERSIONS };
  return [
    {
      ...av,
      methods: ['POST'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/checkNameAvailability',
      action: 'Microsoft.KeyVault/checkNameAvailability/read',
      handler: (req, p, ctx) => {
        const name = String(bodyObject(req).name ?? '');
        if (!VAULT_NAME_RE.test(name)) return { status: 200, body: { nameAvailable: false, reason: 'AccountNameInvalid', message: `Vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.` } };
        if (vaultByName(ctx, name) || ctx.store.list<DeletedVaultRecord>('deletedVaults').some((d) => d.name.toLowerCase() === name.toLowerCase())) {
          return { status: 200, body: { nameAvailable: false, reason: 'AlreadyExists', message: `The vault name '${name}' is already in use (or held by a soft-deleted vault).` } };
        }
        void p;
        return { status: 200, body: { nameAvailable: true } };
      },
    },
    {
      ...av,
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults',
      handler: (req, p, ctx) => ({ status: 200, body: paginate(req, allVaults(ctx.store).filter((v) => v.id.toLowerCase().startsWith(`/subscriptions/${p.subscriptionId}/resourcegroups/${p.resourceGroupName}/`.toLowerCase())).map((v) => view(ctx, v))) }),
    },
    {
      ...av,
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/vaults',
      handler: (req, p, ctx) => ({ status: 200, body: paginate(req, allVaults(ctx.store).filter((v) => v.id.toLowerCase().startsWith(`/subscriptions/${p.subscriptionId}/`.toLowerCase())).map((v) => view(ctx, v))) }),
    },
    { ...av, methods: ['GET'], pattern: VAULT, handler: (_req, p, ctx) => ({ status: 200, body: view(ctx, getVault(ctx, p)) }) },
    {
      ...av,
      methods: ['PUT'],
      pattern: VAULT,
      handler: async (req, p, ctx) => {
        if (!VAULT_NAME_RE.test(p.vaultName)) {
          throw new ArmError(400, 'VaultNameNotValid', `The vault name '${p.vaultName}' is not valid: a vault's name must be 3-24 characters, only numbers (0-9), letters (a-z, A-Z) and hyphens (-), begin with a letter, end with a letter or digit, and not contain consecutive hyphens.`);
        }
        const id = vaultId(p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const existing = ctx.store.get<VaultStored>('resources', id);
        const subTenant = ctx.resources.subscription(p.subscriptionId)?.tenantId ?? '';
        const now = ctx.clock.now();
        if (!existing) {
          const taken = vaultByName(ctx, p.vaultName);
          if (taken) throw new ArmError(409, 'VaultAlreadyExists', `The vault name '${p.vaultName}' is already in use. Vault names are globally unique so it is possible that the name is already taken.`);
          if (ctx.store.list<DeletedVaultRecord>('deletedVaults').some((d) => d.name.toLowerCase() === p.vaultName.toLowerCase())) {
            throw new ArmError(409, 'ConflictError', 'A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.');
          }
        }
        const location = existing?.location ?? normalizeLocation(body.location);
        const properties = applyVaultProps(props, existing?.properties, subTenant);
        const tags = tagsOf(body);
        const port = await internals(ctx).originFor(originPrefix(p.vaultName), existing?.dataPlanePort);
        const rec: VaultStored = {
          id,
          name: existing?.name ?? p.vaultName,
          type: 'Microsoft.KeyVault/vaults',
          location,
          ...(tags ?? existing?.tags ? { tags: tags ?? existing?.tags } : {}),
          systemData: existing ? systemData(callerOf(req), new Date(existing.systemData.createdAt), now, { name: existing.systemData.createdBy, type: existing.systemData.createdByType }) : systemData(req.principal, now),
          properties,
          dataPlanePort: port,
        };
        ctx.store.put('resources', id, rec);
        return { status: existing ? 200 : 201, body: view(ctx, rec) };
      },
    },
    {
      ...av,
      methods: ['PATCH'],
      pattern: VAULT,
      handler: (req, p, ctx) => {
        const existing = getVault(ctx, p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const subTenant = ctx.resources.subscription(p.subscriptionId)?.tenantId ?? '';
        const properties = applyVaultProps(props, existing.properties, subTenant);
        const tags = tagsOf(body);
        const rec: VaultStored = { ...existing, ...(tags ? { tags } : {}), properties, systemData: systemData(callerOf(req), new Date(existing.systemData.createdAt), ctx.clock.now(), { name: existing.systemData.createdBy, type: existing.systemData.createdByType }) };
        ctx.store.put('resources', rec.id, rec);
        return { status: 200, body: view(ctx, rec) };
      },
    },
    {
      ...av,
      methods: ['PUT'],
      pattern: `${VAULT}/accessPolicies/{operationKind}`,
      handler: (req, p, ctx) => {
        const existing = getVault(ctx, p);
        const kind = p.operationKind.toLowerCase();
        if (!['add', 'replace', 'remove'].includes(kind)) throw new ArmError(400, 'BadRequest', `The operation kind '${p.operationKind}' is not valid: use add, replace or remove.`);
        const given = accessPoliciesOf(propertiesOf(bodyObject(req)), []);
        const sameEntry = (a: AccessPolicy, b: AccessPolicy) => a.objectId.toLowerCase() === b.objectId.toLowerCase() && a.tenantId.toLowerCase() === b.tenantId.toLowerCase() && (a.applicationId ?? '') === (b.applicationId ?? '');
        const merge = (a: string[] | undefined, b: string[] | undefined) => [...(a ?? []), ...(b ?? [])].filter((x, i, all) => all.findIndex((y) => y.toLowerCase() === x.toLowerCase()) === i);
        let policies = existing.properties.accessPolicies.map((x) => ({ ...x, permissions: { ...x.permissions } }));
        for (const g of given) {
          const found = policies.find((x) => sameEntry(x, g));
          if (kind === 'add') {
            if (found) found.permissions = { keys: merge(found.permissions.keys, g.permissions.keys), secrets: merge(found.permissions.secrets, g.permissions.secrets), certificates: merge(found.permissions.certificates, g.permissions.certificates) };
            else policies.push(g);
          } else if (kind === 'replace') {
            policies = [...policies.filter((x) => !sameEntry(x, g)), g];
          } else if (found) {
            const drop = (a: string[] | undefined, b: string[] | undefined) => (a ?? []).filter((x) => !(b ?? []).some((y) => y.toLowerCase() === x.toLowerCase()));
            found.permissions = { keys: drop(found.permissions.keys, g.permissions.keys), secrets: drop(found.permissions.secrets, g.permissions.secrets), certificates: drop(found.permissions.certificates, g.permissions.certificates) };
          }
        }
        const rec: VaultStored = { ...existing, properties: { ...existing.properties, accessPolicies: policies } };
        ctx.store.put('resources', rec.id, rec);
        return { status: 200, body: { id: `${rec.id}/accessPolicies/${kind}`, type: 'Microsoft.KeyVault/vaults/accessPolicies', properties: { accessPolicies: given } } };
      },
    },
    {
      ...av,
      methods: ['DELETE'],
      pattern: VAULT,
      handler: async (_req, p, ctx) => {
        const existing = ctx.store.get<VaultStored>('resources', vaultId(p));
        if (!existing) return { status: 204 };
        // Soft delete: the name stays held (and, with purge protection, cannot be purged) for the retention period.
        const now = ctx.clock.now();
        const rec: DeletedVaultRecord = {
          id: deletedVaultKey(p.subscriptionId, existing.location, existing.name),
          name: existing.name,
          type: 'Microsoft.KeyVault/deletedVaults',
          properties: {
            vaultId: existing.id,
            location: existing.location,
            deletionDate: now.toISOString(),
            scheduledPurgeDate: new Date(now.getTime() + existing.properties.softDeleteRetentionInDays * 86400_000).toISOString(),
            ...(existing.tags ? { tags: existing.tags } : {}),
            purgeProtectionEnabled: existing.properties.enablePurgeProtection === true,
          },
        };
        await ctx.deleteTree(existing.id);
        ctx.store.put('deletedVaults', rec.id, rec);
        return { status: 200 };
      },
    },
    {
      ...av,
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{vaultName}',
      handler: (_req, p, ctx) => {
        const rec = ctx.store.get<DeletedVaultRecord>('deletedVaults', deletedVaultKey(p.subscriptionId, p.location, p.vaultName));
        if (!rec) throw new ArmError(404, 'ResourceNotFound', `Deleted vault '${p.vaultName}' was not found in location '${p.location}'.`);
        return { status: 200, body: rec };
      },
    },
    {
      ...av,
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/deletedVaults',
      handler: (req, p, ctx) => ({ status: 200, body: paginate(req, ctx.store.list<DeletedVaultRecord>('deletedVaults', `/subscriptions/${p.subscriptionId}/`)) }),
    },
    {
      ...av,
      methods: ['POST'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{vaultName}/purge',
      handler: (_req, p, ctx) => {
        const key = deletedVaultKey(p.subscriptionId, p.location, p.vaultName);
        const rec = ctx.store.get<DeletedVaultRecord>('deletedVaults', key);
        if (!rec) throw new ArmError(404, 'ResourceNotFound', `Deleted vault '${p.vaultName}' was not found in location '${p.location}'.`);
        if (rec.properties.purgeProtectionEnabled) {
          throw new ArmError(409, 'Conflict', `Operation "purge" is not allowed: vault '${p.vaultName}' has purge protection enabled. It is purged automatically on ${rec.properties.scheduledPurgeDate} (its retention period).`);
        }
        ctx.store.delete('deletedVaults', key);
        return { status: 200 };
      },
    },
  ];
}

// ---- data plane ------------------------------------------------------------------------------

class KvError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly inner?: string) {
    super(message);
  }
}

function kvResponse(e: KvError, extraHeaders: Record<string, string> = {}): SandboxResponse {
  return { status: e.status, body: { error: { code: e.code, message: e.message, ...(e.inner ? { innererror: { code: e.inner } } : {}) } }, headers: extraHeaders };
}

interface KvEnv {
  req: SandboxRequest;
  p: Record<string, string>;
  ctx: SandboxContext;
  vault: VaultStored;
  principal: Principal;
  uri: string;
}

type KvHandler = (env: KvEnv) => SandboxResponse | Promise<SandboxResponse>;

function challengeHeader(req: SandboxRequest, vault: VaultRecord): string {
  return `Bearer authorization="${req.baseUrl}/${vault.properties.tenantId}", resource="${VAULT_AUDIENCE}"`;
}

function kvRoute(methods: string[], pattern: string, dataAction: (p: Record<string, string>) => { action: string; policy: string; scope: (vault: VaultRecord) => string }, handler: KvHandler): Route {
  return {
    methods,
    pattern: `${DATA_PREFIX}${pattern}`,
    anonymous: true,
    handler: async (req, p, ctx) => {
      try {
        const vault = vaultByName(ctx, p.vaultName);
        if (!vault) throw new KvError(404, 'VaultNotFound', `The vault '${p.vaultName}' does not exist (it may have been deleted).`);
        const check = internals(ctx).verifyBearer(firstHeader(req.headers.authorization), [VAULT_AUDIENCE]);
        if (!check.ok) {
          const missing = !req.headers.authorization;
          return kvResponse(new KvError(401, 'Unauthorized', missing ? 'AKV10000: Request is missing a Bearer or PoP token.' : `AKV10022: Invalid audience or token. ${check.error.message}`), { 'WWW-Authenticate': challengeHeader(req, vault) });
        }
        const principal = check.principal;
        if (principal.tenantId.toLowerCase() !== vault.properties.tenantId.toLowerCase()) {
          return kvResponse(new KvError(401, 'Unauthorized', `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${vault.properties.tenantId}/, found https://sts.windows.net/${principal.tenantId}/.`), { 'WWW-Authenticate': challengeHeader(req, vault) });
        }
        const apiVersion = req.query.get('api-version');
        if (!apiVersion) throw new KvError(400, 'BadParameter', 'The api-version query parameter is missing; use e.g. api-version=7.4.');
        if (!KEYVAULT_DATA_API_VERSIONS.includes(apiVersion)) throw new KvError(400, 'BadParameter', `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`);
        const need = dataAction(p);
        const scope = need.scope(vault);
        const allowed = vault.properties.enableRbacAuthorization ? dataActionAllowed(ctx.store, principal.objectId, need.action, scope) : accessPolicyAllows(vault, principal.objectId, need.policy);
        if (!allowed) {
          const caller = `appid=${principal.appId ?? ''};oid=${principal.objectId};iss=https://sts.windows.net/${principal.tenantId}/`;
          if (vault.properties.enableRbacAuthorization) {
            throw new KvError(
              403,
              'Forbidden',
              `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${caller}\r\nAction: '${need.action}'\r\nResource: '${scope.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${vault.name};location=${vault.location}\r\n`,
              'ForbiddenByRbac',
            );
          }
          throw new KvError(403, 'Forbidden', `The user, group or application '${caller}' does not have keys ${need.policy} permission on key vault '${vault.name};location=${vault.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`, 'AccessDenied');
        }
        return await handler({ req, p, ctx, vault, principal, uri: vaultUriOf(ctx, vault) });
      } catch (e) {
        if (e instanceof KvError) return kvResponse(e);
        if (e instanceof ArmError) return kvResponse(new KvError(e.status, e.code, e.message));
        throw e;
      }
    },
  };
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const keyScope = (p: Record<string, string>) => (v: VaultRecord) => keyRecordId(v.id, p.keyName);
const vaultScope = () => (v: VaultRecord) => v.id;
const act = (verb: string, policy: string, scope: (p: Record<string, string>) => (v: VaultRecord) => string = keyScope) => (p: Record<string, string>) => ({ action: `Microsoft.KeyVault/vaults/keys/${verb}`, policy, scope: scope(p) });

function keyNotFound(name: string, version?: string): KvError {
  return new KvError(404, 'KeyNotFound', `A key with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`);
}

function getKey(env: KvEnv, name: string, includeDeleted = false): KeyRecord {
  const rec = env.ctx.store.get<KeyRecord>('resources', keyRecordId(env.vault.id, name));
  if (!rec || (!includeDeleted && rec.deletedDate !== undefined)) throw keyNotFound(name);
  return rec;
}

function recoveryLevel(vault: VaultRecord): string {
  return vault.properties.enablePurgeProtection ? 'Recoverable' : 'Recoverable+Purgeable';
}

function attributesOf(vault: VaultRecord, v: KeyVersion) {
  return {
    enabled: v.enabled,
    ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
    ...(v.exp !== undefined ? { exp: v.exp } : {}),
    created: v.created,
    updated: v.updated,
    recoveryLevel: recoveryLevel(vault),
    recoverableDays: vault.properties.softDeleteRetentionInDays,
    exportable: false,
  };
}

function bundle(env: KvEnv, key: KeyRecord, v: KeyVersion) {
  return {
    key: { kid: `${env.uri}keys/${key.name}/${v.version}`, kty: key.kty, key_ops: key.keyOps, n: v.n, e: v.e },
    attributes: attributesOf(env.vault, v),
    ...(v.tags ? { tags: v.tags } : {}),
  };
}

function deletedBundle(env: KvEnv, key: KeyRecord) {
  const latest = key.versions[key.versions.length - 1];
  return { ...bundle(env, key, latest), recoveryId: `${env.uri}deletedkeys/${key.name}`, deletedDate: key.deletedDate, scheduledPurgeDate: key.scheduledPurgeDate };
}

function item(env: KvEnv, key: KeyRecord, v: KeyVersion, withVersion: boolean) {
  return { kid: withVersion ? `${env.uri}keys/${key.name}/${v.version}` : `${env.uri}keys/${key.name}`, attributes: attributesOf(env.vault, v), ...(v.tags ? { tags: v.tags } : {}) };
}

function secondsOf(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new KvError(400, 'BadParameter', `Property attributes.${name} must be a number of seconds since 1970 (UTC).`);
  return Math.floor(v);
}

async function newVersion(kty: string, size: number): Promise<{ n: string; e: string }> {
  const { publicKey } = await new Promise<{ publicKey: crypto.KeyObject }>((resolve, reject) =>
    crypto.generateKeyPair('rsa', { modulusLength: size }, (err, pub) => (err ? reject(err) : resolve({ publicKey: pub }))),
  );
  void kty;
  const jwk = publicKey.export({ format: 'jwk' });
  return { n: String(jwk.n), e: String(jwk.e) };
}

const KEY_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey', 'import', 'export'];

async function createVersion(env: KvEnv, name: string, body: Record<string, unknown>, rotate: boolean): Promise<SandboxResponse> {
  if (!KEY_NAME_RE.test(name)) throw new KvError(400, 'BadParameter', `The key name '${name}' is not valid: use 1-127 letters, digits and hyphens.`);
  const id = keyRecordId(env.vault.id, name);
  const existing = env.ctx.store.get<KeyRecord>('resources', id);
  if (existing?.deletedDate !== undefined) {
    throw new KvError(409, 'Conflict', `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`);
  }
  if (rotate && !existing) throw keyNotFound(name);
  const kty = rotate ? existing!.kty : String(body.kty ?? '');
  if (!['RSA', 'RSA-HSM', 'EC', 'EC-HSM', 'oct', 'oct-HSM'].includes(kty)) throw new KvError(400, 'BadParameter', `Property kty has an invalid value '${kty}'. Use RSA, RSA-HSM, EC, EC-HSM, oct or oct-HSM.`);
  if (kty !== 'RSA' && kty !== 'RSA-HSM') throw new KvError(400, 'BadParameter', `The sandbox creates RSA keys only (kty '${kty}' requested).`);
  if (kty === 'RSA-HSM' && env.vault.properties.sku.name.toLowerCase() !== 'premium') throw new KvError(400, 'BadParameter', 'RSA-HSM keys need a premium vault.');
  const size = rotate ? existing!.keySize : body.key_size === undefined ? 2048 : Number(body.key_size);
  if (![2048, 3072, 4096].includes(size)) throw new KvError(400, 'BadParameter', `Property key_size must be 2048, 3072 or 4096 for RSA keys; got ${String(body.key_size)}.`);
  const ops = rotate ? existing!.keyOps : Array.isArray(body.key_ops) ? (body.key_ops as unknown[]).map(String) : KEY_OPS.slice(0, 6);
  for (const op of ops) if (!KEY_OPS.includes(op)) throw new KvError(400, 'BadParameter', `Invalid key operation '${op}'. Use ${KEY_OPS.join(', ')}.`);
  const attrs = (body.attributes ?? {}) as Record<string, unknown>;
  const nowSec = Math.floor(env.ctx.clock.now().getTime() / 1000);
  const material = await newVersion(kty, size);
  const latest = existing?.versions[existing.versions.length - 1];
  const v: KeyVersion = {
    version: crypto.randomBytes(16).toString('hex'),
    ...material,
    enabled: rotate ? true : attrs.enabled === undefined ? true : attrs.enabled === true,
    created: nowSec,
    updated: nowSec,
    ...(!rotate && secondsOf(attrs.exp, 'exp') !== undefined ? { exp: secondsOf(attrs.exp, 'exp') } : {}),
    ...(!rotate && secondsOf(attrs.nbf, 'nbf') !== undefined ? { nbf: secondsOf(attrs.nbf, 'nbf') } : {}),
    ...(rotate ? (latest?.tags ? { tags: latest.tags } : {}) : body.tags ? { tags: body.tags as Record<string, string> } : {}),
  };
  const rec: KeyRecord = existing
    ? { ...existing, kty: kty as KeyRecord['kty'], keySize: size, keyOps: ops, versions: [...existing.versions, v] }
    : { id, name, type: 'Microsoft.KeyVault/vaults/keys', vaultId: env.vault.id, kty: kty as KeyRecord['kty'], keySize: size, keyOps: ops, versions: [v] };
  env.ctx.store.put('resources', id, rec);
  return { status: 200, body: bundle(env, rec, v) };
}

function dataRoutes(): Route[] {
  return [
    kvRoute(['POST'], '/keys/{keyName}/create', act('create/action', 'create'), (env) => createVersion(env, env.p.keyName, bodyObject(env.req), false)),
    kvRoute(['POST'], '/keys/{keyName}/rotate', act('rotate/action', 'rotate'), (env) => createVersion(env, env.p.keyName, {}, true)),
    kvRoute(['GET'], '/keys', act('read', 'list', vaultScope), (env) => {
      const keys = env.ctx.store.list<KeyRecord>('resources', `${env.vault.id}/keys/`).filter((k) => k.type === 'Microsoft.KeyVault/vaults/keys' && k.deletedDate === undefined);
      return { status: 200, body: { value: keys.map((k) => item(env, k, k.versions[k.versions.length - 1], false)), nextLink: null } };
    }),
    kvRoute(['GET'], '/keys/{keyName}/versions', act('read', 'list'), (env) => {
      const k = getKey(env, env.p.keyName);
      return { status: 200, body: { value: k.versions.map((v) => item(env, k, v, true)), nextLink: null } };
    }),
    kvRoute(['GET'], '/keys/{keyName}', act('read', 'get'), (env) => {
      const k = getKey(env, env.p.keyName);
      return { status: 200, body: bundle(env, k, k.versions[k.versions.length - 1]) };
    }),
    kvRoute(['GET'], '/keys/{keyName}/{keyVersion}', act('read', 'get'), (env) => {
      const k = getKey(env, env.p.keyName);
      const v = effectiveVersion(k, env.p.keyVersion);
      if (!v) throw keyNotFound(env.p.keyName, env.p.keyVersion);
      return { status: 200, body: bundle(env, k, v) };
    }),
    kvRoute(['PATCH'], '/keys/{keyName}', act('update/action', 'update'), (env) => updateKey(env, undefined)),
    kvRoute(['PATCH'], '/keys/{keyName}/{keyVersion}', act('update/action', 'update'), (env) => updateKey(env, env.p.keyVersion)),
    kvRoute(['DELETE'], '/keys/{keyName}', act('delete', 'delete'), (env) => {
      const k = getKey(env, env.p.keyName);
      const now = Math.floor(env.ctx.clock.now().getTime() / 1000);
      const rec: KeyRecord = { ...k, deletedDate: now, scheduledPurgeDate: now + env.vault.properties.softDeleteRetentionInDays * 86400 };
      env.ctx.store.put('resources', rec.id, rec);
      return { status: 200, body: deletedBundle(env, rec) };
    }),
    kvRoute(['GET'], '/deletedkeys/{keyName}', (p) => ({ action: 'Microsoft.KeyVault/vaults/deletedkeys/read', policy: 'list', scope: keyScope(p) }), (env) => {
      const k = getKey(env, env.p.keyName, true);
      if (k.deletedDate === undefined) throw new KvError(404, 'KeyNotFound', `Deleted Key not found: ${env.p.keyName}`);
      return { status: 200, body: deletedBundle(env, k) };
    }),
    kvRoute(['POST'], '/deletedkeys/{keyName}/recover', (p) => ({ action: 'Microsoft.KeyVault/vaults/deletedkeys/recover/action', policy: 'recover', scope: keyScope(p) }), (env) => {
      const k = getKey(env, env.p.keyName, true);
      if (k.deletedDate === undefined) throw new KvError(404, 'KeyNotFound', `Deleted Key not found: ${env.p.keyName}`);
      const { deletedDate: _d, scheduledPurgeDate: _s, ...rest } = k;
      env.ctx.store.put('resources', rest.id, rest);
      return { status: 200, body: bundle(env, rest as KeyRecord, rest.versions[rest.versions.length - 1]) };
    }),
    kvRoute(['DELETE'], '/deletedkeys/{keyName}', (p) => ({ action: 'Microsoft.KeyVault/vaults/deletedkeys/delete', policy: 'purge', scope: keyScope(p) }), (env) => {
      const k = getKey(env, env.p.keyName, true);
      if (k.deletedDate === undefined) throw new KvError(404, 'KeyNotFound', `Deleted Key not found: ${env.p.keyName}`);
      if (env.vault.properties.enablePurgeProtection) throw new KvError(403, 'Forbidden', `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\r\nVault: ${env.vault.name};location=${env.vault.location}`);
      env.ctx.store.delete('resources', k.id);
      return { status: 204 };
    }),
  ];
}

function updateKey(env: KvEnv, version: string | undefined): SandboxResponse {
  const k = getKey(env, env.p.keyName);
  const v = effectiveVersion(k, version);
  if (!v) throw keyNotFound(env.p.keyName, version);
  const body = bodyObject(env.req);
  const attrs = (body.attributes ?? {}) as Record<string, unknown>;
  if (attrs.enabled !== undefined && typeof attrs.enabled !== 'boolean') throw new KvError(400, 'BadParameter', 'attributes.enabled must be true or false.');
  const updated: KeyVersion = {
    ...v,
    ...(typeof attrs.enabled === 'boolean' ? { enabled: attrs.enabled } : {}),
    ...(attrs.exp !== undefined ? { exp: secondsOf(attrs.exp, 'exp') } : {}),
    ...(attrs.nbf !== undefined ? { nbf: secondsOf(attrs.nbf, 'nbf') } : {}),
    ...(body.tags !== undefined ? { tags: body.tags as Record<string, string> } : {}),
    updated: Math.floor(env.ctx.clock.now().getTime() / 1000),
  };
  const rec: KeyRecord = { ...k, versions: k.versions.map((x) => (x.version === v.version ? updated : x)) };
  if (Array.isArray(body.key_ops)) rec.keyOps = (body.key_ops as unknown[]).map(String);
  env.ctx.store.put('resources', rec.id, rec);
  return { status: 200, body: bundle(env, rec, updated) };
}

export const keyVaultProvider: ResourceProvider = {
  namespace: 'Microsoft.KeyVault',
  routes: [...armRoutes(), ...dataRoutes()],
  async onStart(ctx) {
    // Reopen every vault's origin, on its old port where it is still free.
    for (const v of allVaults(ctx.store) as VaultStored[]) {
      const port = await internals(ctx).originFor(originPrefix(v.name), v.dataPlanePort);
      if (port !== v.dataPlanePort) ctx.store.put('resources', v.id, { ...v, dataPlanePort: port });
    }
  },
};
