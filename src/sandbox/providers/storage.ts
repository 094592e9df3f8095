/**
 * Microsoft.Storage: storage accounts (Azure's name rules, global uniqueness across tenants,
 * checkNameAvailability, keys, create as 202 + Location) and blob containers, backed by Azurite.
 * Every account is registered with Azurite before its creation completes, so it works at once at
 * `primaryEndpoints.blob`.
 */
import * as crypto from 'node:crypto';
import { ArmError, type ResourceProvider, type SandboxContext, type SandboxRequest } from '../core/contract';
import { paginate, systemData } from '../core/arm';
import type { StorageKeysRecord } from '../core/blobs';
import { internals } from '../core/server';
import { bodyObject, callerOf, normalizeLocation, propertiesOf, tagsOf } from './common';
import { applyStorageCmk, encryptionView, identityView, type StorageIdentity } from './storageCmk';
import type { StoredEncryption } from '../core/cmk';

/** arm-storage 20.0.0 sends 2025-08-01; older SDKs and tools send the others. */
export const STORAGE_API_VERSIONS = ['2019-06-01', '2021-04-01', '2021-09-01', '2022-05-01', '2022-09-01', '2023-01-01', '2023-04-01', '2023-05-01', '2024-01-01', '2025-01-01', '2025-06-01', '2025-08-01'];

const SKUS: Record<string, 'Standard' | 'Premium'> = {
  Standard_LRS: 'Standard',
  Standard_GRS: 'Standard',
  Standard_RAGRS: 'Standard',
  Standard_ZRS: 'Standard',
  Standard_GZRS: 'Standard',
  Standard_RAGZRS: 'Standard',
  Premium_LRS: 'Premium',
  Premium_ZRS: 'Premium',
};
const KINDS = ['StorageV2', 'Storage', 'BlobStorage', 'BlockBlobStorage', 'FileStorage'];

interface StorageAccountRecord {
  id: string;
  name: string;
  type: 'Microsoft.Storage/storageAccounts';
  location: string;
  tags?: Record<string, string>;
  sku: { name: string; tier: string };
  kind: string;
  systemData: ReturnType<typeof systemData>;
  /** Managed identities of the account (system- and/or user-assigned). */
  identity?: StorageIdentity;
  properties: {
    /** Customer-managed key settings (absent: Microsoft-managed keys). */
    encryption?: StoredEncryption;
    provisioningState: 'Succeeded' | 'Creating';
    creationTime: string;
    isHnsEnabled: boolean;
    minimumTlsVersion: string;
    allowBlobPublicAccess: boolean;
    allowSharedKeyAccess: boolean;
    supportsHttpsTrafficOnly: boolean;
    accessTier: string;
    publicNetworkAccess: string;
  };
}

interface ContainerRecord {
  publicAccess: 'None' | 'Blob' | 'Container';
  metadata?: Record<string, string>;
  lastModifiedTime: string;
}

const ACCOUNT_RE = /^[a-z0-9]{3,24}$/;

export function accountNameInvalidMessage(name: string): string {
  return `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`;
}

