/**
 * The editor's watcher, without the editor: it polls the Data Share and Purview state of the
 * connected tenants, diffs it against the previous poll and yields notices a person cares about:
 * new invitations, snapshots that finished or failed, share subscriptions revoked, invitations and
 * share subscriptions that expire soon, and cross-tenant lineage recorded or changed.
 *
 * - Pure core: `diffWatchState(prev, next, now)` (no I/O) and `ReadBudget` (a token bucket on an
 *   injected clock) are unit-tested with a fake clock.
 * - Reads stay inside ARM's read limit (250 burst, 25/s per subscription and principal): every ARM
 *   read takes a token from a per-subscription bucket sized at a tenth of it (25 burst, 2.5/s by
 *   default); a poll that runs out waits for tokens, so with the sandbox's throttling on the watcher
 *   never meets a 429. Data-plane calls (Purview search) are not ARM reads.
 * - Backoff: the interval doubles (up to `maxIntervalMs`) after a failed poll or a poll that found
 *   nothing new for a while, honours a Retry-After, and resets when something happens.
 * - The first poll is the baseline: it reports only what expires soon, not everything that exists.
 */
import type { AzureClients } from '../azure';
import { isCancellation } from './errors';

export type NoticeKind = 'invitation.new' | 'snapshot.succeeded' | 'snapshot.failed' | 'subscription.revoked' | 'invitation.expiring' | 'subscription.expiring' | 'lineage.changed';

export interface Notice {
  kind: NoticeKind;
  tenantId: string;
  /** One line for a notification. */
  message: string;
  /** The resource the notice is about (ARM id, invitation id or Purview qualifiedName). */
  resourceId: string;
  /** Notices of one kind and resource are reported once: this is their key. */
  key: string;
}

export interface InvitationFact {
  tenantId: string;
  invitationId: string;
  shareName?: string;
  from?: string;
  expirationDate?: string;
}

export interface SynchronizationFact {
  tenantId: string;
  shareSubscriptionId: string;
  shareSubscriptionName: string;
  synchronizationId: string;
  status: string;
  message?: string;
  endTime?: string;
}

export interface SubscriptionFact {
  tenantId: string;
  id: string;
  name: string;
  status: string;
  /** Provider side: when the consumer's access ends. */
  expirationDate?: string;
  /** Consumer name or share name, for messages. */
  label?: string;
}

export interface SentInvitationFact {
  tenantId: string;
  id: string;
  name: string;
  status: string;
  expirationDate?: string;
  target?: string;
}

export interface LineageFact {
  tenantId: string;
  purviewAccount: string;
  id: string;
  qualifiedName: string;
  name?: string;
  updateTime?: number;
}

/** What one poll saw (plain data: diffable and serialisable). */
export interface WatchState {
  invitations: InvitationFact[];
  synchronizations: SynchronizationFact[];
  subscriptions: SubscriptionFact[];
  sentInvitations: SentInvitationFact[];
  lineage: LineageFact[];
  /** Tenants whose reading failed in this poll (their facts are carried over from the previous poll). */
  failedTenants?: { tenantId: string; error: unknown }[];
}

export const EMPTY_STATE: WatchState = { invitations: [], synchronizations: [], subscriptions: [], sentInvitations: [], lineage: [] };

const RUNNING = new Set(['Queued', 'InProgress', 'Accepted']);

/** How far ahead "expires soon" looks (default 3 days). */
export const DEFAULT_EXPIRY_HORIZON_MS = 3 * 24 * 3600_000;

/**
 * Notices for what changed from `prev` to `next` (`prev` undefined: the baseline poll, which reports
 * only what expires soon). `reported` holds keys already reported (expiry notices are given once).
 */
