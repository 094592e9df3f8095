import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import { describeError } from '../workflows/errors';
import type { AuthAccount } from '../auth/tokenSource';
import type { Discovery, TenantStatus } from '../auth/tenants';
import type { Connection } from './connection';

/** Items shown per page of a long list before a "Load more" node. */
export const PAGE_SIZE = 50;

/** A leaf that tells something instead of showing a resource: an empty state, an error, "Load more". */
export interface InfoNode {
  kind: 'info';
  label: string;
  icon: string;
  description?: string;
  tooltip?: string | vscode.MarkdownString;
  /** Extra context value (menus act on it), e.g. `missingRegistration`. */
  context?: string;
  /** What an action on this node needs (e.g. the subscription and namespace to register). */
  data?: Record<string, string>;
  /** Runs when the node is clicked (sign-in actions, Load more). */
  command?: vscode.Command;
}

export function infoNode(label: string, icon = 'info'): InfoNode {
  return { kind: 'info', label, icon };
}

/** The error of a failed load, shown in place of the children it prevented (next step in the tooltip, Retry inline). */
export function errorNode(error: unknown): InfoNode {
  const { message, nextStep } = describeError(error);
  return { kind: 'info', label: `Error: ${message}`, icon: 'error', context: 'retry', tooltip: nextStep ? `${message}\n${nextStep}` : message };
}

/** `a;b;c` from tags: de-duplicated, empty ones dropped, order kept (the first tag is the node's kind, menus match `^kind`). */
export function contextValue(...tags: Array<string | false | undefined | null>): string {
  const seen = new Set<string>();
  for (const t of tags) if (t) seen.add(t);
  return [...seen].join(';');
}

export function infoTreeItem(node: InfoNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(node.icon, node.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.contextValue = contextValue(node.icon === 'error' ? 'error' : 'info', ...(node.context ?? '').split(';'));
  item.accessibilityInformation = { label: [node.label, node.description].filter(Boolean).join(', ') };
  if (node.command) item.command = node.command;
  return item;
}

/** "Sign in to this tenant" / "Sign in again": clicking it signs the account in to that tenant. */
export function signInNode(tenantId: string, account: AuthAccount | undefined, again: boolean, reason?: string): InfoNode {
  const label = again ? 'Sign in again' : 'Sign in to this tenant';
  return {
    kind: 'info', label, icon: 'sign-in', context: 'signIn',
    tooltip: [reason, account ? `Account ${account.label}` : undefined].filter(Boolean).join('\n') || undefined,
    data: { tenantId, ...(account ? { accountId: account.id, accountLabel: account.label } : {}) },
    command: { command: 'governedDataShare.signInToTenant', title: label, arguments: [{ tenantId, account }] },
  };
}

/** The tenant-level outcome of discovery, shown instead of its children when it is not signed in. */
export function tenantStatusNodes(status: TenantStatus, wasSignedIn: boolean): InfoNode[] | undefined {
  if (status.state === 'signedIn') return undefined;
  if (status.state === 'signInRequired') return [signInNode(status.tenant.tenantId, status.account, wasSignedIn, describeError(status.error).message)];
  return [errorNode(status.error)];
}

/** `/subscriptions/{s}/resourceGroups/{rg}/...` → rg. */
export function resourceGroupOf(id: string | undefined): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';
}

export interface TenantNode { kind: 'tenant'; tenant: TenantSummary; status?: TenantStatus }

/** Tenants signed in at some point in this window: a later silent failure offers "Sign in again". */
const signedInTenants = new Set<string>();

/** Root nodes for a discovery: tenants, then accounts that need attention, then a hint when empty. */
function rootNodes(d: Discovery): Array<TenantNode | InfoNode> {
  const tenants: Array<TenantNode | InfoNode> = d.tenants.map((status) => {
    if (status.state === 'signedIn') signedInTenants.add(status.tenant.tenantId.toLowerCase());
    return {
      kind: 'tenant', status,
      tenant: {
        tenantId: status.tenant.tenantId, displayName: status.tenant.displayName, domain: status.tenant.domain,
        subscriptions: status.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })),
      },
    };
  });
  for (const problem of d.accountProblems) {
    tenants.push(problem.state === 'signInRequired'
      ? { ...signInNode(problem.account.homeTenantId ?? '', problem.account, true, describeError(problem.error).message), label: `Sign in again: ${problem.account.label}` }
      : { ...errorNode(problem.error), label: `Error (${problem.account.label}): ${describeError(problem.error).message}` });
  }
  if (d.accounts.length === 0) {
    tenants.push({ kind: 'info', label: 'Sign in to Azure…', icon: 'sign-in', context: 'signIn', command: { command: 'governedDataShare.signIn', title: 'Sign In to Azure…' } });
  } else if (d.tenants.length === 0 && d.accountProblems.length === 0) {
    tenants.push(infoNode(d.hiddenTenants.length ? 'Every tenant is hidden by the filter: Select Tenants and Subscriptions…' : 'No tenants for the signed-in accounts'));
  }
  return tenants;
}

