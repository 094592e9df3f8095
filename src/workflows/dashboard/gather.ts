/**
 * Gathers what the sharing dashboard shows, from every connected tenant at once:
 *  - ARM / Data Share: each subscription's Data Share accounts; per account its sent shares (data
 *    sets, synchronization settings, providerShareSubscriptions, listSynchronizations) and received
 *    share subscriptions; storage accounts (their encryption);
 *  - details (files and bytes written) of each snapshot, read once and cached (a finished
 *    snapshot's details never change);
 *  - Purview: the shared assets in each provider tenant's catalogs, looked up 40 at a time by type
 *    and qualified name (classifications, quality, and from their relationship attributes whether a
 *    cross-tenant snapshot process is next to them: no lineage call per asset).
 *
 * Everything that does not depend on something else goes out at once. ARM reads go through one
 * token bucket per (tenant, subscription) sized under ARM's read budget (250 burst + 25/s per
 * subscription and principal; default here 200 + 20/s, leaving room for the trees). No call is made
 * twice: a run whose both ends are connected is listed once, provider side, and a consumer's
 * received share from a connected provider reads its history there. Cancellable (AbortSignal).
 *
 * Details cost one call per snapshot, which a year of daily snapshots of a hundred shares cannot
 * fit in ARM's budget in one go: with `details: 'budget'` (the editor's default) details are read
 * newest first while the buckets have tokens without waiting, the rest are counted as pending and
 * read by the next pass (`details: 'all'` waits for the buckets and reads every one).
 */
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AzureClients } from '../../azure/factory';
import type { Page, PagedIterable } from '../../azure/core/paging';
import type { AtlasEntity } from '../../azure/purview/datamapModels';
import { blobQualifiedName, SNAPSHOT_PROCESS_TYPE } from '../../lineage/snapshotProcess';
import { CancelledError } from '../errors';
import { textOrder } from './figures';
import type { ApprovalFact, AssetFact, DashboardData, DashboardTenant, DataSetFact, ReceivedFact, Schedule, ShareFact, StorageFact, SyncFact } from './model';

export interface DashboardTenantAccess {
  tenant: DashboardTenant;
  subscriptionIds: string[];
  clients(): Promise<AzureClients>;
}

/** Finished snapshots' files and bytes, by synchronization id (lower case). */
export interface DetailsCache {
  get(synchronizationId: string): { filesWritten: number; sizeWritten: number } | undefined;
  set(synchronizationId: string, value: { filesWritten: number; sizeWritten: number }): void;
}

/** What the other governance features add when they exist (absent: "no data"). */
export interface DashboardExtras {
  /** Data-quality result recorded on a Purview entity. */
  qualityOf?(entity: AtlasEntity): { passed: number; failed: number } | undefined;
  /** Approval requests and their decisions. */
  approvals?(signal?: AbortSignal): Promise<ApprovalFact[]>;
  /** CMK state of a storage account (key enabled, expiry…), beyond what ARM's encryption says. */
  cmkState?(clients: AzureClients, tenantId: string, account: { id: string; name: string; encryption?: unknown }): Promise<string | undefined>;
}

export interface GatherOptions {
  signal?: AbortSignal;
  /** 'budget' (default): details while the read budget allows, the rest pending; 'all': every one. */
  details?: 'budget' | 'all';
  cache?: DetailsCache;
  /** Per (tenant, subscription) ARM read bucket (default 200 burst, 20 per second). */
  readBudget?: { burst: number; perSecond: number };
  /** 'budget': details of at most this many newest snapshots per share in the first pass (default 7). */
  firstPassDetailsPerShare?: number;
  /** Only snapshots started at or after this time (ISO; sent as $filter). */
  since?: string;
  /**
   * The first view (ISO): each share's history is listed newest first and paging stops at the first
   * page that reaches before this time; the older pages are read later by the session's
   * `fillPending` (background) without listing anything again (the listing resumes at its
   * continuation). Listings are read further in the first pass only where a share's last success is
   * not in them yet (so the time since the last success is right). `data.historyFrom` says where
   * complete history starts until the rest is read.
   */
  historySince?: string;
  extras?: DashboardExtras;
  onProgress?(message: string): void;
  /** Called when a later pass of details changed the data (background fill). */
  now?(): Date;
}

/** A token bucket per key: take() waits for a token, tryTake() does not. */
export class ReadBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly burst: number, private readonly perSecond: number) {}

  private bucket(key: string): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    const now = Date.now();
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    return b;
  }

  tryTake(key: string): boolean {
    const b = this.bucket(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  async take(key: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      const b = this.bucket(key);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      // Reserve the next token: the waiters queue up in order.
      b.tokens -= 1;
      const waitMs = Math.ceil((-b.tokens / this.perSecond) * 1000);
      await new Promise((r) => setTimeout(r, waitMs));
      b.tokens += 1;
    }
  }
}

