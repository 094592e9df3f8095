/**
 * Prompt steps the workflow wizards share: tenants, subscriptions, resource groups, storage
 * accounts, containers, Data Share accounts, Purview accounts, shares, share subscriptions and
 * names checked as you type with Azure's rules. Lists are read through the connection's clients
 * (read-only); nothing here changes anything.
 */
import * as vscode from 'vscode';
import type { AzureClients } from '../../azure';
import { UserFacingError } from '../../workflows/errors';
import { futureDate, rules } from '../../workflows/validate';
import type { Connection } from '../connection';
import { resourceGroupOf } from '../treeNodes';
import type { PickItem, PromptStep, WizardContext } from './wizard';

export type Side = 'p' | 'c';
export const SIDE_NAME: Record<Side, 'provider' | 'consumer'> = { p: 'provider', c: 'consumer' };
const NEW = '\u0000new';

export interface PromptDeps {
  connection: Connection;
}

/** The segments of an ARM id as a map (`subscriptions` → id, `resourcegroups` → name, …; keys lower case). */
export function parseArmId(id: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = (id ?? '').split('/').filter(Boolean);
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i].toLowerCase()] = parts[i + 1];
  return out;
}

/** The connected tenant a subscription belongs to (from the connection, else the last discovery). */
export function tenantOfSubscription(deps: PromptDeps, subscriptionId: string | undefined): string | undefined {
  if (!subscriptionId) return undefined;
  const lower = subscriptionId.toLowerCase();
  const fromInfo = deps.connection.info?.tenants.find((t) => t.subscriptions.some((s) => s.subscriptionId.toLowerCase() === lower));
  if (fromInfo) return fromInfo.tenantId;
  const last = deps.connection.azure().lastDiscovery;
  return last?.tenants.find((t) => t.subscriptions.some((s) => s.subscriptionId.toLowerCase() === lower))?.tenant.tenantId;
}

export type Ctx = WizardContext;
export const str = (ctx: Ctx, key: string): string | undefined => (typeof ctx[key] === 'string' && ctx[key] !== '' ? (ctx[key] as string) : undefined);
export const key = (side: Side, name: string) => `${side}${name}`;

/** A short lowercase slug of the tenant's name, for default resource names. */
export function tenantSlug(deps: PromptDeps, tenantId: string | undefined): string {
  const t = deps.connection.info?.tenants.find((x) => x.tenantId === tenantId);
  const slug = (t?.displayName ?? 'data').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 10);
  return slug.length >= 2 ? slug : 'data';
}

export function tenantName(deps: PromptDeps, tenantId: string | undefined): string {
  return deps.connection.info?.tenants.find((x) => x.tenantId === tenantId)?.displayName ?? tenantId ?? '?';
}

export async function clientsFor(deps: PromptDeps, tenantId: string): Promise<AzureClients> {
  return deps.connection.azure().clients(tenantId);
}

async function collect<T>(it: { collect(o?: { max?: number }): Promise<{ items: T[] }> }): Promise<T[]> {
  return (await it.collect({ max: 500 })).items;
}

function need(ctx: Ctx, k: string): string {
  const v = str(ctx, k);
  if (!v) throw new UserFacingError(`'${k}' is needed first.`);
  return v;
}

export function tenantStep(deps: PromptDeps, side: Side, options: { exclude?: Side; label?: string } = {}): PromptStep {
  return {
    key: key(side, 'Tenant'),
    validate: (v) => (typeof v === 'string' && !rules.guid(v) ? undefined : `Tenant '${String(v)}' is not a tenant id.`),
    prompt: async (ctx, ui) => {
      const discovery = await deps.connection.discovery();
      const other = options.exclude ? str(ctx, key(options.exclude, 'Tenant')) : undefined;
      const items: PickItem<string>[] = discovery.tenants
        .filter((t) => t.state === 'signedIn')
        .map((t) => ({ label: t.tenant.displayName, description: t.tenant.domain, detail: t.tenant.tenantId, value: t.tenant.tenantId }))
        .sort((a, b) => Number(a.value === other) - Number(b.value === other));
      if (items.length === 0) throw new UserFacingError('No signed-in tenant.', 'Sign in to Azure or connect to the local sandbox first.');
      return ui.pick(items, options.label ?? `The ${SIDE_NAME[side]} tenant`);
    },
  };
}