export function diffWatchState(prev: WatchState | undefined, next: WatchState, now: number, reported: ReadonlySet<string> = new Set(), horizonMs = DEFAULT_EXPIRY_HORIZON_MS): Notice[] {
  const out: Notice[] = [];
  const add = (n: Notice) => {
    if (!reported.has(n.key) && !out.some((o) => o.key === n.key)) out.push(n);
  };
  if (prev) {
    const oldInv = new Set(prev.invitations.map((i) => i.invitationId.toLowerCase()));
    for (const i of next.invitations) {
      if (oldInv.has(i.invitationId.toLowerCase())) continue;
      add({ kind: 'invitation.new', tenantId: i.tenantId, resourceId: i.invitationId, key: `invitation.new:${i.invitationId}`, message: `New invitation to share ${i.shareName ?? '?'}${i.from ? ` from ${i.from}` : ''}.` });
    }
    const oldSync = new Map(prev.synchronizations.map((s) => [s.synchronizationId.toLowerCase(), s.status]));
    for (const s of next.synchronizations) {
      const before = oldSync.get(s.synchronizationId.toLowerCase());
      if (RUNNING.has(s.status) || (before !== undefined && !RUNNING.has(before))) continue;
      if (s.status === 'Succeeded') add({ kind: 'snapshot.succeeded', tenantId: s.tenantId, resourceId: s.shareSubscriptionId, key: `snapshot:${s.synchronizationId}`, message: `Snapshot of ${s.shareSubscriptionName} succeeded.` });
      else if (s.status === 'Failed' || s.status === 'Canceled') add({ kind: 'snapshot.failed', tenantId: s.tenantId, resourceId: s.shareSubscriptionId, key: `snapshot:${s.synchronizationId}`, message: `Snapshot of ${s.shareSubscriptionName} ${s.status === 'Failed' ? 'failed' : 'was canceled'}${s.message ? `: ${s.message}` : '.'}` });
    }
    const oldSubs = new Map(prev.subscriptions.map((s) => [s.id.toLowerCase(), s.status]));
    for (const s of next.subscriptions) {
      const before = oldSubs.get(s.id.toLowerCase());
      if (s.status === 'Revoked' && before !== undefined && before !== 'Revoked') {
        add({ kind: 'subscription.revoked', tenantId: s.tenantId, resourceId: s.id, key: `revoked:${s.id}:${now}`, message: `Share subscription ${s.name}${s.label ? ` (${s.label})` : ''} was revoked.` });
      }
    }
    const oldLineage = new Map(prev.lineage.map((l) => [`${l.purviewAccount}|${l.id}`, l.updateTime]));
    for (const l of next.lineage) {
      const k = `${l.purviewAccount}|${l.id}`;
      if (oldLineage.has(k) && oldLineage.get(k) === l.updateTime) continue;
      add({ kind: 'lineage.changed', tenantId: l.tenantId, resourceId: l.qualifiedName, key: `lineage:${k}:${l.updateTime ?? ''}`, message: `Lineage ${oldLineage.has(k) ? 'updated' : 'recorded'} in ${l.purviewAccount}: ${l.name ?? l.qualifiedName}.` });
    }
  }
  const soon = (d: string | undefined) => {
    const t = d ? Date.parse(d) : NaN;
    return Number.isFinite(t) && t > now && t - now <= horizonMs;
  };
  const inDays = (d: string) => {
    const h = Math.round((Date.parse(d) - now) / 3600_000);
    return h < 48 ? `in ${h} h` : `in ${Math.round(h / 24)} days`;
  };
  for (const i of next.invitations) if (soon(i.expirationDate)) add({ kind: 'invitation.expiring', tenantId: i.tenantId, resourceId: i.invitationId, key: `expiring:${i.invitationId}`, message: `Invitation to ${i.shareName ?? '?'} expires ${inDays(i.expirationDate as string)}.` });
  for (const i of next.sentInvitations) if (i.status === 'Pending' && soon(i.expirationDate)) add({ kind: 'invitation.expiring', tenantId: i.tenantId, resourceId: i.id, key: `expiring:${i.id}`, message: `Invitation ${i.name}${i.target ? ` to ${i.target}` : ''} expires ${inDays(i.expirationDate as string)} without being accepted.` });
  for (const s of next.subscriptions) if (s.status !== 'Revoked' && soon(s.expirationDate)) add({ kind: 'subscription.expiring', tenantId: s.tenantId, resourceId: s.id, key: `expiring:${s.id}`, message: `Access of ${s.label ?? s.name} ends ${inDays(s.expirationDate as string)}.` });
  return out;
}

// ---- read budget ------------------------------------------------------------------------------------

