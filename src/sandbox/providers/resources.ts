/**
 * Microsoft.Resources: tenants, subscriptions, locations, resource groups (delete is a long-running
 * cascade), generic resource listing and resource provider registration.
 */
import { ArmError, type ResourceProvider, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../core/contract';
import { paginate } from '../core/arm';
import { internals } from '../core/server';
import { authorizationFailed } from '../core/rbac';
import { bodyObject, callerOf, isTopLevelResourceId, LOCATIONS, normalizeLocation, tagsOf } from './common';

/** api-versions of Microsoft.Resources that the SDKs send (arm-resources 7.0.0: 2025-04-01; subscriptions clients: 2016-06-01..2022-12-01). */
export const RESOURCES_API_VERSIONS = [
  '2016-06-01',
  '2018-05-01',
  '2019-05-01',
  '2019-10-01',
  '2020-01-01',
  '2020-06-01',
  '2021-01-01',
  '2021-04-01',
  '2022-09-01',
  '2022-12-01',
  '2023-07-01',
  '2024-03-01',
  '2024-07-01',
  '2024-11-01',
  '2025-01-01',
  '2025-03-01',
  '2025-04-01',
];

export interface ResourceGroupResource {
  id: string;
  name: string;
  type: 'Microsoft.Resources/resourceGroups';
  location: string;
  tags?: Record<string, string>;
  managedBy?: string;
  properties: { provisioningState: 'Succeeded' | 'Deleting' };
}

const RG_NAME = /^[-\w._()]{1,90}$/u;

function rgId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
}