export function subscriptionStep(deps: PromptDeps, side: Side): PromptStep {
  return {
    key: key(side, 'Sub'),
    validate: (v) => (typeof v === 'string' && !rules.guid(v) ? undefined : `Subscription '${String(v)}' is not a subscription id.`),
    prompt: async (ctx, ui) => {
      const tenantId = need(ctx, key(side, 'Tenant'));
      const discovery = await deps.connection.discovery();
      const subs = discovery.tenants.find((t) => t.tenant.tenantId === tenantId)?.subscriptions ?? [];
      if (subs.length === 0) throw new UserFacingError(`${tenantName(deps, tenantId)} has no subscription you can use.`, 'Check the subscription filter (Select Tenants and Subscriptions…) or your access.');
      if (subs.length === 1) return subs[0].subscriptionId;
      return ui.pick(subs.map((s) => ({ label: s.displayName, detail: s.subscriptionId, value: s.subscriptionId })), `Subscription in ${tenantName(deps, tenantId)}`);
    },
  };
}

/** Existing resource group, or a new one (name checked as you type). */
export function resourceGroupStep(deps: PromptDeps, side: Side, allowNew: boolean): PromptStep {
  return {
    key: key(side, 'Rg'),
    validate: (v) => rules.resourceGroup(String(v)),
    prompt: async (ctx, ui) => {
      const tenantId = need(ctx, key(side, 'Tenant'));
      const sub = need(ctx, key(side, 'Sub'));
      const load = async () => {
        const groups = await collect((await clientsFor(deps, tenantId)).resources(sub).resourceGroups.list());
        const items: PickItem<{ name: string; location?: string }>[] = groups.map((g) => ({ label: g.name ?? '', description: g.location, value: { name: g.name ?? '', location: g.location } }));
        return allowNew ? [{ label: '$(add) Create new resource group…', value: { name: NEW }, alwaysShow: true }, ...items] : items;
      };
      const picked = await ui.pick(load(), `Resource group (${SIDE_NAME[side]})`);
      if (picked.name !== NEW) {
        // New resources go where their resource group is.
        if (ctx.location === undefined && picked.location) ctx.location = picked.location;
        return picked.name;
      }
      ctx[key(side, 'RgNew')] = true;
      return ui.input({ prompt: 'Name of the new resource group', value: `${tenantSlug(deps, tenantId)}-${side === 'p' ? 'sharing' : 'receiving'}`, validate: rules.resourceGroup });
    },
  };
}

export function locationStep(): PromptStep {
  return {
    key: 'location',
    validate: (v) => rules.location(String(v)),
    prompt: async (_ctx, ui) => ui.input({ prompt: 'Azure region for new resources', value: vscode.workspace.getConfiguration('governedDataShare').get<string>('defaultLocation') || 'westeurope', validate: rules.location }),
  };
}

/** Storage accounts in the side's resource group (the recipe keeps storage beside its Data Share account). */
export function storageStep(deps: PromptDeps, side: Side, allowNew: boolean): PromptStep {
  return {
    key: key(side, 'Storage'),
    validate: (v) => rules.storageAccount(String(v)),
    prompt: async (ctx, ui) => {
      const tenantId = need(ctx, key(side, 'Tenant'));
      const sub = need(ctx, key(side, 'Sub'));
      const rg = str(ctx, key(side, 'Rg'));
      const suggested = `${tenantSlug(deps, tenantId)}${side === 'p' ? 'share' : 'land'}${Math.floor(1000 + Math.random() * 9000)}`.slice(0, 24);
      const askNew = () => ui.input({ prompt: 'Name of the new storage account (3–24 lowercase letters and digits, unique across Azure)', value: suggested, validate: rules.storageAccount });
      if (ctx[key(side, 'RgNew')]) return askNew();
      const load = async () => {
        const storage = (await clientsFor(deps, tenantId)).storage(sub);
        const accounts = await collect(rg ? storage.accounts.listByResourceGroup(rg) : storage.accounts.list());
        const items: PickItem<{ name: string; rg: string }>[] = accounts.map((a) => ({ label: a.name ?? '', description: `${resourceGroupOf(a.id)} · ${a.kind ?? ''}${a.isHnsEnabled ? ' · HNS' : ''}`, value: { name: a.name ?? '', rg: resourceGroupOf(a.id) } }));
        return allowNew ? [{ label: '$(add) Create new storage account…', value: { name: NEW, rg: '' }, alwaysShow: true }, ...items] : items;
      };
      const picked = await ui.pick(load(), `Storage account (${SIDE_NAME[side]})`);
      if (picked.name !== NEW) {
        if (!rg) ctx[key(side, 'Rg')] = picked.rg;
        return picked.name;
      }
      ctx[key(side, 'StorageNew')] = true;
      return askNew();
    },
  };
}