/** A JSON file of finished snapshots' details (the editor keeps one in global storage). */
export class FileDetailsCache implements DetailsCache {
  private readonly map = new Map<string, { filesWritten: number; sizeWritten: number }>();
  private dirty = false;
  constructor(private readonly file: string) {
    try {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, [number, number]>;
      for (const [k, [f, s]] of Object.entries(raw)) this.map.set(k, { filesWritten: f, sizeWritten: s });
    } catch { /* no cache yet */ }
  }
  get(id: string) { return this.map.get(id.toLowerCase()); }
  set(id: string, v: { filesWritten: number; sizeWritten: number }) { this.map.set(id.toLowerCase(), v); this.dirty = true; }
  save(): void {
    if (!this.dirty) return;
    const out: Record<string, [number, number]> = {};
    for (const [k, v] of this.map) out[k] = [v.filesWritten, v.sizeWritten];
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify(out));
    this.dirty = false;
  }
}

const lc = (s: string | undefined) => (s ?? '').toLowerCase();
const rgOf = (id: string | undefined) => /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';
const subOf = (id: string | undefined) => /\/subscriptions\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';
const TERMINAL = /^(succeeded|failed|canceled|cancelled|completed)$/i;
/** Newest start first. */
const newestFirst = (a: SyncFact, b: SyncFact): number => textOrder(b.startTime, a.startTime);

/** Waits for every task in `tasks`, including those added while it waits. */
async function settleAll(tasks: Array<Promise<unknown>>): Promise<void> {
  for (let n = 0; n < tasks.length; n = tasks.length) await Promise.all(tasks.slice(n));
}

function typeNamesFor(kind: string): string[] {
  if (/^container$/i.test(kind)) return ['azure_blob_container'];
  if (/^(blob|blobfolder)$/i.test(kind)) return ['azure_blob_path'];
  if (/^adlsgen2filesystem$/i.test(kind)) return ['azure_datalake_gen2_filesystem'];
  if (/^adlsgen2/i.test(kind)) return ['azure_datalake_gen2_path'];
  return [];
}

function dataSetFact(d: { kind?: string; name?: string; properties?: Record<string, unknown> }): DataSetFact {
  const p = d.properties ?? {};
  const s = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const storageAccountName = s('storageAccountName');
  const container = s('containerName') ?? s('fileSystem');
  const sub = s('prefix') ?? s('filePath') ?? s('folderPath');
  const kind = String(d.kind ?? '');
  const qualifiedName = storageAccountName && container
    ? /^adls/i.test(kind) ? `https://${storageAccountName.toLowerCase()}.dfs.core.windows.net/${container}${sub ? `/${sub.replace(/^\/+/, '')}` : ''}` : blobQualifiedName(storageAccountName, container, sub)
    : undefined;
  return { dataSetId: String(p.dataSetId ?? d.name ?? ''), name: d.name ?? '', kind, storageAccountName, container, path: sub, qualifiedName };
}

function schedulesOf(items: Array<{ kind?: string; properties?: Record<string, unknown> }>, source: Schedule['source']): Schedule[] {
  return items.filter((x) => x.properties?.recurrenceInterval).map((x) => ({ recurrenceInterval: String(x.properties!.recurrenceInterval), synchronizationTime: String(x.properties!.synchronizationTime ?? ''), source }));
}

/** One share's (or received share's) history listing, newest first, with older pages still to read. */
interface HistoryListing {
  bucket: string;
  /** Round trips before its next page. */
  depth: number;
  continuationToken: string;
  /** Opens the listing at a continuation. */
  open(continuationToken: string, signal?: AbortSignal): AsyncIterableIterator<Page<unknown>>;
  /** Records a page's runs (snapshots and their details readers); returns them. */
  add(items: unknown[], depth: number): SyncFact[];
  /** The runs read so far. */
  runs: SyncFact[];
}

class Gatherer {
  armCalls = 0;
  purviewCalls = 0;
  chainDepth = 0;
  readonly warnings: string[] = [];
  private readonly budget: ReadBudget;
  private readonly shares: ShareFact[] = [];
  private readonly received: Array<ReceivedFact & { matched: boolean }> = [];
  private readonly syncs: SyncFact[] = [];
  private readonly storage: StorageFact[] = [];
  private readonly purviewAccounts: Array<{ tenantId: string; name: string; bucket: string }> = [];
  /** Where each run's details are read: bucket and reader. */
  private readonly detailReaders = new Map<string, { bucket: string; depth: number; read: () => PagedIterable<{ filesWritten?: number; sizeWritten?: number }> }>();
  private detailsRead = 0;
  private detailsCached = 0;
  private detailsPending = 0;
  private readonly pendingRuns: SyncFact[] = [];
  /** Listings stopped at `historySince` (first view): their older pages are read by fillPending. */
  private readonly histories: HistoryListing[] = [];
  /** Sent shares' history listings in flight (first pages, down to historySince). */
  private readonly historyTasks: Array<Promise<void>> = [];
  /** Settled when each listing's first page is recorded (or failed): the first view's details start then. */
  private readonly firstPages: Array<Promise<void>> = [];
  /** Details taken per share (or received share) so far, for the first pass's newest week. */
  private readonly detailsPerOwner = new Map<string, number>();
  /** Runs (this.syncs) up to this index have been through details(): read, cached or pending. */
  private detailsUpTo = 0;
  /** Each tenant's clients, once signed in. */
  private readonly signedIn = new Map<string, AzureClients>();
  /** Depth after the deepest data set list (the catalogs' lookups depend on it). */
  private dataSetDepth = 0;
  private purviewAccountDepth = 0;