// ---------------------------------------------------------------------------------------------
// Staying within Azure's limits: a small shared limiter per tenant
// ---------------------------------------------------------------------------------------------

export { Limiter, limiterFor, mapLimit, TENANT_CONCURRENCY } from './limiter';
import { limiterFor } from './limiter';

// ---------------------------------------------------------------------------------------------
// The provider: cached children, paging, errors with retry, per-node refresh, getParent, reveal
// ---------------------------------------------------------------------------------------------

/** Children delivered a page at a time (from a client's `byPage()`): the tree shows "Load more" while there are more. */
export interface PagedChildren<T> {
  kind: 'paged';
  /** Each `next()` brings one service page of nodes (may be any size; the tree shows PAGE_SIZE at a time). */
  pages: AsyncIterator<T[]>;
  /** Shown before the paged items (e.g. fixed sections). */
  head?: T[];
  /** Shown when the listing is empty. */
  empty?: InfoNode;
  /** Noun for "Load more …" (default "items"). */
  noun?: string;
}

/** A client's paged list as tree children: pages fetched through the tenant's limiter, items mapped to nodes. */
export function pagedChildren<I, T>(tenantId: string, list: { byPage(): AsyncIterableIterator<I[]> }, map: (item: I) => T | undefined, options: { empty?: InfoNode; noun?: string; head?: T[]; subscriptionId?: string } = {}): PagedChildren<T> {
  let iterator: AsyncIterableIterator<I[]> | undefined;
  const limiter = limiterFor(tenantId, options.subscriptionId);
  return {
    kind: 'paged',
    ...options,
    pages: {
      next: async () => {
        iterator ??= list.byPage();
        const r = await limiter.run(() => iterator!.next());
        if (r.done) return { done: true, value: undefined };
        return { done: false, value: r.value.map(map).filter((x): x is T => x !== undefined) };
      },
    },
  };
}

type AnyNode<N> = N | TenantNode | InfoNode;

interface ChildState<N> {
  items: Array<AnyNode<N>>;
  loading?: Promise<Array<AnyNode<N>>>;
  pages?: AsyncIterator<Array<AnyNode<N>>>;
  buffer: Array<AnyNode<N>>;
  done: boolean;
  noun: string;
}

const ROOT = { kind: 'root' } as const;

/**
 * A view over the current connection: one root per tenant, children loaded on expand (in
 * parallel where a level needs several lists) and cached per node until that node is refreshed;
 * long lists show PAGE_SIZE items and a "Load more" node; a load failure shows as an error node
 * with Retry in place of the children it prevented (other tenants unaffected). Implements
 * getParent so `reveal(resourceId)` can show a resource created by a command.
 * Subclasses say what a node's children are and how a node looks.
 */
export abstract class ConnectedTreeProvider<N extends { kind: string }> implements vscode.TreeDataProvider<AnyNode<N>> {
  protected readonly changed = new vscode.EventEmitter<AnyNode<N> | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private cache = new Map<object, ChildState<N>>();
  private parents = new WeakMap<object, object>();
  private view: vscode.TreeView<AnyNode<N>> | undefined;

  constructor(protected readonly connection: Connection, private readonly viewName: string, private readonly tenantState: vscode.TreeItemCollapsibleState) {
    connection.onDidChange(() => this.refresh());
  }

  /** The TreeView showing this provider (for reveal). */
  attach(view: vscode.TreeView<AnyNode<N>>): void { this.view = view; }

  /** Forgets every cached list and redraws the whole view. */
  refresh(): void {
    this.cache = new Map();
    this.changed.fire(undefined);
  }