export function containerStep(deps: PromptDeps, side: Side, allowNew: boolean): PromptStep {
  return {
    key: key(side, 'Container'),
    validate: (v) => rules.container(String(v)),
    prompt: async (ctx, ui) => {
      const suggested = side === 'p' ? 'shared' : 'landing';
      const askNew = () => ui.input({ prompt: 'Name of the blob container', value: suggested, validate: rules.container });
      if (ctx[key(side, 'StorageNew')] || ctx[key(side, 'RgNew')]) return askNew();
      const tenantId = need(ctx, key(side, 'Tenant'));
      const load = async () => {
        const containers = await collect((await clientsFor(deps, tenantId)).storage(need(ctx, key(side, 'Sub'))).containers.list(need(ctx, key(side, 'Rg')), need(ctx, key(side, 'Storage'))));
        const items: PickItem<string>[] = containers.map((c) => ({ label: c.name ?? '', value: c.name ?? '' }));
        return allowNew ? [{ label: '$(add) New container…', value: NEW, alwaysShow: true }, ...items] : items;
      };
      const picked = await ui.pick(load(), `Container in ${need(ctx, key(side, 'Storage'))}`);
      return picked === NEW ? askNew() : picked;
    },
  };
}

/** A Data Share account: existing ones anywhere in the subscription (sets the resource group), or a new name. */
export function dataShareAccountStep(deps: PromptDeps, side: Side, allowNew: boolean): PromptStep {
  return {
    key: key(side, 'DsAccount'),
    validate: (v) => rules.dataShareAccount(String(v)),
    prompt: async (ctx, ui) => {
      const tenantId = need(ctx, key(side, 'Tenant'));
      const sub = need(ctx, key(side, 'Sub'));
      const askNew = () => ui.input({ prompt: 'Name of the new Data Share account', value: `${tenantSlug(deps, tenantId)}-share`, validate: rules.dataShareAccount });
      if (allowNew && ctx[key(side, 'RgNew')]) return askNew();
      const rg = str(ctx, key(side, 'Rg'));
      const load = async () => {
        const accounts = await collect((await clientsFor(deps, tenantId)).dataShare.accounts.listBySubscription(sub));
        const items: PickItem<{ name: string; rg: string }>[] = accounts
          .filter((a) => !rg || resourceGroupOf(a.id).toLowerCase() === rg.toLowerCase())
          .map((a) => ({ label: a.name ?? '', description: `${resourceGroupOf(a.id)} · ${a.location ?? ''}`, value: { name: a.name ?? '', rg: resourceGroupOf(a.id) } }));
        if (!allowNew && items.length === 0) throw new UserFacingError(`No Data Share account in ${tenantName(deps, tenantId)}${rg ? ` (resource group ${rg})` : ''}.`, `Run "Provision ${side === 'p' ? 'Provider' : 'Consumer'}…" first.`);
        return allowNew ? [{ label: '$(add) Create new Data Share account…', value: { name: NEW, rg: '' }, alwaysShow: true }, ...items] : items;
      };
      const picked = await ui.pick(load(), `Data Share account (${SIDE_NAME[side]})`);
      if (picked.name === NEW) return askNew();
      if (!rg) ctx[key(side, 'Rg')] = picked.rg;
      return picked.name;
    },
  };
}

/** A Purview account in the subscription, a new one (allowNew), or none (null). */
export function purviewStep(deps: PromptDeps, side: Side, allowNew: boolean): PromptStep {
  return {
    key: key(side, 'Purview'),
    validate: (v) => (v === null || v === '' ? undefined : rules.purviewAccount(String(v))),
    prompt: async (ctx, ui) => {
      const tenantId = need(ctx, key(side, 'Tenant'));
      const sub = need(ctx, key(side, 'Sub'));
      const load = async () => {
        const accounts = await collect((await clientsFor(deps, tenantId)).purview(sub).accounts.list()).catch(() => []);
        const items: PickItem<string | null>[] = accounts.map((a) => ({ label: a.name ?? '', description: resourceGroupOf(a.id), value: a.name ?? '' }));
        return [
          ...(allowNew ? [{ label: '$(add) Create new Purview account…', description: 'about 300 USD a month', value: NEW as string | null, alwaysShow: true }] : []),
          ...items,
          { label: 'No Purview', description: 'no scans, classifications or lineage in this tenant', value: null, alwaysShow: true },
        ];
      };
      const picked = await ui.pick(load(), `Microsoft Purview account (${SIDE_NAME[side]})`);
      if (picked !== NEW) return picked;
      return ui.input({ prompt: 'Name of the new Purview account', value: `${tenantSlug(deps, tenantId)}-purview`, validate: rules.purviewAccount });
    },
  };
}