function accountId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${p.accountName}`;
}

function keysKey(id: string): string {
  return `${id}/keys`;
}

/** Any account with this name anywhere in the sandbox (names are global, as DNS names are in Azure). */
function accountByName(ctx: SandboxContext, name: string): StorageKeysRecord | undefined {
  return ctx.store.list<StorageKeysRecord>('storageKeys').find((r) => r.accountName === name.toLowerCase());
}

function newKey(): string {
  return crypto.randomBytes(64).toString('base64');
}

function view(ctx: SandboxContext, rec: StorageAccountRecord) {
  const blob = ctx.blobEndpoint(rec.name);
  const keys = ctx.store.get<StorageKeysRecord>('storageKeys', keysKey(rec.id));
  return {
    ...rec,
    ...(rec.identity ? { identity: identityView(rec.identity) } : {}),
    properties: {
      ...rec.properties,
      keyCreationTime: { key1: keys?.keys[0]?.creationTime, key2: keys?.keys[1]?.creationTime },
      // Azurite has no dfs endpoint; ADLS Gen2 paths are served as blob containers on the same endpoint.
      primaryEndpoints: { blob: blob, dfs: blob },
      primaryLocation: rec.location,
      statusOfPrimary: 'available',
      encryption: encryptionView(ctx, rec),
      networkAcls: { bypass: 'AzureServices', virtualNetworkRules: [], ipRules: [], defaultAction: 'Allow' },
    },
  };
}

function getAccount(ctx: SandboxContext, p: Record<string, string>): StorageAccountRecord {
  const rec = ctx.store.get<StorageAccountRecord>('resources', accountId(p));
  if (!rec) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Storage/storageAccounts/${p.accountName}' under resource group '${p.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return rec;
}

function checkName(ctx: SandboxContext, name: string): { nameAvailable: boolean; reason?: string; message?: string } {
  if (!ACCOUNT_RE.test(name)) {
    return { nameAvailable: false, reason: 'AccountNameInvalid', message: accountNameInvalidMessage(name) };
  }
  if (accountByName(ctx, name)) {
    return { nameAvailable: false, reason: 'AlreadyExists', message: `The storage account named ${name} is already taken.` };
  }
  return { nameAvailable: true };
}

function boolProp(props: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = props[name];
  if (v === undefined || v === null) {
    return fallback;
  }
  if (typeof v !== 'boolean') {
    throw new ArmError(400, 'InvalidRequestPropertyValue', `The value '${String(v)}' of property 'properties.${name}' must be true or false.`);
  }
  return v;
}

function skuOf(body: Record<string, unknown>, fallback?: { name: string; tier: string }): { name: string; tier: string } {
  const sku = body.sku as { name?: unknown } | undefined;
  if (!sku) {
    if (fallback) {
      return fallback;
    }
    throw new ArmError(400, 'InvalidRequestContent', "The request content is missing the required property 'sku' (e.g. {\"name\": \"Standard_LRS\"}).");
  }
  const name = String(sku.name ?? '');
  const tier = SKUS[name];
  if (!tier) {
    throw new ArmError(400, 'SkuNotSupported', `The SKU '${name}' is not supported. Use one of: ${Object.keys(SKUS).join(', ')}.`);
  }
  return { name, tier };
}

// ---- containers ----

const CONTAINER_RE = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

function validateContainerName(name: string): void {
  if (name === '$root' || name === '$web' || name === '$logs') {
    return;
  }
  if (name.length < 3 || name.length > 63) {
    throw new ArmError(400, 'ContainerOperationFailure', `The specified resource name length is not within the permissible limits.\nRequestId:${crypto.randomUUID()}\nTime:${new Date().toISOString()}`);
  }
  if (!CONTAINER_RE.test(name)) {
    throw new ArmError(400, 'ContainerOperationFailure', `The specified resource name contains invalid characters.\nRequestId:${crypto.randomUUID()}\nTime:${new Date().toISOString()}`);
  }
}

function containerId(p: Record<string, string>, name: string): string {
  return `${accountId(p)}/blobServices/default/containers/${name}`;
}

function containerView(p: Record<string, string>, name: string, rec: ContainerRecord | undefined, lastModified?: Date, etag?: string) {
  return {
    id: containerId(p, name),
    name,
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    etag: etag ?? `"0x${Date.now().toString(16).toUpperCase()}"`,
    properties: {
      publicAccess: rec?.publicAccess ?? 'None',
      leaseStatus: 'Unlocked',
      leaseState: 'Available',
      lastModifiedTime: lastModified?.toISOString() ?? rec?.lastModifiedTime ?? new Date().toISOString(),
      metadata: rec?.metadata,
      hasImmutabilityPolicy: false,
      hasLegalHold: false,
      deleted: false,
      remainingRetentionDays: 0,
      defaultEncryptionScope: '$account-encryption-key',
      denyEncryptionScopeOverride: false,
    },
  };
}

const accountRoute = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}';
const containersRoute = `${accountRoute}/blobServices/default/containers`;

export const storageProvider: ResourceProvider = {
  namespace: 'Microsoft.Storage',
  routes: [
    {
      methods: ['POST'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/checkNameAvailability',
      apiVersions: STORAGE_API_VERSIONS,
      action: 'Microsoft.Storage/checknameavailability/read',
      handler: (req, _p, ctx) => {
        const body = bodyObject(req);
        const name = String(body.name ?? '');
        return { status: 200, body: checkName(ctx, name) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts',
      apiVersions: STORAGE_API_VERSIONS,
      handler: (req, p, ctx) => {
        const all = ctx.store
          .list<StorageAccountRecord>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/`)
          .filter((r) => r.type === 'Microsoft.Storage/storageAccounts');
        return { status: 200, body: paginate(req, all.map((r) => view(ctx, r))) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts',
      apiVersions: STORAGE_API_VERSIONS,
      handler: (req, p, ctx) => {
        const all = ctx.store
          .list<StorageAccountRecord>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/`)
          .filter((r) => r.type === 'Microsoft.Storage/storageAccounts');
        return { status: 200, body: paginate(req, all.map((r) => view(ctx, r))) };
      },
    },
    {
      methods: ['GET'],
      pattern: accountRoute,
      apiVersions: STORAGE_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: 200, body: view(ctx, getAccount(ctx, p)) }),
    },
    {
      methods: ['PUT'],
      pattern: accountRoute,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (req, p, ctx) => {
        const name = p.accountName;
        if (!ACCOUNT_RE.test(name)) {
          throw new ArmError(400, 'AccountNameInvalid', accountNameInvalidMessage(name));
        }
        const id = accountId(p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const existing = ctx.store.get<StorageAccountRecord>('resources', id);
        const now = ctx.clock.now();
        if (existing) {
          if (props.isHnsEnabled !== undefined && props.isHnsEnabled !== existing.properties.isHnsEnabled) {
            throw new ArmError(400, 'InvalidRequestPropertyValue', "'isHnsEnabled' can only be set when the storage account is created. Create a new account to change it.");
          }
          const updated = applyStorageCmk(ctx, applyUpdate(existing, body, props, req, now), body, props, false);
          ctx.store.put('resources', id, updated);
          return { status: 200, body: view(ctx, updated) };
        }
        const taken = accountByName(ctx, name);
        if (taken) {
          throw new ArmError(409, 'StorageAccountAlreadyTaken', `The storage account named ${name} is already taken.`);
        }
        const location = normalizeLocation(body.location);
        const sku = skuOf(body);
        const kind = String(body.kind ?? '');
        if (!KINDS.includes(kind)) {
          throw new ArmError(400, 'InvalidRequestPropertyValue', `The value '${kind}' of property 'kind' is invalid. Use one of: ${KINDS.join(', ')}.`);
        }
        const tags = tagsOf(body);
        const created: StorageAccountRecord = {
          id,
          name,
          type: 'Microsoft.Storage/storageAccounts',
          location,
          ...(tags ? { tags } : {}),
          sku,
          kind,
          systemData: systemData(req.principal, now),
          properties: {
            provisioningState: 'Succeeded',
            creationTime: now.toISOString(),
            isHnsEnabled: boolProp(props, 'isHnsEnabled', false),
            minimumTlsVersion: String(props.minimumTlsVersion ?? 'TLS1_2'),
            allowBlobPublicAccess: boolProp(props, 'allowBlobPublicAccess', false),
            allowSharedKeyAccess: boolProp(props, 'allowSharedKeyAccess', true),
            supportsHttpsTrafficOnly: boolProp(props, 'supportsHttpsTrafficOnly', true),
            accessTier: String(props.accessTier ?? 'Hot'),
            publicNetworkAccess: String(props.publicNetworkAccess ?? 'Enabled'),
          },
        };
        // Identity and customer-managed key checks run before anything is stored: a refused key changes nothing.
        const rec = applyStorageCmk(ctx, created, body, props, true);
        const keys: StorageKeysRecord = {
          accountName: name,
          resourceId: id,
          keys: [
            { keyName: 'key1', value: newKey(), permissions: 'FULL', creationTime: now.toISOString() },
            { keyName: 'key2', value: newKey(), permissions: 'FULL', creationTime: now.toISOString() },
          ],
        };
        ctx.store.put('storageKeys', keysKey(id), keys);
        ctx.store.put('resources', id, rec);
        // Azure answers 202 + Location; the poll returns the account once it can be used.
        return ctx.operations.start(req, {
          status: 202,
          resourceId: id,
          locationOnly: true,
          work: async () => {
            await internals(ctx).syncAzurite();
            const stored = ctx.store.get<StorageAccountRecord>('resources', id);
            if (!stored) {
              throw new ArmError(404, 'ResourceNotFound', `The storage account ${name} was deleted while it was being created.`);
            }
            return view(ctx, stored);
          },
        });
      },
    },
    {
      methods: ['PATCH'],
      pattern: accountRoute,
      apiVersions: STORAGE_API_VERSIONS,
      handler: (req, p, ctx) => {
        const existing = getAccount(ctx, p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        if (props.isHnsEnabled !== undefined && props.isHnsEnabled !== existing.properties.isHnsEnabled) {
          throw new ArmError(400, 'InvalidRequestPropertyValue', "'isHnsEnabled' can only be set when the storage account is created. Create a new account to change it.");
        }
        const updated = applyStorageCmk(ctx, applyUpdate(existing, body, props, req, ctx.clock.now()), body, props, false);
        ctx.store.put('resources', updated.id, updated);
        return { status: 200, body: view(ctx, updated) };
      },
    },
    {
      methods: ['DELETE'],
      pattern: accountRoute,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (_req, p, ctx) => {
        const id = accountId(p);
        if (!ctx.store.get('resources', id)) {
          return { status: 204 };
        }
        await ctx.deleteTree(id);
        return { status: 200 };
      },
    },
    {
      methods: ['POST'],
      pattern: `${accountRoute}/listKeys`,
      apiVersions: STORAGE_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const rec = getAccount(ctx, p);
        const keys = ctx.store.get<StorageKeysRecord>('storageKeys', keysKey(rec.id));
        return { status: 200, body: { keys: keys?.keys ?? [] } };
      },
    },
    {
      methods: ['POST'],
      pattern: `${accountRoute}/regenerateKey`,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (req, p, ctx) => {
        const rec = getAccount(ctx, p);
        const keyName = String(bodyObject(req).keyName ?? '');
        const keys = ctx.store.get<StorageKeysRecord>('storageKeys', keysKey(rec.id));
        const key = keys?.keys.find((k) => k.keyName.toLowerCase() === keyName.toLowerCase());
        if (!keys || !key) {
          throw new ArmError(400, 'InvalidRequestPropertyValue', `Unknown key name '${keyName}'. Use 'key1' or 'key2'.`);
        }
        key.value = newKey();
        key.creationTime = ctx.clock.now().toISOString();
        ctx.store.put('storageKeys', keysKey(rec.id), keys);
        await internals(ctx).syncAzurite();
        return { status: 200, body: { keys: keys.keys } };
      },
    },

    // ---- blob containers ----
    {
      methods: ['GET'],
      pattern: containersRoute,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (req, p, ctx) => {
        const acct = getAccount(ctx, p);
        const stored = new Map(ctx.store.list<ContainerRecord & { name: string }>('containers', `${acct.id}/`).map((c) => [c.name, c]));
        const live = await internals(ctx).blobs.listContainers(acct.name);
        const value = live.map((c) => containerView(p, c.name, stored.get(c.name), c.lastModified, c.etag));
        return { status: 200, body: paginate(req, value) };
      },
    },
    {
      methods: ['GET'],
      pattern: `${containersRoute}/{containerName}`,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (_req, p, ctx) => {
        const acct = getAccount(ctx, p);
        const live = (await internals(ctx).blobs.listContainers(acct.name, p.containerName)).find((c) => c.name === p.containerName);
        if (!live) {
          throw new ArmError(404, 'ContainerNotFound', `The specified container does not exist.\nRequestId:${crypto.randomUUID()}\nTime:${new Date().toISOString()}`);
        }
        const rec = ctx.store.get<ContainerRecord>('containers', containerId(p, p.containerName));
        return { status: 200, body: containerView(p, p.containerName, rec, live.lastModified, live.etag) };
      },
    },
    {
      methods: ['PUT'],
      pattern: `${containersRoute}/{containerName}`,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (req, p, ctx) => {
        const acct = getAccount(ctx, p);
        const name = p.containerName;
        validateContainerName(name);
        const props = propertiesOf(bodyObject(req));
        const publicAccess = String(props.publicAccess ?? 'None') as ContainerRecord['publicAccess'];
        if (!['None', 'Blob', 'Container'].includes(publicAccess)) {
          throw new ArmError(400, 'InvalidRequestPropertyValue', `'publicAccess' must be None, Blob or Container; got '${publicAccess}'.`);
        }
        if (publicAccess !== 'None' && !acct.properties.allowBlobPublicAccess) {
          throw new ArmError(409, 'PublicAccessNotPermitted', 'Public access is not permitted on this storage account. Set allowBlobPublicAccess on the account first.');
        }
        const blobs = internals(ctx).blobs;
        const existed = await blobs.containerExists(acct.name, name);
        await blobs.ensureContainer(acct.name, name);
        const rec: ContainerRecord & { name: string } = {
          name,
          publicAccess,
          metadata: (props.metadata as Record<string, string> | undefined) ?? undefined,
          lastModifiedTime: ctx.clock.now().toISOString(),
        };
        ctx.store.put('containers', containerId(p, name), rec);
        return { status: existed ? 200 : 201, body: containerView(p, name, rec) };
      },
    },
    {
      methods: ['DELETE'],
      pattern: `${containersRoute}/{containerName}`,
      apiVersions: STORAGE_API_VERSIONS,
      handler: async (_req, p, ctx) => {
        const acct = getAccount(ctx, p);
        const blobs = internals(ctx).blobs;
        const existed = await blobs.containerExists(acct.name, p.containerName);
        await blobs.deleteContainer(acct.name, p.containerName);
        ctx.store.delete('containers', containerId(p, p.containerName));
        return { status: existed ? 200 : 204 };
      },
    },
  ],
};

function applyUpdate(existing: StorageAccountRecord, body: Record<string, unknown>, props: Record<string, unknown>, req: SandboxRequest, now: Date): StorageAccountRecord {
  const tags = tagsOf(body);
  const p = existing.properties;
  return {
    ...existing,
    tags: tags ?? existing.tags,
    sku: skuOf(body, existing.sku),
    systemData: systemData(callerOf(req), new Date(existing.systemData.createdAt), now, { name: existing.systemData.createdBy, type: existing.systemData.createdByType }),
    properties: {
      ...p,
      minimumTlsVersion: String(props.minimumTlsVersion ?? p.minimumTlsVersion),
      allowBlobPublicAccess: boolProp(props, 'allowBlobPublicAccess', p.allowBlobPublicAccess),
      allowSharedKeyAccess: boolProp(props, 'allowSharedKeyAccess', p.allowSharedKeyAccess),
      supportsHttpsTrafficOnly: boolProp(props, 'supportsHttpsTrafficOnly', p.supportsHttpsTrafficOnly),
      accessTier: String(props.accessTier ?? p.accessTier),
      publicNetworkAccess: String(props.publicNetworkAccess ?? p.publicNetworkAccess),
    },
  };
}
