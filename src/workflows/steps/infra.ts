/**
 * Steps 1–3 of the recipe, for each tenant: resource providers, resource group, StorageV2 account
 * (Standard_LRS, hierarchical namespace, TLS 1.2, no public blob access), container, the signed-in
 * principal's Storage Blob Data Contributor (Owner has no data actions), sample data, the Data Share
 * account with its identity, and the Purview account with its identity's Storage Blob Data Reader.
 * Each reads first and writes only what is missing.
 */
import type { Step } from '../engine';
import type { RecipeEnv, SideEnv } from '../env';
import { UserFacingError } from '../errors';
import { accountRef, getOrUndefined, PROVIDER_NAMESPACES, rgPath, SAMPLE_FILES, storageId } from './common';

type S = Step<RecipeEnv>;
const side = (env: RecipeEnv, which: 'provider' | 'consumer'): SideEnv => env[which];

export function registerStep(which: 'provider' | 'consumer'): S {
  return {
    id: `${which}.register`,
    title: `Register resource providers (${which})`,
    dependsOn: [],
    side: which,
    plan: (env) => PROVIDER_NAMESPACES.map((ns) => ({ action: 'check' as const, tenantId: side(env, which).tenantId, resource: `subscription ${side(env, which).subscriptionId}/${ns}`, detail: 'registered when not yet' })),
    async execute(env, ctx) {
      const s = side(env, which);
      const res = s.clients.resources(s.subscriptionId);
      const done: string[] = [];
      await Promise.all(
        PROVIDER_NAMESPACES.map(async (ns) => {
          const before = await res.providers.get(ns, { abortSignal: ctx.signal });
          if (before.registrationState?.toLowerCase() === 'registered') return;
          ctx.report(`registering ${ns}`);
          await res.providers.register(ns, { abortSignal: ctx.signal, pollIntervalInMs: env.pollIntervalMs });
          done.push(ns);
        }),
      );
      return { changed: done.length > 0, summary: done.length ? `registered ${done.join(', ')}` : 'all providers already registered' };
    },
  };
}

export function storageStep(which: 'provider' | 'consumer'): S {
  return {
    id: `${which}.storage`,
    title: `Resource group, storage account and container (${which})`,
    dependsOn: [`${which}.register`],
    side: which,
    plan: (env) => {
      const s = side(env, which);
      return [
        { action: 'create', tenantId: s.tenantId, resource: s.plan.resourceGroup, detail: `resource group in ${env.plan.location}` },
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, s.plan.storageAccount), detail: 'StorageV2, Standard_LRS, hierarchical namespace, TLS 1.2, no public blob access', cost: 'Standard_LRS capacity (~0.02 USD per GB-month) and transactions' },
        { action: 'create', tenantId: s.tenantId, resource: rgPath(s, s.plan.storageAccount, s.plan.container), detail: 'blob container' },
      ];
    },
    async execute(env, ctx) {
      const s = side(env, which);
      const o = { abortSignal: ctx.signal };
      let changed = false;
      const rgs = s.clients.resources(s.subscriptionId).sdk.resourceGroups;
      const storage = s.clients.storage(s.subscriptionId);
      const rg = await getOrUndefined(() => rgs.get(s.plan.resourceGroup, o));
      let account = rg ? await getOrUndefined(() => storage.accounts.get(s.plan.resourceGroup, s.plan.storageAccount, o)) : undefined;
      if (!account) {
        // Checked before anything is created, so a taken name changes nothing.
        const avail = await storage.accounts.checkNameAvailability(s.plan.storageAccount, o);
        if (avail.nameAvailable === false) {
          throw new UserFacingError(`The storage account name '${s.plan.storageAccount}' is already taken${avail.message ? `: ${avail.message}` : '.'}`, 'Storage account names are global across Azure: choose another name in the plan.');
        }
      }
      if (!rg) {
        await rgs.createOrUpdate(s.plan.resourceGroup, { location: env.plan.location }, o);
        changed = true;
      }
      if (!account) {
        ctx.report(`creating storage account ${s.plan.storageAccount}`);
        account = await storage.accounts.createAndWait(
          s.plan.resourceGroup,
          s.plan.storageAccount,
          { location: env.plan.location, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, isHnsEnabled: true, minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false, enableHttpsTrafficOnly: true },
          o,
        );
        changed = true;
      }
      const container = await getOrUndefined(() => storage.containers.get(s.plan.resourceGroup, s.plan.storageAccount, s.plan.container, o));
      if (!container) {
        await storage.containers.create(s.plan.resourceGroup, s.plan.storageAccount, s.plan.container, { publicAccess: 'None' }, o);
        changed = true;
      }
      return { changed, summary: changed ? `storage ${s.plan.storageAccount}/${s.plan.container} ready` : 'storage already in place', resourceIds: [account.id ?? storageId(s)] };
    },
  };
}

/** The signed-in principal gets Storage Blob Data Contributor on its own account, to upload and read with its token. */
export function dataRoleStep(which: 'provider' | 'consumer'): S {
  return {
    id: `${which}.dataRole`,
    title: `Storage Blob Data Contributor for the signed-in principal (${which})`,
    dependsOn: [`${which}.storage`],
    side: which,
    plan: (env) => [{ action: 'create', tenantId: side(env, which).tenantId, resource: rgPath(side(env, which), side(env, which).plan.storageAccount), detail: 'role assignment: Storage Blob Data Contributor for you (Owner has no data actions)' }],
    async execute(env, ctx) {
      const s = side(env, which);
      const me = await s.principal();
      const r = await s.clients.authorization(s.subscriptionId).ensureRoleAssignment(
        { scope: storageId(s), role: 'StorageBlobDataContributor', principalId: me.objectId, principalType: me.kind, description: 'Governed Data Share: upload and read shared data' },
        { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 },
      );
      return { changed: r.created, summary: r.created ? `granted Storage Blob Data Contributor to ${me.name}` : `${me.name} already has Storage Blob Data Contributor`, resourceIds: r.assignment?.id ? [r.assignment.id] : [] };
    },
  };
}