  constructor(private readonly tenants: DashboardTenantAccess[], private readonly options: GatherOptions) {
    const b = options.readBudget ?? { burst: 200, perSecond: 20 };
    this.budget = new ReadBudget(b.burst, b.perSecond);
    // Every request in flight listens to the one signal: hundreds at once is expected here.
    if (options.signal) setMaxListeners(0, options.signal);
  }

  private check(): void {
    if (this.options.signal?.aborted) throw new CancelledError();
  }

  private reached(depth: number): void {
    if (depth > this.chainDepth) this.chainDepth = depth;
  }

  /** One ARM read through the bucket; `depth` is the round trips before it. */
  private async arm<T>(bucket: string, depth: number, fn: () => Promise<T>): Promise<T> {
    await this.budget.take(bucket, this.options.signal);
    this.check();
    this.armCalls++;
    this.reached(depth + 1);
    return fn();
  }

  /** Every page of an ARM list, each page one read; returns the items and the depth after the last page. */
  private async list<T>(bucket: string, depth: number, it: PagedIterable<T>): Promise<{ items: T[]; depth: number }> {
    const pages = it.byPage();
    const items: T[] = [];
    let d = depth;
    for (;;) {
      const r = await this.arm(bucket, d, () => pages.next());
      d++;
      if (r.done) break;
      items.push(...r.value);
      if (!(r.value as { continuationToken?: string }).continuationToken) break;
    }
    return { items, depth: d };
  }

  /**
   * A history listing (newest first): every page, or with `historySince` the pages down to the first
   * one that reaches before it; a listing stopped early is kept to be read further. Returns the
   * depth after the last page read.
   */
  private async history(bucket: string, depth: number, open: HistoryListing['open'], first: () => AsyncIterableIterator<Page<unknown>>, add: HistoryListing['add']): Promise<number> {
    const since = this.options.historySince;
    const listing: HistoryListing = { bucket, depth, continuationToken: '', open, add, runs: [] };
    let firstPage!: () => void;
    this.firstPages.push(new Promise<void>((resolve) => (firstPage = resolve)));
    try {
      const pages = first();
      for (;;) {
        const r = await this.arm(bucket, listing.depth, () => pages.next());
        listing.depth++;
        if (r.done) break;
        const runs = add(r.value, listing.depth);
        listing.runs.push(...runs);
        firstPage();
        const token = r.value.continuationToken;
        if (!token) break;
        if (since && runs.some((x) => x.startTime !== '' && x.startTime < since)) {
          listing.continuationToken = token;
          this.histories.push(listing);
          break;
        }
      }
      return listing.depth;
    } finally {
      firstPage();
    }
  }

  /** Reads one more page of a stopped listing; false when it has none left. */
  private async nextHistoryPage(listing: HistoryListing, wait: boolean, signal = this.options.signal): Promise<boolean> {
    if (!listing.continuationToken) return false;
    const pages = listing.open(listing.continuationToken, signal);
    if (wait) await this.budget.take(listing.bucket, signal);
    if (signal?.aborted) throw new CancelledError();
    this.armCalls++;
    this.reached(listing.depth + 1);
    const r = await pages.next();
    listing.depth++;
    listing.continuationToken = '';
    if (r.done) return false;
    listing.runs.push(...listing.add(r.value, listing.depth));
    listing.continuationToken = r.value.continuationToken ?? '';
    return Boolean(listing.continuationToken);
  }

  /**
   * First view: a stopped listing is read further while a share it covers has no success in it yet
   * (a sent share; a connected consumer tenant of it; a received share read consumer side), so the
   * last snapshot and last success of every share are known whatever the range.
   */
  private async completeLastSuccess(): Promise<void> {
    const tenantNameOf = (id: string) => lc(this.tenantName(id));
    const wanted = (l: HistoryListing): boolean => {
      const ok = l.runs.filter((r) => /^(succeeded|completed)$/i.test(r.status));
      if (!ok.length) return true;
      const owner = l.runs[0]?.ownerId;
      if (!owner || l.runs[0].side !== 'provider') return false;
      const consumers = this.received.filter((r) => r.providerShareId === owner).map((r) => tenantNameOf(r.tenantId));
      return consumers.some((c) => !ok.some((r) => lc(r.consumerTenantName) === c));
    };
    await Promise.all(this.histories.map(async (l) => {
      try {
        while (wanted(l) && (await this.nextHistoryPage(l, true))) { /* next page */ }
      } catch (e) {
        const t = this.tenants.find((x) => x.tenant.tenantId === l.runs[0]?.tenantId);
        if (t) this.warn(t.tenant, 'older snapshots', e); else throw e;
      }
    }));
    this.historiesDone();
  }

