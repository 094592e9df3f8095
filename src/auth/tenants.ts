/**
 * Accounts → tenants → subscriptions, for any TokenSource. `discoverTenants` asks each account
 * for its tenants, merges them (a tenant two accounts can reach appears once), applies the
 * person's filter, then lists each tenant's subscriptions on its own, so one tenant failing
 * (locked, MFA, no access) or needing a fresh sign-in never hides the others.
 * Pure logic plus a TenantDirectory interface; the ARM implementation is in ./armDirectory.
 */
import { isNotSignedInError, type AuthAccount } from './tokenSource';

export interface TenantInfo {
  tenantId: string;
  displayName: string;
  /** Default domain, e.g. `contoso.onmicrosoft.com` ('' when unknown). */
  domain: string;
}

export interface SubscriptionInfo {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state?: string;
}

/** Lists what an account can see. Implementations: ARM (Azure, or the sandbox's ARM) and a sandbox.json. */
export interface TenantDirectory {
  accounts(): Promise<AuthAccount[]>;
  /** Tenants an account belongs to (ARM: GET /tenants with a home-tenant token). */
  tenants(account: AuthAccount): Promise<TenantInfo[]>;
  /** Subscriptions of one tenant (ARM: GET /subscriptions with a token for that tenant). */
  subscriptions(tenantId: string, account: AuthAccount): Promise<SubscriptionInfo[]>;
}

export type TenantState = 'signedIn' | 'signInRequired' | 'error';

/** One tenant as the views show it. */
export interface TenantStatus {
  tenant: TenantInfo;
  /** The account used for this tenant (the first that reaches it). */
  account: AuthAccount;
  /** Every account that reaches it. */
  accounts: AuthAccount[];
  state: TenantState;
  /** Filtered subscriptions when signed in. */
  subscriptions: SubscriptionInfo[];
  /** Subscriptions before filtering (for the filter picker). */
  allSubscriptions: SubscriptionInfo[];
  error?: unknown;
}

/** An account whose tenants could not be listed at all (its home session is gone, say). */
export interface AccountProblem {
  account: AuthAccount;
  state: 'signInRequired' | 'error';
  error: unknown;
}

export interface Discovery {
  accounts: AuthAccount[];
  tenants: TenantStatus[];
  /** Tenants hidden by the filter (still listed in the filter picker). */
  hiddenTenants: Array<{ tenant: TenantInfo; account: AuthAccount }>;
  accountProblems: AccountProblem[];
}

/** What the person chose to see. Empty lists mean "everything". Persisted (see ../ui/authFilter). */
export interface TenantFilter {
  /** Tenant ids to show. */
  tenants: string[];
  /** `tenantId/subscriptionId` pairs to show; a tenant with none listed shows all its subscriptions. */
  subscriptions: string[];
}

export const EMPTY_FILTER: TenantFilter = Object.freeze({ tenants: [], subscriptions: [] }) as TenantFilter;

const lower = (s: string) => s.toLowerCase();

/** Reads a stored filter defensively (older or hand-edited values). */
export function parseFilter(value: unknown): TenantFilter {
  const obj = (value ?? {}) as { tenants?: unknown; subscriptions?: unknown };
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : []);
  return {
    tenants: [...new Set(strings(obj.tenants).map(lower))],
    subscriptions: [...new Set(strings(obj.subscriptions).map(lower).filter((s) => /^[^/]+\/[^/]+$/.test(s)))],
  };
}

export function isTenantShown(filter: TenantFilter, tenantId: string): boolean {
  return filter.tenants.length === 0 || filter.tenants.includes(lower(tenantId));
}

export function filterSubscriptions(filter: TenantFilter, tenantId: string, subscriptions: SubscriptionInfo[]): SubscriptionInfo[] {
  const prefix = `${lower(tenantId)}/`;
  const chosen = filter.subscriptions.filter((s) => s.startsWith(prefix));
  if (chosen.length === 0) return subscriptions;
  return subscriptions.filter((s) => chosen.includes(prefix + lower(s.subscriptionId)));
}

/**
 * The filter after the person picked tenants and subscriptions. Choosing everything stores an
 * empty filter (so tenants and subscriptions that appear later are shown too); a tenant whose
 * every subscription is picked stores no subscription entries for it.
 */