  /**
   * Refetches one node's subtree only (an error or "Load more" node refreshes its parent).
   * Nodes elsewhere keep their cached children.
   */
  refreshNode(node?: AnyNode<N>): void {
    if (!node) return this.refresh();
    const target = node.kind === 'info' ? (this.parents.get(node) as AnyNode<N> | undefined) : node;
    if (!target || target === ROOT as unknown) return this.refresh();
    this.forget(target);
    this.changed.fire(target);
  }

  /** Drops the cached children of `node` and of everything under it. */
  private forget(node: object): void {
    const state = this.cache.get(node);
    this.cache.delete(node);
    for (const child of state?.items ?? []) this.forget(child);
  }

  /** Whether this provider produced `node` (commands shared by several views use it). */
  owns(node: unknown): boolean {
    return typeof node === 'object' && node !== null && (this.parents.has(node) || this.cache.has(node));
  }

  getParent(node: AnyNode<N>): AnyNode<N> | undefined {
    const p = this.parents.get(node);
    return p === ROOT ? undefined : (p as AnyNode<N> | undefined);
  }

  async getChildren(node?: AnyNode<N>): Promise<Array<AnyNode<N>>> {
    if (!this.connection.info) return [];
    if (node?.kind === 'info') return [];
    const key: object = node ?? ROOT;
    const cached = this.cache.get(key);
    if (cached) return cached.loading ? cached.loading : cached.items;
    const state: ChildState<N> = { items: [], buffer: [], done: true, noun: 'items' };
    this.cache.set(key, state);
    state.loading = this.load(node).then(async (result) => {
      if (Array.isArray(result)) {
        state.items = result;
      } else {
        state.pages = result.pages;
        state.done = false;
        state.noun = result.noun ?? 'items';
        const first = await this.nextPage(state);
        state.items = [...(result.head ?? []), ...first];
        if (first.length === 0 && result.empty) state.items.push(result.empty);
        this.addLoadMore(key, state);
      }
      return state.items;
    }).catch((error: unknown) => {
      state.items = [node ? this.errorFor(node as N | TenantNode, error) : errorNode(error)];
      return state.items;
    }).then((items) => {
      for (const c of items) this.parents.set(c, key);
      state.loading = undefined;
      if (this.cache.get(key) === state) this.childrenLoaded(node as N | TenantNode | undefined, items);
      return items;
    });
    return state.loading;
  }

  /** Called once a node's children are loaded (a subclass can update the node's own summary). */
  protected childrenLoaded(_node: N | TenantNode | undefined, _children: Array<AnyNode<N>>): void { /* nothing by default */ }

  private async load(node: AnyNode<N> | undefined): Promise<Array<AnyNode<N>> | PagedChildren<AnyNode<N>>> {
    if (!node) {
      try {
        return [...this.rootExtras(), ...rootNodes(await this.connection.discovery())];
      } catch (error) {
        return [errorNode(error)];
      }
    }
    if (node.kind === 'tenant' && (node as TenantNode).status) {
      const status = (node as TenantNode).status!;
      const instead = tenantStatusNodes(status, signedInTenants.has(status.tenant.tenantId.toLowerCase()));
      if (instead) return instead;
    }
    return this.childrenOf(node as N | TenantNode);
  }

  /** Nodes shown above the tenants (e.g. search results). */
  protected rootExtras(): Array<AnyNode<N>> { return []; }

  /** Up to PAGE_SIZE more items from the listing (pulling service pages as needed). */
  private async nextPage(state: ChildState<N>): Promise<Array<AnyNode<N>>> {
    while (state.buffer.length < PAGE_SIZE && !state.done && state.pages) {
      const r = await state.pages.next();
      if (r.done) state.done = true;
      else state.buffer.push(...r.value);
    }
    return state.buffer.splice(0, PAGE_SIZE);
  }

  private addLoadMore(key: object, state: ChildState<N>): void {
    if (state.done && state.buffer.length === 0) return;
    const shown = state.items.filter((i) => i.kind !== 'info').length;
    const more: InfoNode = {
      kind: 'info', label: 'Load more…', icon: 'refresh', context: 'loadMore', description: `${shown} shown`,
      tooltip: `Show the next ${PAGE_SIZE} ${state.noun}`,
    };
    more.command = { command: 'governedDataShare.loadMore', title: 'Load More', arguments: [more] };
    this.parents.set(more, key);
    state.items.push(more);
  }