  private historiesDone(): void {
    for (let i = this.histories.length - 1; i >= 0; i--) if (!this.histories[i].continuationToken) this.histories.splice(i, 1);
  }

  /** Reads every stopped listing to its end (within the read budget); the history is then complete. */
  async fillHistory(data: DashboardData, signal?: AbortSignal): Promise<void> {
    await Promise.all(this.histories.map(async (l) => {
      while (await this.nextHistoryPage(l, true, signal)) { /* next page */ }
    }));
    this.historiesDone();
    data.synchronizations = this.syncs;
    if (!this.histories.length) delete data.historyFrom;
    // The older runs' details: after the ones already pending (newest first).
    const older = this.syncs.slice(this.detailsUpTo).sort(newestFirst);
    this.detailsUpTo = this.syncs.length;
    for (const x of older) {
      const cached = this.options.cache?.get(x.synchronizationId);
      if (cached) { x.filesWritten = cached.filesWritten; x.sizeWritten = cached.sizeWritten; this.detailsCached++; continue; }
      if (this.detailReaders.has(lc(x.synchronizationId))) this.pendingRuns.push(x);
    }
    this.detailsPending = this.pendingRuns.length;
    data.stats = { ...data.stats, armCalls: this.armCalls, detailsPending: this.detailsPending, detailsCached: this.detailsCached, historyPending: this.histories.length };
  }

