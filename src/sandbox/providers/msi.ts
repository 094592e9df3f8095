/**
 * Microsoft.ManagedIdentity: user-assigned identities (api 2024-11-30 as @azure/arm-msi 2.2.0 sends
 * it, and the older stable ones). Each identity is a directory object of kind ManagedIdentity (so
 * role assignments to it work and tokens can be minted for it), removed with the resource.
 */
import { paginate, systemData } from '../core/arm';
import { ArmError, type ResourceProvider, type SandboxContext } from '../core/contract';
import { bodyObject, callerOf, normalizeLocation, tagsOf } from './common';

export const MSI_API_VERSIONS = ['2018-11-30', '2023-01-31', '2023-07-31-preview', '2024-11-30', '2025-01-31-preview'];

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

interface IdentityRecord {
  id: string;
  name: string;
  type: 'Microsoft.ManagedIdentity/userAssignedIdentities';
  location: string;
  tags?: Record<string, string>;
  systemData: Record<string, string>;
  properties: { tenantId: string; principalId: string; clientId: string; isolationScope: 'None' | 'Regional' };
}

const ROUTE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities';

function identityId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${p.resourceName}`;
}

function list(ctx: SandboxContext, prefix: string): IdentityRecord[] {
  return ctx.store.list<IdentityRecord>('resources', prefix).filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities');
}

/** A user-assigned identity by resource id (case-insensitive), for other providers (storage). */
export function userAssignedIdentity(ctx: SandboxContext, id: string): IdentityRecord | undefined {
  const rec = ctx.resources.resource<IdentityRecord>(id);
  return rec?.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' ? rec : undefined;
}

export const msiProvider: ResourceProvider = {
  namespace: 'Microsoft.ManagedIdentity',
  routes: [
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities',
      apiVersions: MSI_API_VERSIONS,
      handler: (req, p, ctx) => ({ status: 200, body: paginate(req, list(ctx, `/subscriptions/${p.subscriptionId}/`)) }),
    },
    {
      methods: ['GET'],
      pattern: ROUTE,
      apiVersions: MSI_API_VERSIONS,
      handler: (req, p, ctx) => ({ status: 200, body: paginate(req, list(ctx, `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/`)) }),
    },
    {
      methods: ['GET'],
      pattern: `${ROUTE}/{resourceName}`,
      apiVersions: MSI_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const rec = ctx.store.get<IdentityRecord>('resources', identityId(p));
        if (!rec) throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${p.resourceName}' under resource group '${p.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
        return { status: 200, body: rec };
      },
    },
    {
      methods: ['PUT', 'PATCH'],
      pattern: `${ROUTE}/{resourceName}`,
      apiVersions: MSI_API_VERSIONS,
      handler: (req, p, ctx) => {
        if (!NAME_RE.test(p.resourceName)) {
          throw new ArmError(400, 'InvalidResourceName', `Resource name '${p.resourceName}' is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number, and be 3 to 128 characters long.`);
        }
        const id = identityId(p);
        const body = bodyObject(req);
        const existing = ctx.store.get<IdentityRecord>('resources', id);
        if (!existing && req.method === 'PATCH') throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${p.resourceName}' was not found.`);
        const tenantId = ctx.resources.subscription(p.subscriptionId)?.tenantId ?? callerOf(req).tenantId;
        const mi = ctx.directory.ensureManagedIdentity(tenantId, id, p.resourceName);
        const now = ctx.clock.now();
        const tags = tagsOf(body);
        const rec: IdentityRecord = {
          id,
          name: existing?.name ?? p.resourceName,
          type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
          location: existing?.location ?? normalizeLocation(body.location),
          ...(tags ?? existing?.tags ? { tags: tags ?? existing?.tags } : {}),
          systemData: existing ? systemData(callerOf(req), new Date(existing.systemData.createdAt), now, { name: existing.systemData.createdBy, type: existing.systemData.createdByType }) : systemData(req.principal, now),
          properties: { tenantId, principalId: mi.objectId, clientId: mi.appId ?? mi.objectId, isolationScope: 'None' },
        };
        ctx.store.put('resources', id, rec);
        return { status: existing ? 200 : 201, body: rec };
      },
    },
    {
      methods: ['DELETE'],
      pattern: `${ROUTE}/{resourceName}`,
      apiVersions: MSI_API_VERSIONS,
      handler: async (_req, p, ctx) => {
        const id = identityId(p);
        if (!ctx.store.get('resources', id)) return { status: 204 };
        ctx.directory.deleteManagedIdentity(id);
        await ctx.deleteTree(id);
        return { status: 200 };
      },
    },
  ],
};