export interface WatchClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: WatchClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(Object.assign(new Error('The watcher stopped.'), { name: 'AbortError' }));
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(Object.assign(new Error('The watcher stopped.'), { name: 'AbortError' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface BudgetLimits {
  /** Tokens a bucket holds (default 25: a tenth of ARM's 250). */
  burst: number;
  /** Tokens added per second (default 2.5: a tenth of ARM's 25). */
  perSecond: number;
}

export const DEFAULT_BUDGET: BudgetLimits = { burst: 25, perSecond: 2.5 };

/** Token buckets per scope (a subscription, or `tenant:{id}` for tenant-level reads), on a clock. */
export class ReadBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Reads taken, per scope. */
  readonly taken = new Map<string, number>();

  constructor(
    readonly limits: BudgetLimits = DEFAULT_BUDGET,
    private readonly clock: WatchClock = realClock,
  ) {}

  private bucket(scope: string) {
    const k = scope.toLowerCase();
    const now = this.clock.now();
    let b = this.buckets.get(k);
    if (!b) this.buckets.set(k, (b = { tokens: this.limits.burst, at: now }));
    b.tokens = Math.min(this.limits.burst, b.tokens + ((now - b.at) / 1000) * this.limits.perSecond);
    b.at = now;
    return b;
  }

  /** Tokens available now in a scope. */
  available(scope: string): number {
    return this.bucket(scope).tokens;
  }

  /** Milliseconds until `n` tokens are available (0: now). */
  waitMs(scope: string, n = 1): number {
    const b = this.bucket(scope);
    return b.tokens >= n ? 0 : Math.ceil(((n - b.tokens) / this.limits.perSecond) * 1000);
  }

  /** Takes one token, waiting on the clock when the bucket is empty. */
  async take(scope: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.waitMs(scope);
      if (wait === 0) break;
      await this.clock.sleep(wait, signal);
    }
    this.bucket(scope).tokens -= 1;
    this.taken.set(scope.toLowerCase(), (this.taken.get(scope.toLowerCase()) ?? 0) + 1);
  }
}

// ---- backoff ---------------------------------------------------------------------------------------

export interface BackoffOptions {
  intervalMs: number;
  maxIntervalMs: number;
  /** Quiet polls before the interval starts to grow (default 3). */
  quietPolls?: number;
}

/** The next delay: doubled after an error (or at least the server's Retry-After), grown slowly when quiet, reset on news. */
export class Backoff {
  delayMs: number;
  private quiet = 0;

  constructor(private readonly o: BackoffOptions) {
    this.delayMs = o.intervalMs;
  }

  onResult(result: { notices: number; error?: unknown; retryAfterMs?: number }): number {
    if (result.error !== undefined) {
      this.delayMs = Math.min(this.o.maxIntervalMs, Math.max(this.delayMs * 2, result.retryAfterMs ?? 0));
      this.quiet = 0;
    } else if (result.notices > 0) {
      this.delayMs = this.o.intervalMs;
      this.quiet = 0;
    } else if (++this.quiet > (this.o.quietPolls ?? 3)) {
      this.delayMs = Math.min(this.o.maxIntervalMs, Math.round(this.delayMs * 1.5));
    }
    return this.delayMs;
  }
}

// ---- reading the state --------------------------------------------------------------------------------

export interface WatchSource {
  tenantId: string;
  tenantName?: string;
  clients: AzureClients;
  subscriptionIds: string[];
}

function refOf(id: string | undefined): { subscriptionId: string; resourceGroupName: string; accountName: string } | undefined {
  const m = /\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataShare\/accounts\/([^/]+)/i.exec(id ?? '');
  return m ? { subscriptionId: m[1], resourceGroupName: m[2], accountName: m[3] } : undefined;
}

/** Collects a PagedIterable page by page, taking one budget token before each page (each page is one ARM read). */
async function listAll<T>(budget: ReadBudget, scope: string, list: { byPage(): AsyncIterableIterator<T[] & { continuationToken?: string }> }, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  const pages = list.byPage();
  await budget.take(scope, signal);
  let r = await pages.next();
  while (!r.done) {
    out.push(...r.value);
    if (!r.value.continuationToken) break;
    await budget.take(scope, signal);
    r = await pages.next();
  }
  return out;
}

/** Reads what the watcher diffs, for every source; each ARM read takes a budget token first. */
export async function readWatchState(sources: readonly WatchSource[], budget: ReadBudget, signal?: AbortSignal, options: { lineage?: boolean } = {}): Promise<WatchState> {
  const state: WatchState = { invitations: [], synchronizations: [], subscriptions: [], sentInvitations: [], lineage: [] };
  const failedTenants: { tenantId: string; error: unknown }[] = [];
  await Promise.all(
    sources.map(async (src) => {
      // One tenant failing (signed out, no access, throttled) never blanks the others.
      const mine: WatchState = { invitations: [], synchronizations: [], subscriptions: [], sentInvitations: [], lineage: [] };
      try {
        await readTenant(src, mine, budget, signal, options);
      } catch (e) {
        if (isCancellation(e) || signal?.aborted) throw e;
        failedTenants.push({ tenantId: src.tenantId, error: e });
        return;
      }
      for (const k of ['invitations', 'synchronizations', 'subscriptions', 'sentInvitations', 'lineage'] as const) (state[k] as unknown[]).push(...mine[k]);
    }),
  );
  if (failedTenants.length) state.failedTenants = failedTenants;
  return state;
}

async function readTenant(src: WatchSource, state: WatchState, budget: ReadBudget, signal: AbortSignal | undefined, options: { lineage?: boolean }): Promise<void> {
  await Promise.all(
    [src].map(async (src) => {
      const ds = src.clients.dataShare;
      const o = { abortSignal: signal };
      for (const i of await listAll(budget, `tenant:${src.tenantId}`, ds.consumerInvitations.list(o), signal)) {
        if (i.properties.invitationStatus !== 'Pending') continue;
        state.invitations.push({ tenantId: src.tenantId, invitationId: i.properties.invitationId, shareName: i.properties.shareName, from: i.properties.providerEmail ?? i.properties.providerName, expirationDate: i.properties.expirationDate });
      }
      for (const sub of src.subscriptionIds) {
        const accounts = await listAll(budget, sub, ds.accounts.listBySubscription(sub, o), signal).catch((e: unknown) => {
          // A subscription that never used Data Share (namespace not registered) has nothing to watch.
          if ((e as { code?: string }).code === 'MissingSubscriptionRegistration') return [];
          throw e;
        });
        for (const a of accounts) {
          const ref = refOf(a.id);
          if (!ref) continue;
          for (const ss of await listAll(budget, sub, ds.shareSubscriptions.listByAccount(ref, o), signal)) {
            const ssRef = { ...ref, shareSubscriptionName: ss.name as string };
            state.subscriptions.push({ tenantId: src.tenantId, id: ss.id as string, name: ss.name as string, status: ss.properties.shareSubscriptionStatus ?? 'Active', label: ss.properties.shareName });
            for (const s of await listAll(budget, sub, ds.shareSubscriptions.listSynchronizations(ssRef, o), signal)) {
              state.synchronizations.push({ tenantId: src.tenantId, shareSubscriptionId: ss.id as string, shareSubscriptionName: ss.name as string, synchronizationId: s.synchronizationId, status: s.status ?? 'Unknown', message: s.message, endTime: s.endTime });
            }
          }
          for (const share of await listAll(budget, sub, ds.shares.listByAccount(ref, o), signal)) {
            const shareRef = { ...ref, shareName: share.name as string };
            for (const p of await listAll(budget, sub, ds.providerShareSubscriptions.listByShare(shareRef, o), signal)) {
              state.subscriptions.push({ tenantId: src.tenantId, id: p.id as string, name: p.name as string, status: p.properties?.shareSubscriptionStatus ?? 'Active', expirationDate: p.properties?.expirationDate, label: `${p.properties?.consumerEmail ?? p.properties?.consumerName ?? 'a consumer'} of ${share.name}` });
            }
            for (const inv of await listAll(budget, sub, ds.invitations.listByShare(shareRef, o), signal)) {
              state.sentInvitations.push({ tenantId: src.tenantId, id: inv.id as string, name: inv.name as string, status: inv.properties?.invitationStatus ?? 'Pending', expirationDate: inv.properties?.expirationDate, target: inv.properties?.targetEmail ?? inv.properties?.targetObjectId });
            }
          }
        }
        if (options.lineage !== false) {
          const purviews = await listAll(budget, sub, src.clients.purview(sub).accounts.list(o), signal).catch((e: unknown) => {
            if ((e as { code?: string }).code === 'MissingSubscriptionRegistration') return [];
            throw e;
          });
          for (const pv of purviews) {
            if (!pv.name) continue;
            try {
              const plane = src.clients.purviewDataPlane(pv.name);
              for await (const hit of plane.dataMap.discovery.query({ filter: { entityType: 'azure_datashare_snapshot' }, limit: 100, abortSignal: signal } as never)) {
                const h = hit as { id?: string; qualifiedName?: string; name?: string; updateTime?: number };
                if (h.id && h.qualifiedName) state.lineage.push({ tenantId: src.tenantId, purviewAccount: pv.name, id: h.id, qualifiedName: h.qualifiedName, name: h.name, updateTime: h.updateTime });
              }
            } catch (e) {
              if (isCancellation(e)) throw e;
              // A Purview account the principal cannot read: its lineage is left out of this poll.
            }
          }
        }
      }
    }),
  );
}

// ---- the loop -----------------------------------------------------------------------------------------

export interface WatcherOptions {
  sources: () => readonly WatchSource[] | Promise<readonly WatchSource[]>;
  intervalMs?: number;
  maxIntervalMs?: number;
  budget?: BudgetLimits;
  clock?: WatchClock;
  horizonMs?: number;
  lineage?: boolean;
  /** Called with a poll's error (the loop goes on with backoff). */
  onError?: (error: unknown) => void;
}

/**
 * Polls and yields notices. `pause()` holds the loop between polls (an unfocused window);
 * `resume()` lets it go on. Stops when `signal` aborts.
 */
export class Watcher {
  readonly budget: ReadBudget;
  readonly backoff: Backoff;
  readonly reported = new Set<string>();
  state: WatchState | undefined;
  polls = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private readonly clock: WatchClock;

  constructor(private readonly o: WatcherOptions) {
    this.clock = o.clock ?? realClock;
    this.budget = new ReadBudget(o.budget ?? DEFAULT_BUDGET, this.clock);
    this.backoff = new Backoff({ intervalMs: o.intervalMs ?? 60_000, maxIntervalMs: o.maxIntervalMs ?? 15 * 60_000 });
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** One poll: reads, diffs, remembers. */
  async pollOnce(signal?: AbortSignal): Promise<Notice[]> {
    const sources = await this.o.sources();
    const next = await readWatchState(sources, this.budget, signal, { lineage: this.o.lineage });
    const failed = next.failedTenants ?? [];
    if (failed.length && failed.length === sources.length) throw failed[0].error;
    for (const f of failed) {
      this.o.onError?.(f.error);
      // Keep what the last poll knew of that tenant, so it is not reported as new when it answers again.
      const t = f.tenantId.toLowerCase();
      const prev = this.state ?? EMPTY_STATE;
      for (const k of ['invitations', 'synchronizations', 'subscriptions', 'sentInvitations', 'lineage'] as const) (next[k] as Array<{ tenantId: string }>).push(...(prev[k] as Array<{ tenantId: string }>).filter((x) => x.tenantId.toLowerCase() === t));
    }
    const notices = diffWatchState(this.state, next, this.clock.now(), this.reported, this.o.horizonMs);
    notices.forEach((n) => this.reported.add(n.key));
    this.state = next;
    this.polls++;
    return notices;
  }

  async *notices(signal: AbortSignal): AsyncGenerator<Notice[]> {
    while (!signal.aborted) {
      if (this.paused) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        this.wake = undefined;
        continue;
      }
      let found: Notice[] = [];
      try {
        found = await this.pollOnce(signal);
        this.backoff.onResult({ notices: found.length });
      } catch (e) {
        if (signal.aborted || isCancellation(e)) return;
        this.o.onError?.(e);
        this.backoff.onResult({ notices: 0, error: e, retryAfterMs: (e as { retryAfterMs?: number }).retryAfterMs });
      }
      if (found.length) yield found;
      try {
        await this.clock.sleep(this.backoff.delayMs, signal);
      } catch {
        return;
      }
    }
  }
}