function subscriptionBody(s: { subscriptionId: string; tenantId: string; displayName: string }) {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

function getRg(ctx: SandboxContext, subscriptionId: string, name: string): ResourceGroupResource {
  const rg = ctx.store.get<ResourceGroupResource>('resources', rgId(subscriptionId, name));
  if (!rg) {
    throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
  }
  return rg;
}

/** Provider metadata derived from the routes each provider registers. */
function providerInfo(ctx: SandboxContext, subscriptionId: string, provider: ResourceProvider) {
  const ns = provider.namespace as string;
  const types = new Map<string, Set<string>>();
  for (const route of provider.routes) {
    const segs = route.pattern.split('/').filter((s) => s.length > 0);
    const p = segs.map((s) => s.toLowerCase()).lastIndexOf('providers');
    if (p < 0 || segs[p + 1]?.toLowerCase() !== ns.toLowerCase()) {
      continue;
    }
    const rest = segs.slice(p + 2).filter((_, i) => i % 2 === 0 && !_.startsWith('{'));
    if (rest.length === 0) {
      continue;
    }
    const type = rest.join('/');
    const set = types.get(type) ?? new Set<string>();
    (route.apiVersions ?? []).forEach((v) => set.add(v));
    types.set(type, set);
  }
  const state = internals(ctx).registrationState(subscriptionId, ns);
  return {
    id: `/subscriptions/${subscriptionId}/providers/${ns}`,
    namespace: ns,
    registrationState: state,
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: [...types.entries()].map(([resourceType, versions]) => ({
      resourceType,
      locations: LOCATIONS.map((l) => l.displayName),
      apiVersions: [...versions].sort().reverse(),
      capabilities: 'None',
    })),
  };
}

function findProvider(ctx: SandboxContext, namespace: string): ResourceProvider {
  const p = internals(ctx)
    .providers()
    .find((x) => x.namespace?.toLowerCase() === namespace.toLowerCase());
  if (!p) {
    throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
  }
  return p;
}

function canRead(ctx: SandboxContext, req: SandboxRequest, scope: string, action: string): boolean {
  return ctx.authorization.isAllowed(callerOf(req).objectId, action, scope);
}

export const resourcesProvider: ResourceProvider = {
  namespace: 'Microsoft.Resources',
  routes: [
    {
      methods: ['GET'],
      pattern: '/tenants',
      apiVersions: RESOURCES_API_VERSIONS,
      authorize: false,
      handler: (req, _p, ctx) => {
        const caller = callerOf(req);
        const tenants = ctx.directory.tenants().filter((t) => t.tenantId.toLowerCase() === caller.tenantId.toLowerCase());
        const value = tenants.map((t) => ({
          id: `/tenants/${t.tenantId}`,
          tenantId: t.tenantId,
          tenantCategory: 'Home',
          countryCode: 'US',
          displayName: t.displayName,
          domains: [t.domain],
          defaultDomain: t.domain,
          tenantType: 'AAD',
        }));
        return { status: 200, body: paginate(req, value) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions',
      apiVersions: RESOURCES_API_VERSIONS,
      authorize: false,
      handler: (req, _p, ctx) => {
        const caller = callerOf(req);
        const core = internals(ctx);
        const subs = core.directory
          .subscriptions(caller.tenantId)
          .filter((s) => core.authorization.hasAnyRoleWithin(caller.objectId, `/subscriptions/${s.subscriptionId}`));
        return { status: 200, body: paginate(req, subs.map(subscriptionBody)) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}',
      apiVersions: RESOURCES_API_VERSIONS,
      authorize: false,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        const core = internals(ctx);
        const sub = core.directory.subscription(p.subscriptionId);
        if (!sub || !core.authorization.hasAnyRoleWithin(caller.objectId, `/subscriptions/${sub.subscriptionId}`)) {
          throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${p.subscriptionId}' could not be found.`);
        }
        return { status: 200, body: subscriptionBody(sub) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/locations',
      apiVersions: RESOURCES_API_VERSIONS,
      authorize: false,
      handler: (req, p) => ({
        status: 200,
        body: {
          value: LOCATIONS.map((l) => ({
            id: `/subscriptions/${p.subscriptionId}/locations/${l.name}`,
            name: l.name,
            displayName: l.displayName,
            regionalDisplayName: l.regionalDisplayName,
            type: 'Region',
            metadata: { regionType: 'Physical', regionCategory: 'Recommended' },
          })),
        },
      }),
    },

    // ---- resource groups ----
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourcegroups',
      apiVersions: RESOURCES_API_VERSIONS,
      authorize: false,
      handler: (req, p, ctx) => {
        const all = ctx.store.list<ResourceGroupResource>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/`).filter((r) => r.type === 'Microsoft.Resources/resourceGroups');
        const action = 'Microsoft.Resources/subscriptions/resourceGroups/read';
        const visible = all.filter((rg) => canRead(ctx, req, rg.id, action));
        if (visible.length === 0 && !canRead(ctx, req, `/subscriptions/${p.subscriptionId}`, action)) {
          throw authorizationFailed(callerOf(req), action, `/subscriptions/${p.subscriptionId}`);
        }
        return { status: 200, body: paginate(req, applyTagFilter(req, visible)) };
      },
    },
    {
      methods: ['HEAD'],
      pattern: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: ctx.store.get('resources', rgId(p.subscriptionId, p.resourceGroupName)) ? 204 : 404 }),
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: 200, body: getRg(ctx, p.subscriptionId, p.resourceGroupName) }),
    },
    {
      methods: ['PUT'],
      pattern: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (req, p, ctx): SandboxResponse => {
        const name = p.resourceGroupName;
        if (!RG_NAME.test(name) || name.endsWith('.')) {
          throw new ArmError(
            400,
            'InvalidResourceGroupName',
            `The resource group name '${name}' is invalid. It can contain up to 90 letters, digits, underscores, periods, hyphens and parentheses, and cannot end in a period.`,
          );
        }
        const body = bodyObject(req);
        const location = normalizeLocation(body.location);
        const tags = tagsOf(body);
        const id = rgId(p.subscriptionId, name);
        const existing = ctx.store.get<ResourceGroupResource>('resources', id);
        if (existing) {
          if (existing.properties.provisioningState === 'Deleting') {
            throw new ArmError(409, 'ResourceGroupBeingDeleted', `The resource group '${existing.name}' is in deprovisioning state and cannot perform this operation. Wait for the delete to finish, then create it again.`);
          }
          if (existing.location !== location) {
            throw new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`);
          }
          const updated: ResourceGroupResource = { ...existing, tags: tags ?? existing.tags };
          ctx.store.put('resources', id, updated);
          return { status: 200, body: updated };
        }
        const rg: ResourceGroupResource = { id, name, type: 'Microsoft.Resources/resourceGroups', location, properties: { provisioningState: 'Succeeded' } };
        if (tags) {
          rg.tags = tags;
        }
        if (typeof body.managedBy === 'string') {
          rg.managedBy = body.managedBy;
        }
        ctx.store.put('resources', id, rg);
        return { status: 201, body: rg };
      },
    },
    {
      methods: ['PATCH'],
      pattern: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (req, p, ctx) => {
        const rg = getRg(ctx, p.subscriptionId, p.resourceGroupName);
        const tags = tagsOf(bodyObject(req));
        const updated = { ...rg, tags: tags ?? rg.tags };
        ctx.store.put('resources', rg.id, updated);
        return { status: 200, body: updated };
      },
    },
    {
      methods: ['DELETE'],
      pattern: '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (req, p, ctx) => {
        const rg = getRg(ctx, p.subscriptionId, p.resourceGroupName);
        if (rg.properties.provisioningState !== 'Deleting') {
          ctx.store.put('resources', rg.id, { ...rg, properties: { provisioningState: 'Deleting' } });
        }
        // ARM answers 202 + Location; the cascade (every collection, managed identities, Azurite data) runs in the background.
        return ctx.operations.start(req, {
          status: 202,
          resourceId: rg.id,
          locationOnly: true,
          work: async () => {
            await ctx.deleteTree(rg.id);
            return undefined;
          },
        });
      },
    },

    // ---- generic resource listing ----
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/resources',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (req, p, ctx) => {
        const prefix = rgId(p.subscriptionId, p.resourceGroupName) + '/providers/';
        const items = ctx.store.list<{ id: string }>('resources', prefix).filter((r) => isTopLevelResourceId(r.id));
        return { status: 200, body: paginate(req, applyTagFilter(req, items.map(genericView))) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resources',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (req, p, ctx) => {
        const items = ctx.store.list<{ id: string }>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/`).filter((r) => isTopLevelResourceId(r.id));
        return { status: 200, body: paginate(req, applyTagFilter(req, items.map(genericView))) };
      },
    },

    // ---- provider registration ----
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (req, p, ctx) => {
        const list = internals(ctx)
          .providers()
          .filter((x) => x.namespace)
          .map((x) => providerInfo(ctx, p.subscriptionId, x));
        return { status: 200, body: paginate(req, list) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: 200, body: providerInfo(ctx, p.subscriptionId, findProvider(ctx, p.resourceProviderNamespace)) }),
    },
    {
      methods: ['POST'],
      pattern: '/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const provider = findProvider(ctx, p.resourceProviderNamespace);
        internals(ctx).setRegistrationState(p.subscriptionId, provider.namespace as string, 'Registered');
        return { status: 200, body: providerInfo(ctx, p.subscriptionId, provider) };
      },
    },
    {
      methods: ['POST'],
      pattern: '/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/unregister',
      apiVersions: RESOURCES_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const provider = findProvider(ctx, p.resourceProviderNamespace);
        internals(ctx).setRegistrationState(p.subscriptionId, provider.namespace as string, 'NotRegistered');
        return { status: 200, body: providerInfo(ctx, p.subscriptionId, provider) };
      },
    },
  ],
};

function genericView(r: { id: string } & Record<string, unknown>) {
  const { id, name, type, location, tags, kind, sku, identity, managedBy } = r as Record<string, unknown>;
  return Object.fromEntries(Object.entries({ id, name, type, location, tags, kind, sku, identity, managedBy }).filter(([, v]) => v !== undefined));
}

/** Supports `$filter=tagName eq 'x' and tagValue eq 'y'` (the only filter ARM allows on these lists besides resourceType). */
function applyTagFilter<T>(req: SandboxRequest, items: T[]): T[] {
  const filter = req.query.get('$filter');
  if (!filter) {
    return items;
  }
  const name = /tagName\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
  const value = /tagValue\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
  const type = /resourceType\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
  return items.filter((item) => {
    const rec = item as { tags?: Record<string, string>; type?: string };
    if (type && rec.type?.toLowerCase() !== type.toLowerCase()) {
      return false;
    }
    if (name) {
      const v = Object.entries(rec.tags ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
      if (v === undefined || (value !== undefined && v !== value)) {
        return false;
      }
    }
    return true;
  });
}