export function filterFromSelection(
  available: Array<{ tenantId: string; subscriptionIds: string[] }>,
  pickedTenants: string[],
  pickedSubscriptions: Array<{ tenantId: string; subscriptionId: string }>,
): TenantFilter {
  const tenantsPicked = new Set(pickedTenants.map(lower));
  const allTenants = available.every((t) => tenantsPicked.has(lower(t.tenantId)));
  const subscriptions: string[] = [];
  for (const t of available) {
    if (!tenantsPicked.has(lower(t.tenantId))) continue;
    const picked = pickedSubscriptions.filter((p) => lower(p.tenantId) === lower(t.tenantId)).map((p) => lower(p.subscriptionId));
    const all = t.subscriptionIds.every((s) => picked.includes(lower(s)));
    if (!all) subscriptions.push(...picked.map((s) => `${lower(t.tenantId)}/${s}`));
  }
  return { tenants: allTenants ? [] : [...tenantsPicked].sort(), subscriptions: subscriptions.sort() };
}

/**
 * Merges per-account tenant lists: one entry per tenant id (case-insensitive), the accounts that
 * reach it in the order given, sorted by display name then id.
 */
export function mergeTenants(perAccount: Array<{ account: AuthAccount; tenants: TenantInfo[] }>): Array<{ tenant: TenantInfo; accounts: AuthAccount[] }> {
  const byId = new Map<string, { tenant: TenantInfo; accounts: AuthAccount[] }>();
  for (const { account, tenants } of perAccount) {
    for (const tenant of tenants) {
      const key = lower(tenant.tenantId);
      const existing = byId.get(key);
      if (!existing) {
        byId.set(key, { tenant: { ...tenant }, accounts: [account] });
        continue;
      }
      if (!existing.accounts.some((a) => a.id === account.id)) existing.accounts.push(account);
      // Keep the most informative name (some accounts see only the id of a guest tenant).
      if (existing.tenant.displayName === existing.tenant.tenantId && tenant.displayName !== tenant.tenantId) existing.tenant.displayName = tenant.displayName;
      if (!existing.tenant.domain && tenant.domain) existing.tenant.domain = tenant.domain;
    }
  }
  return [...byId.values()].sort((a, b) => a.tenant.displayName.localeCompare(b.tenant.displayName) || a.tenant.tenantId.localeCompare(b.tenant.tenantId));
}

/** Runs `fn` over items with at most `limit` at once, keeping order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Accounts → tenants → subscriptions with per-tenant outcomes. Never throws for one account or
 * one tenant: an account that cannot list its tenants becomes an AccountProblem, a tenant that
 * cannot list its subscriptions gets `signInRequired` (no silent session) or `error`.
 */
export async function discoverTenants(directory: TenantDirectory, filter: TenantFilter = EMPTY_FILTER): Promise<Discovery> {
  const accounts = await directory.accounts();
  const accountProblems: AccountProblem[] = [];
  const perAccount = await mapLimited(accounts, 3, async (account) => {
    try {
      return { account, tenants: await directory.tenants(account) };
    } catch (error) {
      accountProblems.push({ account, state: isNotSignedInError(error) ? 'signInRequired' : 'error', error });
      return { account, tenants: [] as TenantInfo[] };
    }
  });
  const merged = mergeTenants(perAccount);
  const shown = merged.filter((m) => isTenantShown(filter, m.tenant.tenantId));
  const hiddenTenants = merged.filter((m) => !isTenantShown(filter, m.tenant.tenantId)).map((m) => ({ tenant: m.tenant, account: m.accounts[0] }));
  const tenants = await mapLimited(shown, 5, async ({ tenant, accounts: reaching }): Promise<TenantStatus> => {
    let lastError: unknown;
    // Try each account that reaches the tenant until one has a session there.
    for (const account of reaching) {
      try {
        const all = await directory.subscriptions(tenant.tenantId, account);
        return { tenant, account, accounts: reaching, state: 'signedIn', subscriptions: filterSubscriptions(filter, tenant.tenantId, all), allSubscriptions: all };
      } catch (error) {
        lastError = lastError && !isNotSignedInError(lastError) ? lastError : error;
      }
    }
    return {
      tenant, account: reaching[0], accounts: reaching, subscriptions: [], allSubscriptions: [],
      state: isNotSignedInError(lastError) ? 'signInRequired' : 'error', error: lastError,
    };
  });
  return { accounts, tenants, hiddenTenants, accountProblems };
}
