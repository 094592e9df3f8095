/**
 * Microsoft.Purview (accounts only): create/delete as long-running operations, system-assigned
 * managed identity, endpoints under the sandbox's `/purview/{account}` prefix (the data plane is a
 * separate provider), keys, root collection admins, name checks. Requires provider registration, as
 * in a fresh Azure subscription.
 */
import * as crypto from 'node:crypto';
import { ArmError, type ResourceProvider, type SandboxContext } from '../core/contract';
import { paginate, systemData } from '../core/arm';
import { bodyObject, callerOf, normalizeLocation, propertiesOf, tagsOf } from './common';

/** arm-purview 1.1.0 defaults to 2021-07-01; the latest stable is 2021-12-01. */
export const PURVIEW_API_VERSIONS = ['2020-12-01-preview', '2021-07-01', '2021-12-01', '2023-05-01-preview', '2024-04-01-preview'];

export interface PurviewAccountRecord {
  id: string;
  name: string;
  type: 'Microsoft.Purview/accounts';
  location: string;
  tags?: Record<string, string>;
  sku: { name: 'Standard'; capacity: number };
  identity: { type: 'SystemAssigned' | 'None'; principalId?: string; tenantId?: string };
  systemData: ReturnType<typeof systemData>;
  properties: {
    provisioningState: 'Creating' | 'Succeeded' | 'Deleting';
    friendlyName: string;
    createdAt: string;
    createdBy: string;
    createdByObjectId: string;
    managedResourceGroupName: string;
    publicNetworkAccess: string;
    managedResourcesPublicNetworkAccess?: string;
  };
}

/** Root collection admins of an account (the Purview data plane reads this), keyed `{accountId}/rootCollectionAdmins`. */
export interface RootCollectionAdminsRecord {
  objectIds: string[];
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9-]{1,61}[a-zA-Z0-9]$/;