  /** "Load more" was chosen: appends the next page under the same parent. */
  async loadMore(more: InfoNode): Promise<void> {
    const key = this.parents.get(more);
    if (!key) return;
    const state = this.cache.get(key);
    if (!state || !state.items.includes(more)) return;
    state.items = state.items.filter((i) => i !== more);
    try {
      const page = await this.nextPage(state);
      for (const c of page) this.parents.set(c, key);
      state.items.push(...page);
      this.addLoadMore(key, state);
    } catch (error) {
      const err = errorNode(error);
      this.parents.set(err, key);
      state.items.push(err);
    }
    this.changed.fire(key === ROOT ? undefined : (key as AnyNode<N>));
  }

  /** Whether `node` is the resource (`exact`) or holds it further down (`ancestor`). */
  protected locate(node: AnyNode<N>, resourceId: string): 'exact' | 'ancestor' | undefined {
    const own = node.kind === 'info' ? undefined : this.resourceIdOf(node as N | TenantNode);
    if (!own) return undefined;
    const a = own.toLowerCase().replace(/\/+$/, '');
    const b = resourceId.toLowerCase().replace(/\/+$/, '');
    if (a === b) return 'exact';
    return b.startsWith(`${a}/`) ? 'ancestor' : undefined;
  }

  /** The resource id (or id prefix) a node stands for; used by reveal. */
  protected resourceIdOf(_node: N | TenantNode): string | undefined { return undefined; }

  /** Finds the node of a resource by its id (loading pages and refreshing stale lists on the way). */
  async find(resourceId: string): Promise<AnyNode<N> | undefined> {
    let parent: AnyNode<N> | undefined;
    for (let depth = 0; depth < 12; depth++) {
      let refreshed = false;
      for (;;) {
        const children = await this.getChildren(parent);
        const hit = children.map((c) => ({ c, m: this.locate(c, resourceId) })).find((x) => x.m);
        if (hit?.m === 'exact') return hit.c;
        if (hit) { parent = hit.c; break; }
        const more = children.find((c) => c.kind === 'info' && (c as InfoNode).context === 'loadMore') as InfoNode | undefined;
        if (more) { await this.loadMore(more); continue; }
        if (refreshed) return undefined;
        // Created after this list was loaded: fetch it again once.
        this.forget(parent ?? ROOT);
        this.changed.fire(parent);
        refreshed = true;
      }
    }
    return undefined;
  }

  /** Shows the node of a resource (e.g. a share just created), expanding its ancestors. */
  async reveal(resourceId: string, options: { select?: boolean; focus?: boolean; expand?: boolean | number } = { select: true, focus: true }): Promise<boolean> {
    const node = await this.find(resourceId);
    if (!node) return false;
    await this.view?.reveal(node, options);
    return true;
  }

  /** The node shown when loading `node`'s children failed; subclasses can attach an action. */
  protected errorFor(_node: N | TenantNode, error: unknown): InfoNode {
    return errorNode(error);
  }

  getTreeItem(node: AnyNode<N>): vscode.TreeItem {
    if (node.kind === 'info') return infoTreeItem(node as InfoNode);
    if (node.kind === 'tenant') {
      const { tenant } = node as TenantNode;
      const item = new vscode.TreeItem(tenant.displayName, this.tenantState);
      item.id = `${this.viewName}/tenant/${tenant.tenantId}`;
      item.description = tenant.domain;
      const status = (node as TenantNode).status;
      const md = new vscode.MarkdownString(`**Tenant ${tenant.displayName}**\n\n${tenant.domain}\n\n\`${tenant.tenantId}\`${status ? `\n\nAccount ${status.account.label}` : ''}`);
      item.tooltip = md;
      item.iconPath = new vscode.ThemeIcon('organization', status && status.state !== 'signedIn' ? new vscode.ThemeColor(status.state === 'error' ? 'errorForeground' : 'list.warningForeground') : undefined);
      item.contextValue = status && status.state !== 'signedIn' ? `tenant;${status.state}` : 'tenant';
      item.accessibilityInformation = { label: `Tenant ${tenant.displayName}${status && status.state !== 'signedIn' ? `, ${status.state === 'error' ? 'error' : 'sign-in required'}` : ''}` };
      return item;
    }
    return this.itemFor(node as N);
  }

  protected abstract childrenOf(node: N | TenantNode): Promise<Array<N | InfoNode> | PagedChildren<N | InfoNode>>;
  protected abstract itemFor(node: N): vscode.TreeItem;
}