export function uploadStep(): S {
  return {
    id: 'provider.upload',
    title: 'Upload sample data (provider)',
    dependsOn: ['provider.dataRole'],
    side: 'provider',
    plan: (env) => Object.keys(files(env)).map((f) => ({ action: 'create' as const, tenantId: env.provider.tenantId, resource: rgPath(env.provider, env.provider.plan.storageAccount, env.provider.plan.container, f), detail: 'blob (skipped when the same content is there)' })),
    async execute(env, ctx) {
      const s = env.provider;
      const blob = s.clients.blobForAccount(s.plan.storageAccount);
      const wanted = files(env);
      const existing = new Map<string, number>();
      for await (const b of blob.list(s.plan.container)) existing.set(b.name, b.size);
      let uploaded = 0;
      for (const [name, text] of Object.entries(wanted)) {
        ctx.throwIfCancelled();
        if (existing.get(name) === Buffer.byteLength(text)) continue;
        await blob.upload(s.plan.container, name, text, { abortSignal: ctx.signal, contentType: name.endsWith('.csv') ? 'text/csv' : 'application/octet-stream' });
        uploaded++;
      }
      return { changed: uploaded > 0, summary: uploaded ? `uploaded ${uploaded} file(s)` : 'data already uploaded' };
    },
  };
}

function files(env: RecipeEnv): Record<string, string> {
  return { ...(env.plan.share.sampleData ? SAMPLE_FILES : {}), ...(env.plan.share.files ?? {}) };
}

export function dataShareAccountStep(which: 'provider' | 'consumer'): S {
  return {
    id: `${which}.dataShareAccount`,
    title: `Data Share account (${which})`,
    dependsOn: [`${which}.storage`],
    side: which,
    plan: (env) => [{ action: 'create', tenantId: side(env, which).tenantId, resource: rgPath(side(env, which), side(env, which).plan.dataShareAccount), detail: 'Data Share account with a system-assigned identity', cost: 'Data Share bills per snapshot execution (~0.05 USD each) and data movement (~0.50 USD per vCore-hour)' }],
    async execute(env, ctx) {
      const s = side(env, which);
      const ds = s.clients.dataShare;
      const existing = await getOrUndefined(() => ds.accounts.get(accountRef(s), { abortSignal: ctx.signal }));
      if (existing && existing.properties?.provisioningState === 'Succeeded') return { changed: false, summary: 'Data Share account already in place', resourceIds: [existing.id ?? ''] };
      ctx.report(`creating Data Share account ${s.plan.dataShareAccount}`);
      const account = await ds.accounts.createOrUpdateAndWait(accountRef(s), { location: env.plan.location }, { abortSignal: ctx.signal });
      return { changed: true, summary: `Data Share account ${account.name} created (identity ${account.identity?.principalId ?? '?'})`, resourceIds: [account.id ?? ''] };
    },
  };
}

export function purviewStep(which: 'provider' | 'consumer'): S {
  return {
    id: `${which}.purview`,
    title: `Purview account and its Storage Blob Data Reader (${which})`,
    dependsOn: [`${which}.storage`],
    side: which,
    plan: (env) => {
      const s = side(env, which);
      return s.plan.purviewAccount
        ? [
            { action: 'create', tenantId: s.tenantId, resource: rgPath(s, s.plan.purviewAccount), detail: 'Microsoft Purview account with a system-assigned identity', cost: 'Purview Data Map: 1 capacity unit minimum, ~0.41 USD per CU-hour (~300 USD a month), plus scanning vCore-hours' },
            { action: 'create', tenantId: s.tenantId, resource: rgPath(s, s.plan.storageAccount), detail: "role assignment: Storage Blob Data Reader for the Purview account's identity" },
          ]
        : [];
    },
    async execute(env, ctx) {
      const s = side(env, which);
      const name = s.plan.purviewAccount;
      if (!name) return { changed: false, summary: 'no Purview account in the plan' };
      const o = { abortSignal: ctx.signal };
      const pv = s.clients.purview(s.subscriptionId);
      let account = await getOrUndefined(() => pv.accounts.get(s.plan.resourceGroup, name, o));
      let changed = false;
      if (!account || account.provisioningState !== 'Succeeded') {
        if (!account) {
          const avail = await pv.accounts.checkNameAvailability(name, o);
          if (avail.nameAvailable === false) throw new UserFacingError(`The Purview account name '${name}' is not available${avail.message ? `: ${avail.message}` : '.'}`, 'Choose another purviewAccount name in the plan.');
        }
        ctx.report(`creating Purview account ${name}`);
        account = await pv.accounts.createAndWait(s.plan.resourceGroup, name, { location: env.plan.location }, o);
        changed = true;
      }
      const principalId = account.identity?.principalId;
      if (!principalId) throw new UserFacingError(`The Purview account ${name} has no managed identity.`, 'Recreate it with a system-assigned identity.');
      const role = await s.clients.authorization(s.subscriptionId).ensureRoleAssignment(
        { scope: storageId(s), role: 'StorageBlobDataReader', principalId, principalType: 'ServicePrincipal', description: 'Purview scans the storage account' },
        { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 },
      );
      changed ||= role.created;
      return { changed, summary: changed ? `Purview ${name} ready; its identity reads ${s.plan.storageAccount}` : 'Purview already in place', resourceIds: [account.id ?? ''] };
    },
  };
}