function accountId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Purview/accounts/${p.accountName}`;
}

function byName(ctx: SandboxContext, name: string): PurviewAccountRecord | undefined {
  return ctx.store.list<PurviewAccountRecord>('resources').find((r) => r.type === 'Microsoft.Purview/accounts' && r.name.toLowerCase() === name.toLowerCase());
}

function nameCheck(ctx: SandboxContext, name: string): { nameAvailable: boolean; reason?: 'Invalid' | 'AlreadyExists'; message?: string } {
  if (!NAME_RE.test(name)) {
    return {
      nameAvailable: false,
      reason: 'Invalid',
      message: `The account name '${name}' is invalid. It must be 3 to 63 characters of letters, digits and hyphens, and start and end with a letter or digit.`,
    };
  }
  if (byName(ctx, name)) {
    return { nameAvailable: false, reason: 'AlreadyExists', message: `The account name '${name}' is already in use.` };
  }
  return { nameAvailable: true };
}

function view(ctx: SandboxContext, rec: PurviewAccountRecord) {
  const base = ctx.purviewEndpoint(rec.name).replace(/\/$/, '');
  const sub = rec.id.split('/')[2];
  const mrg = `/subscriptions/${sub}/resourceGroups/${rec.properties.managedResourceGroupName}`;
  return {
    ...rec,
    properties: {
      ...rec.properties,
      endpoints: { catalog: `${base}/catalog`, scan: `${base}/scan`, guardian: `${base}/policystore` },
      managedResources: {
        resourceGroup: mrg,
        storageAccount: `${mrg}/providers/Microsoft.Storage/storageAccounts/scan${rec.location}${rec.name.replace(/-/g, '').slice(0, 8).toLowerCase()}`,
        eventHubNamespace: `${mrg}/providers/Microsoft.EventHub/namespaces/Atlas-${rec.name}`,
      },
      privateEndpointConnections: [],
      cloudConnectors: {},
      accountStatus: { accountProvisioningState: rec.properties.provisioningState, errorDetails: {} },
    },
  };
}

function getAccount(ctx: SandboxContext, p: Record<string, string>): PurviewAccountRecord {
  const rec = ctx.store.get<PurviewAccountRecord>('resources', accountId(p));
  if (!rec) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Purview/accounts/${p.accountName}' under resource group '${p.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return rec;
}

const P = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Purview/accounts/{accountName}';

export const purviewProvider: ResourceProvider = {
  namespace: 'Microsoft.Purview',
  requiresRegistration: true,
  routes: [
    {
      methods: ['POST'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Purview/checkNameAvailability',
      apiVersions: PURVIEW_API_VERSIONS,
      action: 'Microsoft.Purview/checknameavailability/read',
      handler: (req, _p, ctx) => ({ status: 200, body: nameCheck(ctx, String(bodyObject(req).name ?? '')) }),
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Purview/accounts',
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (req, p, ctx) => {
        const all = ctx.store.list<PurviewAccountRecord>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/`).filter((r) => r.type === 'Microsoft.Purview/accounts');
        return { status: 200, body: paginate(req, all.map((r) => view(ctx, r))) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Purview/accounts',
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (req, p, ctx) => {
        const all = ctx.store
          .list<PurviewAccountRecord>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Purview/accounts/`)
          .filter((r) => r.type === 'Microsoft.Purview/accounts');
        return { status: 200, body: paginate(req, all.map((r) => view(ctx, r))) };
      },
    },
    {
      methods: ['GET'],
      pattern: P,
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: 200, body: view(ctx, getAccount(ctx, p)) }),
    },
    {
      methods: ['PUT'],
      pattern: P,
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        const id = accountId(p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const tags = tagsOf(body);
        const existing = ctx.store.get<PurviewAccountRecord>('resources', id);
        const now = ctx.clock.now();
        if (existing) {
          if (existing.properties.provisioningState === 'Deleting') {
            throw new ArmError(409, 'AccountIsDeleting', `The Purview account '${existing.name}' is being deleted. Wait for the delete to finish.`);
          }
          const updated: PurviewAccountRecord = {
            ...existing,
            tags: tags ?? existing.tags,
            systemData: systemData(caller, new Date(existing.systemData.createdAt), now, { name: existing.systemData.createdBy, type: existing.systemData.createdByType }),
            properties: { ...existing.properties, publicNetworkAccess: String(props.publicNetworkAccess ?? existing.properties.publicNetworkAccess) },
          };
          ctx.store.put('resources', id, updated);
          return { status: 200, body: view(ctx, updated) };
        }
        const check = nameCheck(ctx, p.accountName);
        if (!check.nameAvailable) {
          throw check.reason === 'Invalid' ? new ArmError(400, 'InvalidAccountName', check.message as string) : new ArmError(409, 'AccountNameAlreadyExists', `${check.message as string} Purview account names are global; pick another.`);
        }
        const location = normalizeLocation(body.location);
        const identityType = String((body.identity as { type?: unknown } | undefined)?.type ?? 'SystemAssigned');
        if (identityType !== 'SystemAssigned' && identityType !== 'None') {
          throw new ArmError(400, 'InvalidIdentityType', `The sandbox supports identity type 'SystemAssigned' or 'None' for Purview accounts, not '${identityType}'.`);
        }
        const sub = ctx.resources.subscription(p.subscriptionId);
        const tenantId = sub?.tenantId ?? caller.tenantId;
        let identity: PurviewAccountRecord['identity'] = { type: 'None' };
        if (identityType === 'SystemAssigned') {
          const mi = ctx.directory.ensureManagedIdentity(tenantId, id, p.accountName);
          identity = { type: 'SystemAssigned', principalId: mi.objectId, tenantId };
        }
        const rec: PurviewAccountRecord = {
          id,
          name: p.accountName,
          type: 'Microsoft.Purview/accounts',
          location,
          ...(tags ? { tags } : {}),
          sku: { name: 'Standard', capacity: 1 },
          identity,
          systemData: systemData(caller, now),
          properties: {
            provisioningState: 'Creating',
            friendlyName: p.accountName,
            createdAt: now.toISOString(),
            createdBy: caller.email ?? caller.name,
            createdByObjectId: caller.objectId,
            managedResourceGroupName: String(props.managedResourceGroupName ?? `managed-rg-${p.accountName}`),
            publicNetworkAccess: String(props.publicNetworkAccess ?? 'Enabled'),
            ...(props.managedResourcesPublicNetworkAccess !== undefined ? { managedResourcesPublicNetworkAccess: String(props.managedResourcesPublicNetworkAccess) } : {}),
          },
        };
        ctx.store.put('resources', id, rec);
        // The creator is the first root collection admin (as in Purview).
        ctx.store.put<RootCollectionAdminsRecord>('purviewRootCollectionAdmins', `${id}/rootCollectionAdmins`, { objectIds: [caller.objectId] });
        return ctx.operations.start(req, {
          status: 201,
          resourceId: id,
          body: view(ctx, rec),
          work: async () => {
            const current = ctx.store.get<PurviewAccountRecord>('resources', id);
            if (!current) {
              throw new ArmError(404, 'ResourceNotFound', `The Purview account ${p.accountName} was deleted while it was being created.`);
            }
            const done: PurviewAccountRecord = { ...current, properties: { ...current.properties, provisioningState: 'Succeeded' } };
            ctx.store.put('resources', id, done);
            return view(ctx, done);
          },
        });
      },
    },
    {
      methods: ['PATCH'],
      pattern: P,
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (req, p, ctx) => {
        const existing = getAccount(ctx, p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const tags = tagsOf(body);
        const updated: PurviewAccountRecord = {
          ...existing,
          tags: tags ?? existing.tags,
          systemData: systemData(callerOf(req), new Date(existing.systemData.createdAt), ctx.clock.now(), { name: existing.systemData.createdBy, type: existing.systemData.createdByType }),
          properties: {
            ...existing.properties,
            publicNetworkAccess: String(props.publicNetworkAccess ?? existing.properties.publicNetworkAccess),
            ...(props.managedResourcesPublicNetworkAccess !== undefined ? { managedResourcesPublicNetworkAccess: String(props.managedResourcesPublicNetworkAccess) } : {}),
          },
        };
        ctx.store.put('resources', existing.id, updated);
        return { status: 200, body: view(ctx, updated) };
      },
    },
    {
      methods: ['DELETE'],
      pattern: P,
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (req, p, ctx) => {
        const id = accountId(p);
        const rec = ctx.store.get<PurviewAccountRecord>('resources', id);
        if (!rec) {
          return { status: 204 };
        }
        ctx.store.put('resources', id, { ...rec, properties: { ...rec.properties, provisioningState: 'Deleting' } });
        return ctx.operations.start(req, {
          status: 202,
          resourceId: id,
          work: async () => {
            // Removes the account, its managed identity and everything keyed under it (data plane included).
            await ctx.deleteTree(id);
            return undefined;
          },
        });
      },
    },
    {
      methods: ['POST'],
      pattern: `${P}/listkeys`,
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const rec = getAccount(ctx, p);
        const key = (n: number) => crypto.createHash('sha256').update(`${rec.id}/${n}`).digest('base64');
        const ns = `atlas-${rec.name}`;
        return {
          status: 200,
          body: {
            atlasKafkaPrimaryEndpoint: `Endpoint=sb://${ns}.servicebus.windows.net/;SharedAccessKeyName=AlternateSharedAccessKey;SharedAccessKey=${key(1)}`,
            atlasKafkaSecondaryEndpoint: `Endpoint=sb://${ns}.servicebus.windows.net/;SharedAccessKeyName=AlternateSharedAccessKey;SharedAccessKey=${key(2)}`,
          },
        };
      },
    },
    {
      methods: ['POST'],
      pattern: `${P}/addRootCollectionAdmin`,
      apiVersions: PURVIEW_API_VERSIONS,
      handler: (req, p, ctx) => {
        const rec = getAccount(ctx, p);
        const objectId = String(bodyObject(req).objectId ?? '');
        const principal = ctx.directory.object(objectId);
        if (!principal || principal.tenantId.toLowerCase() !== (rec.identity.tenantId ?? callerOf(req).tenantId).toLowerCase()) {
          throw new ArmError(400, 'PrincipalNotFound', `Principal ${objectId} does not exist in the directory of this Purview account. Use an object id of a user or service principal in the same tenant.`);
        }
        const key = `${rec.id}/rootCollectionAdmins`;
        const admins = ctx.store.get<RootCollectionAdminsRecord>('purviewRootCollectionAdmins', key) ?? { objectIds: [] };
        if (!admins.objectIds.some((o) => o.toLowerCase() === objectId.toLowerCase())) {
          admins.objectIds.push(principal.objectId);
        }
        ctx.store.put('purviewRootCollectionAdmins', key, admins);
        return { status: 200 };
      },
    },
  ],
};