/** An existing sent share of the provider's account, or (allowNew) a new name not taken yet. */
export function shareStep(deps: PromptDeps, mode: 'existing' | 'new'): PromptStep {
  return {
    key: 'shareName',
    validate: (v) => rules.dataShareName(String(v)),
    prompt: async (ctx, ui) => {
      const tenantId = need(ctx, 'pTenant');
      const ref = { subscriptionId: need(ctx, 'pSub'), resourceGroupName: need(ctx, 'pRg'), accountName: need(ctx, 'pDsAccount') };
      const existing = collect((await clientsFor(deps, tenantId)).dataShare.shares.listByAccount(ref));
      if (mode === 'new') {
        const taken = new Set((await existing).map((s) => (s.name ?? '').toLowerCase()));
        return ui.input({ prompt: 'Name of the new share', value: 'monthly-sales', validate: (v) => rules.dataShareName(v) ?? (taken.has(v.toLowerCase()) ? `A share named '${v}' already exists in ${ref.accountName}.` : undefined) });
      }
      const items = (await existing).map((s) => ({ label: s.name ?? '', description: s.properties?.description, value: s.name ?? '' }));
      if (items.length === 0) throw new UserFacingError(`${ref.accountName} has no shares yet.`, 'Run "Create Share…" first.');
      return ui.pick(items, `Share in ${ref.accountName}`);
    },
  };
}

/** An existing share subscription (received share) of the consumer's account. */
export function receivedShareStep(deps: PromptDeps): PromptStep {
  return {
    key: 'subscriptionName',
    validate: (v) => rules.dataShareName(String(v)),
    prompt: async (ctx, ui) => {
      const ref = { subscriptionId: need(ctx, 'cSub'), resourceGroupName: need(ctx, 'cRg'), accountName: need(ctx, 'cDsAccount') };
      const subs = await collect((await clientsFor(deps, need(ctx, 'cTenant'))).dataShare.shareSubscriptions.listByAccount(ref));
      if (subs.length === 0) throw new UserFacingError(`${ref.accountName} has received no shares yet.`, 'Run "Accept Invitation…" first.');
      return ui.pick(subs.map((s) => ({ label: s.name ?? '', description: [s.properties?.shareName, s.properties?.shareSubscriptionStatus].filter(Boolean).join(' · '), detail: s.properties?.providerTenantName ? `from ${s.properties.providerName ?? ''} (${s.properties.providerTenantName})` : undefined, value: s.name ?? '' })), `Received share in ${ref.accountName}`);
    },
  };
}

/** A free-text name with Azure's rule and a default. */
export function nameStep(k: string, prompt: string, check: (v: string) => string | undefined, suggest: (ctx: Ctx) => string, options: { shouldPrompt?: (ctx: Ctx) => boolean } = {}): PromptStep {
  return { key: k, validate: (v) => check(String(v)), shouldPrompt: options.shouldPrompt, prompt: (ctx, ui) => ui.input({ prompt, value: suggest(ctx), validate: check }) };
}

/** Optional text (empty is fine): description, terms of use, justification. */
export function textStep(k: string, prompt: string, options: { value?: (ctx: Ctx) => string; shouldPrompt?: (ctx: Ctx) => boolean; required?: string } = {}): PromptStep {
  const check = (v: string) => (options.required && !v.trim() ? options.required : undefined);
  return { key: k, shouldPrompt: options.shouldPrompt, validate: (v) => (typeof v === 'string' ? check(v) : undefined), prompt: (ctx, ui) => ui.input({ prompt, value: options.value?.(ctx) ?? '', validate: check }) };
}

/** An ISO date in the future, optional unless `required`. */
export function dateStep(k: string, prompt: string, required: boolean): PromptStep {
  const check = (v: string) => (!v && !required ? undefined : futureDate(v));
  return {
    key: k,
    validate: (v) => (v === null || v === '' ? (required ? 'An expiry date is required.' : undefined) : futureDate(String(v))),
    prompt: async (_ctx, ui) => (await ui.input({ prompt, placeholder: 'YYYY-MM-DD (UTC)', value: required ? new Date(Date.now() + 90 * 86400_000).toISOString().slice(0, 10) : '', validate: check })) || null,
  };
}

export function choiceStep<T>(k: string, placeholder: string, items: Array<PickItem<T>>, options: { shouldPrompt?: (ctx: Ctx) => boolean } = {}): PromptStep {
  return { key: k, shouldPrompt: options.shouldPrompt, prompt: (_ctx, ui) => ui.pick(items, placeholder) };
}