  private warn(tenant: DashboardTenant, what: string, e: unknown): void {
    if (e instanceof CancelledError || this.options.signal?.aborted) throw new CancelledError();
    const msg = `${tenant.displayName}: ${what}: ${e instanceof Error ? e.message : String(e)}`;
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  async run(): Promise<DashboardData> {
    const started = Date.now();
    const now = this.options.now?.() ?? new Date();
    await Promise.all(this.tenants.map((t) => this.tenant(t)));
    this.check();
    // Every share, data set and Purview account is known: the catalogs' lookups start now, beside
    // the history pages still being read (they depend on different lists).
    const catalogs = this.purview();
    catalogs.catch(() => undefined);
    // 'budget' (the first view): each share's newest week is on its first page, so its details go out
    // as soon as every first page is in, beside the older pages still being read (their tokens are
    // taken already); the runs found later get a second pass.
    let early: Promise<void> = Promise.resolve();
    if (this.options.details !== 'all') {
      await settleAll(this.firstPages);
      // One turn first, so the catalogs' few lookups are on the wire ahead of the details' hundreds
      // (answered in arrival order, they would otherwise come last).
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.check();
      early = this.details();
      early.catch(() => undefined);
    }
    await settleAll(this.historyTasks);
    this.check();
    // Received shares from a connected provider whose share was not found there: read their history consumer side.
    const providerShares = new Map(this.shares.map((s) => [`${lc(this.tenantName(s.tenantId))}|${lc(s.shareName)}`, s]));
    const late: Array<Promise<void>> = [];
    for (const r of this.received) {
      const share = providerShares.get(`${lc(r.providerTenantName)}|${lc(r.shareName)}`);
      if (share && r.matched) r.providerShareId = share.id;
      else if (r.matched) late.push(this.receivedHistory(r, this.tenants.find((t) => t.tenant.tenantId === r.tenantId)!, 0));
    }
    await Promise.all(late);
    if (this.histories.length) await this.completeLastSuccess();
    const [, , assets] = await Promise.all([early, this.details(), catalogs]);
    // Pending details are read newest first by the background fill, whichever pass left them.
    this.pendingRuns.sort(newestFirst);
    let approvals: ApprovalFact[] | undefined;
    if (this.options.extras?.approvals) {
      try { approvals = await this.options.extras.approvals(this.options.signal); } catch (e) { this.warnings.push(`Approvals: ${e instanceof Error ? e.message : String(e)}`); }
    }
    return {
      gatheredAt: now.toISOString(),
      tenants: this.tenants.map((t) => t.tenant),
      shares: this.shares,
      received: this.received.map(({ matched: _m, ...r }) => r),
      synchronizations: this.syncs,
      assets,
      storageAccounts: this.storage,
      approvals,
      qualityAvailable: assets.some((a) => a.quality),
      warnings: this.warnings,
      stats: { armCalls: this.armCalls, purviewCalls: this.purviewCalls, chainDepth: this.chainDepth, elapsedMs: Date.now() - started, detailsRead: this.detailsRead, detailsCached: this.detailsCached, detailsPending: this.detailsPending, historyPending: this.histories.length },
      ...(this.histories.length && this.options.historySince ? { historyFrom: this.options.historySince } : {}),
    };
  }

  private tenantName(tenantId: string): string {
    return this.tenants.find((t) => t.tenant.tenantId === tenantId)?.tenant.displayName ?? tenantId;
  }

  private async tenant(t: DashboardTenantAccess): Promise<void> {
    let clients: AzureClients;
    try {
      clients = await t.clients();
      this.signedIn.set(t.tenant.tenantId, clients);
    } catch (e) {
      this.warn(t.tenant, 'sign-in', e);
      return;
    }
    await Promise.all(t.subscriptionIds.map((sub) => this.subscription(t, clients, sub)));
  }

  private async subscription(t: DashboardTenantAccess, clients: AzureClients, subscriptionId: string): Promise<void> {
    const bucket = `${t.tenant.tenantId}|${lc(subscriptionId)}`;
    const ds = clients.dataShare;
    const signal = this.options.signal;
    await Promise.all([
      (async () => {
        try {
          const { items, depth } = await this.list(bucket, 0, ds.accounts.listBySubscription(subscriptionId, { abortSignal: signal }));
          await Promise.all(items.map((a) => this.account(t, clients, bucket, { subscriptionId, resourceGroupName: rgOf(a.id), accountName: a.name ?? '' }, depth)));
        } catch (e) { this.warn(t.tenant, `Data Share accounts in ${subscriptionId}`, e); }
      })(),
      (async () => {
        try {
          const { items } = await this.list(bucket, 0, clients.storage(subscriptionId).accounts.list({ abortSignal: signal }));
          await Promise.all(items.map(async (a) => {
            const enc = a.encryption as { keySource?: string; keyVaultProperties?: { keyVaultUri?: string; keyName?: string; keyVersion?: string }; encryptionIdentity?: { encryptionUserAssignedIdentity?: string } } | undefined;
            let state: string | undefined;
            if (this.options.extras?.cmkState) {
              try { state = await this.options.extras.cmkState(clients, t.tenant.tenantId, { id: a.id ?? '', name: a.name ?? '', encryption: a.encryption }); } catch (e) { state = `unknown (${e instanceof Error ? e.message : String(e)})`; }
            }
            this.storage.push({
              id: a.id ?? '', tenantId: t.tenant.tenantId, name: a.name ?? '', keySource: enc?.keySource ?? 'Microsoft.Storage',
              keyVaultUri: enc?.keyVaultProperties?.keyVaultUri || undefined, keyName: enc?.keyVaultProperties?.keyName || undefined, keyVersion: enc?.keyVaultProperties?.keyVersion || undefined,
              keyIdentity: enc?.encryptionIdentity?.encryptionUserAssignedIdentity || undefined, state,
            });
          }));
        } catch (e) { this.warn(t.tenant, `storage accounts in ${subscriptionId}`, e); }
      })(),
      (async () => {
        try {
          const { items, depth } = await this.list(bucket, 0, clients.purview(subscriptionId).accounts.list({ abortSignal: signal }));
          this.purviewAccountDepth = Math.max(this.purviewAccountDepth, depth);
          for (const a of items) if (a.name) this.purviewAccounts.push({ tenantId: t.tenant.tenantId, name: a.name, bucket });
        } catch (e) { this.warn(t.tenant, `Purview accounts in ${subscriptionId}`, e); }
      })(),
    ]);
  }

  private async account(t: DashboardTenantAccess, clients: AzureClients, bucket: string, ref: { subscriptionId: string; resourceGroupName: string; accountName: string }, depth: number): Promise<void> {
    const ds = clients.dataShare;
    const signal = this.options.signal;
    const since = this.options.since ? { filter: `startTime ge '${this.options.since}'` } : {};
    const connectedNames = new Set(this.tenants.map((x) => lc(x.tenant.displayName)));
    await Promise.all([
      (async () => {
        const { items: shares, depth: d1 } = await this.list(bucket, depth, ds.shares.listByAccount(ref, { abortSignal: signal }));
        await Promise.all(shares.map(async (s) => {
          const shareRef = { ...ref, shareName: s.name ?? '' };
          try {
            const shareId = s.id ?? '';
            const runsOf = (continuationToken?: string, sig = signal) => ds.shares.listSynchronizations(shareRef, { abortSignal: sig, orderby: 'startTime desc', ...since }).byPage(continuationToken ? { continuationToken } : undefined) as AsyncIterableIterator<Page<unknown>>;
            const addRuns = (page: unknown[], depth: number): SyncFact[] => {
              const added: SyncFact[] = [];
              for (const r of page as Array<{ synchronizationId?: string; status?: string; startTime?: string; endTime?: string; durationMs?: number; synchronizationMode?: string; consumerName?: string; consumerTenantName?: string; message?: string }>) {
                if (!r.synchronizationId) continue;
                const fact: SyncFact = { side: 'provider', ownerId: shareId, tenantId: t.tenant.tenantId, shareName: shareRef.shareName, synchronizationId: r.synchronizationId, status: r.status ?? '', startTime: r.startTime ?? '', endTime: r.endTime, durationMs: r.durationMs, mode: r.synchronizationMode, consumerName: r.consumerName, consumerTenantName: r.consumerTenantName, message: r.message };
                this.syncs.push(fact);
                added.push(fact);
                const id = r.synchronizationId;
                this.detailReaders.set(lc(id), { bucket, depth, read: () => ds.shares.listSynchronizationDetails(shareRef, { synchronizationId: id }, { abortSignal: signal }) as never });
              }
              return added;
            };
            // The history pages go on while the share's facts are recorded: the catalogs wait only for the lists.
            this.historyTasks.push(this.history(bucket, d1, (token, sig) => runsOf(token, sig), () => runsOf(), addRuns).then(() => undefined, (e: unknown) => this.warn(t.tenant, `history of share ${shareRef.shareName}`, e)));
            const [sets, settings, psubs] = await Promise.all([
              this.list(bucket, d1, ds.dataSets.listByShare(shareRef, { abortSignal: signal })),
              this.list(bucket, d1, ds.synchronizationSettings.listByShare(shareRef, { abortSignal: signal })),
              this.list(bucket, d1, ds.providerShareSubscriptions.listByShare(shareRef, { abortSignal: signal })),
            ]);
            this.dataSetDepth = Math.max(this.dataSetDepth, sets.depth);
            const fact: ShareFact = {
              id: s.id ?? '', tenantId: t.tenant.tenantId, subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroupName, accountName: ref.accountName, shareName: shareRef.shareName,
              schedules: schedulesOf(settings.items as never, 'synchronizationSetting'),
              dataSets: sets.items.map((x) => dataSetFact(x as never)),
              consumers: psubs.items.map((p) => ({
                consumerName: p.properties?.consumerName ?? '', consumerEmail: p.properties?.consumerEmail ?? '', consumerTenantName: p.properties?.consumerTenantName ?? '',
                status: String(p.properties?.shareSubscriptionStatus ?? ''), sharedAt: p.properties?.sharedAt, createdAt: p.properties?.createdAt, expirationDate: p.properties?.expirationDate,
              })),
            };
            this.shares.push(fact);
          } catch (e) { this.warn(t.tenant, `share ${shareRef.shareName}`, e); }
        }));
      })().catch((e: unknown) => this.warn(t.tenant, `shares of ${ref.accountName}`, e)),
      (async () => {
        const { items: subs, depth: d1 } = await this.list(bucket, depth, ds.shareSubscriptions.listByAccount(ref, { abortSignal: signal }));
        await Promise.all(subs.map(async (s) => {
          const fact: ReceivedFact & { matched: boolean } = {
            id: s.id ?? '', tenantId: t.tenant.tenantId, subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroupName, accountName: ref.accountName, name: s.name ?? '',
            shareName: s.properties?.shareName ?? '', providerTenantName: s.properties?.providerTenantName ?? '', providerName: s.properties?.providerName ?? '', status: String(s.properties?.shareSubscriptionStatus ?? ''),
            schedules: [], matched: connectedNames.has(lc(s.properties?.providerTenantName)),
          };
          this.received.push(fact);
          // From a connected provider: its history and schedule are read provider side (once).
          if (!fact.matched) await this.receivedHistory(fact, t, d1, clients);
        }));
      })().catch((e: unknown) => this.warn(t.tenant, `received shares of ${ref.accountName}`, e)),
    ]);
  }

  private async receivedHistory(r: ReceivedFact, t: DashboardTenantAccess, depth: number, given?: AzureClients): Promise<void> {
    try {
      const clients = given ?? await t.clients();
      const ds = clients.dataShare;
      const bucket = `${t.tenant.tenantId}|${lc(r.subscriptionId)}`;
      const ref = { subscriptionId: r.subscriptionId, resourceGroupName: r.resourceGroup, accountName: r.accountName, shareSubscriptionName: r.name };
      const signal = this.options.signal;
      const since = this.options.since ? { filter: `startTime ge '${this.options.since}'` } : {};
      const runsOf = (continuationToken?: string, sig = signal) => ds.shareSubscriptions.listSynchronizations(ref, { abortSignal: sig, orderby: 'startTime desc', ...since }).byPage(continuationToken ? { continuationToken } : undefined) as AsyncIterableIterator<Page<unknown>>;
      const addRuns = (page: unknown[], d: number): SyncFact[] => {
        const added: SyncFact[] = [];
        for (const x of page as Array<{ synchronizationId: string; status?: string; startTime?: string; endTime?: string; durationMs?: number; synchronizationMode?: string; message?: string }>) {
          const fact: SyncFact = { side: 'consumer', ownerId: r.id, tenantId: t.tenant.tenantId, shareName: r.shareName, synchronizationId: x.synchronizationId, status: x.status ?? '', startTime: x.startTime ?? '', endTime: x.endTime, durationMs: x.durationMs, mode: x.synchronizationMode, consumerTenantName: t.tenant.displayName, message: x.message };
          this.syncs.push(fact);
          added.push(fact);
          const id = x.synchronizationId;
          this.detailReaders.set(lc(id), { bucket, depth: d, read: () => ds.shareSubscriptions.listSynchronizationDetails(ref, { synchronizationId: id }, { abortSignal: signal }) as never });
        }
        return added;
      };
      const [triggers] = await Promise.all([
        this.list(bucket, depth, ds.triggers.listByShareSubscription(ref, { abortSignal: signal })),
        this.history(bucket, depth, (token, sig) => runsOf(token, sig), () => runsOf(), addRuns),
      ]);
      r.schedules = schedulesOf(triggers.items as never, 'trigger');
    } catch (e) { this.warn(t.tenant, `received share ${r.name}`, e); }
  }

  /**
   * Files and bytes per run not yet through a pass (from `detailsUpTo`): the cache first, then one
   * listSynchronizationDetails per run, newest first.
   */
  private async details(): Promise<void> {
    const cache = this.options.cache;
    const all = this.options.details === 'all';
    const order = this.syncs.slice(this.detailsUpTo).sort(newestFirst);
    this.detailsUpTo = this.syncs.length;
    const tasks: Array<Promise<void>> = [];
    const perOwner = this.detailsPerOwner;
    const firstPass = this.options.firstPassDetailsPerShare ?? 7;
    for (const s of order) {
      const cached = cache?.get(s.synchronizationId);
      if (cached) {
        s.filesWritten = cached.filesWritten;
        s.sizeWritten = cached.sizeWritten;
        this.detailsCached++;
        continue;
      }
      const reader = this.detailReaders.get(lc(s.synchronizationId));
      if (!reader) continue;
      // 'budget': the newest week of each share now (the first view), while the bucket has tokens; the rest later.
      const seen = perOwner.get(s.ownerId) ?? 0;
      perOwner.set(s.ownerId, seen + 1);
      if (!all && (seen >= firstPass || !this.budget.tryTake(reader.bucket))) {
        this.detailsPending++;
        this.pendingRuns.push(s);
        continue;
      }
      tasks.push(this.readDetails(s, all));
    }
    await Promise.all(tasks);
  }

  private async readDetails(s: SyncFact, wait: boolean, signal = this.options.signal): Promise<void> {
    const reader = this.detailReaders.get(lc(s.synchronizationId));
    if (!reader) return;
    try {
      if (wait) await this.budget.take(reader.bucket, signal);
      if (signal?.aborted) throw new CancelledError();
      this.armCalls++;
      this.reached(reader.depth + 1);
      const items: Array<{ filesWritten?: number; sizeWritten?: number }> = [];
      for await (const page of reader.read().byPage()) items.push(...page);
      s.filesWritten = items.reduce((n, d) => n + (d.filesWritten ?? 0), 0);
      s.sizeWritten = items.reduce((n, d) => n + (d.sizeWritten ?? 0), 0);
      this.detailsRead++;
      if (TERMINAL.test(s.status)) this.options.cache?.set(s.synchronizationId, { filesWritten: s.filesWritten, sizeWritten: s.sizeWritten });
    } catch (e) {
      if (e instanceof CancelledError || signal?.aborted) throw new CancelledError();
      const t = this.tenants.find((x) => x.tenant.tenantId === s.tenantId)!;
      this.warn(t.tenant, `details of snapshot ${s.synchronizationId}`, e);
    }
  }

  /**
   * Reads the details left pending by a 'budget' pass, newest first, waiting for the read budget;
   * calls `onBatch` after each `batch` of them (the data is updated in place).
   */
  async fillPending(data: DashboardData, o: { signal?: AbortSignal; batch?: number; onBatch?(data: DashboardData): void } = {}): Promise<void> {
    const batch = o.batch ?? 200;
    while (this.pendingRuns.length) {
      const next = this.pendingRuns.splice(0, batch);
      await Promise.all(next.map((s) => this.readDetails(s, true, o.signal)));
      this.detailsPending = this.pendingRuns.length;
      data.stats = { ...data.stats, armCalls: this.armCalls, detailsRead: this.detailsRead, detailsPending: this.detailsPending };
      (this.options.cache as FileDetailsCache | undefined)?.save?.();
      o.onBatch?.(data);
    }
  }

  /** Shared assets in each provider tenant's catalogs: classifications, quality, and a snapshot process one hop away. */
  private async purview(): Promise<AssetFact[]> {
    const assets = new Map<string, AssetFact & { kinds: Set<string> }>();
    for (const s of this.shares) {
      const consumerTenants = [...new Set(s.consumers.map((c) => c.consumerTenantName).filter((n) => lc(n) !== lc(this.tenantName(s.tenantId))))];
      for (const d of s.dataSets) {
        if (!d.qualifiedName) continue;
        const k = `${s.tenantId}|${lc(d.qualifiedName)}`;
        const a = assets.get(k) ?? { tenantId: s.tenantId, qualifiedName: d.qualifiedName, name: d.qualifiedName.split('/').filter(Boolean).pop() ?? d.name, classifications: [], shareIds: [], consumerTenants: [], kinds: new Set<string>() };
        a.shareIds.push(s.id);
        for (const c of consumerTenants) if (!a.consumerTenants.includes(c)) a.consumerTenants.push(c);
        a.kinds.add(d.kind);
        assets.set(k, a);
      }
    }
    const byTenant = new Map<string, Array<AssetFact & { kinds: Set<string> }>>();
    for (const a of assets.values()) (byTenant.get(a.tenantId) ?? byTenant.set(a.tenantId, []).get(a.tenantId)!).push(a);
    await Promise.all([...byTenant.entries()].map(async ([tenantId, list]) => {
      const t = this.tenants.find((x) => x.tenant.tenantId === tenantId)!;
      const accounts = this.purviewAccounts.filter((p) => p.tenantId === tenantId);
      if (!accounts.length) return;
      // The tenant's clients from its gathering (no await here: the lookups go out before the details
      // pass queues its 700 reads).
      const clients = this.signedIn.get(tenantId);
      if (!clients) return;
      await Promise.all(accounts.map(async (pa) => {
        const plane = clients.purviewDataPlane(pa.name);
        const byType = new Map<string, Array<AssetFact & { kinds: Set<string> }>>();
        for (const a of list) for (const k of a.kinds) for (const tn of typeNamesFor(k)) (byType.get(tn) ?? byType.set(tn, []).get(tn)!).push(a);
        const found: Array<{ asset: AssetFact; entity: AtlasEntity }> = [];
        const depth = Math.max(this.dataSetDepth, this.purviewAccountDepth) + 1;
        try {
          await Promise.all([...byType.entries()].flatMap(([typeName, group]) => {
            const chunks: Array<typeof group> = [];
            for (let i = 0; i < group.length; i += 40) chunks.push(group.slice(i, i + 40));
            return chunks.map(async (chunk) => {
              this.check();
              this.purviewCalls++;
              this.reached(depth);
              const res = await plane.dataMap.entities.listByUniqueAttributes(typeName, chunk.map((a) => a.qualifiedName), { abortSignal: this.options.signal, minExtInfo: true } as never);
              for (const e of res.entities ?? []) {
                const qn = lc(String(e.attributes?.qualifiedName ?? ''));
                const a = chunk.find((x) => lc(x.qualifiedName) === qn);
                if (a && e.status !== 'DELETED') found.push({ asset: a, entity: e });
              }
            });
          }));
          for (const { asset, entity } of found) {
            asset.guid = entity.guid;
            asset.typeName = entity.typeName;
            asset.purviewAccount = pa.name;
            for (const c of entity.classifications ?? []) if (c.typeName && !asset.classifications.includes(c.typeName)) asset.classifications.push(c.typeName);
            const q = this.options.extras?.qualityOf?.(entity);
            if (q) asset.quality = q;
            // Lineage one hop away, from the entity's own relationship attributes (the processes it
            // feeds or comes from, with their types): no lineage call per asset.
            asset.lineageLinked = Boolean(asset.lineageLinked) || snapshotProcessNextTo(entity);
          }
          // Assets this catalog does not know: it answered, so no link recorded there.
          for (const a of list) if (a.lineageLinked === undefined && !found.some((f) => f.asset === a) && accounts.length === 1) a.lineageLinked = false;
        } catch (e) { this.warn(t.tenant, `Purview account ${pa.name}`, e); }
      }));
    }));
    return [...assets.values()].map(({ kinds: _k, ...a }) => a);
  }
}

/** Whether an entity is an input or output of a live cross-tenant snapshot process. */
function snapshotProcessNextTo(entity: AtlasEntity): boolean {
  const rel = (entity.relationshipAttributes ?? {}) as Record<string, unknown>;
  return ['inputToProcesses', 'outputFromProcesses'].some((k) => Array.isArray(rel[k]) && (rel[k] as Array<{ typeName?: string; entityStatus?: string }>)
    .some((p) => p?.typeName === SNAPSHOT_PROCESS_TYPE && p.entityStatus !== 'DELETED'));
}

/** Gathers the dashboard's facts from the connected tenants (see the file comment for what and how). */
export async function gatherDashboard(tenants: DashboardTenantAccess[], options: GatherOptions = {}): Promise<DashboardData> {
  return (await startDashboard(tenants, options)).data;
}

export interface DashboardSession {
  data: DashboardData;
  /**
   * Reads what the first view left for later: the older history pages (`historySince`; then
   * `data.historyFrom` is removed and `onBatch` called) and the details a 'budget' pass left
   * pending (see Gatherer.fillPending).
   */
  fillPending(o?: { signal?: AbortSignal; batch?: number; onBatch?(data: DashboardData): void }): Promise<void>;
  /** Reads the older history pages only (their details join the pending ones). */
  fillHistory(signal?: AbortSignal): Promise<void>;
}

/** Gathers, and keeps what is needed to read the pending details later without listing anything again. */
export async function startDashboard(tenants: DashboardTenantAccess[], options: GatherOptions = {}): Promise<DashboardSession> {
  const g = new Gatherer(tenants, options);
  const data = await g.run();
  (options.cache as FileDetailsCache | undefined)?.save?.();
  return {
    data,
    fillHistory: (signal) => g.fillHistory(data, signal),
    fillPending: async (o) => {
      if (data.historyFrom || (data.stats.historyPending ?? 0) > 0) {
        await g.fillHistory(data, o?.signal);
        o?.onBatch?.(data);
      }
      await g.fillPending(data, o);
    },
  };
}

export { subOf as subscriptionOfId };
