/**
 * The stand-in tree provider registered at activation (src/ui/lazyTree.ts): it loads the real
 * provider only when something needs it, and from then on the view sees exactly the real provider
 * (children, items, parents, change events, reveal through the attached view).
 * Plain Node has no `vscode` module: the one class the stand-in uses (EventEmitter) is provided here
 * with VS Code's semantics (listeners called in order, disposable subscriptions).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import type * as LazyTreeModule from '../../src/ui/lazyTree';

class EventEmitter<T> {
  private listeners: Array<(e: T) => unknown> = [];
  private disposed = false;
  readonly event = (listener: (e: T) => unknown) => {
    this.listeners.push(listener);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
  };
  fire(e: T): void { if (!this.disposed) for (const l of [...this.listeners]) l(e); }
  dispose(): void { this.disposed = true; this.listeners = []; }
}

/** Requires src/ui/lazyTree with `vscode` answered by the stub above (only while it loads). */
function loadLazyTree(): typeof LazyTreeModule {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? { EventEmitter } : load.call(this, request, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../../src/ui/lazyTree') as typeof LazyTreeModule;
  } finally {
    loader._load = load;
  }
}

interface Node { id: string; parent?: Node }

/** A provider with the ConnectedTreeProvider surface: a fixed tree, change events, reveal through its view. */
class RealProvider {
  private readonly changed = new EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly root: Node = { id: 'tenant' };
  readonly leaf: Node = { id: 'share', parent: this.root };
  view: { reveal(n: Node, o?: unknown): Thenable<void> } | undefined;
  refreshed = 0;
  getChildren(node?: Node): Node[] { return node === undefined ? [this.root] : node === this.root ? [this.leaf] : []; }
  getTreeItem(node: Node): { label: string } { return { label: node.id }; }
  getParent(node: Node): Node | undefined { return node.parent; }
  attach(view: { reveal(n: Node, o?: unknown): Thenable<void> }): void { this.view = view; }
  refresh(): void { this.refreshed++; this.changed.fire(undefined); }
  owns(node: unknown): boolean { return node === this.root || node === this.leaf; }
  async reveal(id: string, options?: unknown): Promise<boolean> {
    const node = id === 'share' ? this.leaf : id === 'tenant' ? this.root : undefined;
    if (!node) return false;
    await this.view?.reveal(node, options);
    return true;
  }
  fireChange(node?: Node): void { this.changed.fire(node); }
}

describe('Lazy tree provider (activation stand-in)', () => {
  const { LazyTreeProvider } = loadLazyTree();

  function setup() {
    let created = 0;
    let real: RealProvider | undefined;
    const lazy = new LazyTreeProvider<Node, RealProvider>(() => { created++; real = new RealProvider(); return real; });
    const events: Array<Node | Node[] | undefined | null | void> = [];
    lazy.onDidChangeTreeData((e) => events.push(e));
    const revealed: Array<{ node: Node; options?: unknown }> = [];
    const view = { reveal: async (node: Node, options?: unknown) => { revealed.push({ node, options }); } };
    return { lazy, events, revealed, view, created: () => created, real: () => real };
  }

  it('loads nothing until the view asks for items, then gives the real children, items and parents', async () => {
    const t = setup();
    t.lazy.attach(t.view as never);
    assert.strictEqual(t.lazy.owns({}), false, 'nothing is owned before the provider exists');
    assert.strictEqual(t.created(), 0, 'attach and owns do not load the provider');
    assert.strictEqual(t.lazy.loaded, false);

    const roots = await t.lazy.getChildren();
    assert.strictEqual(t.created(), 1, 'the first getChildren creates the provider');
    assert.deepStrictEqual(roots, [t.real()!.root]);
    assert.deepStrictEqual(await t.lazy.getChildren(t.real()!.root), [t.real()!.leaf]);
    assert.deepStrictEqual(await t.lazy.getTreeItem(t.real()!.leaf), { label: 'share' });
    assert.strictEqual(await t.lazy.getParent(t.real()!.leaf), t.real()!.root);
    assert.strictEqual(t.lazy.owns(t.real()!.leaf), true);
    assert.strictEqual(t.lazy.owns({ id: 'share' }), false, 'only nodes the real provider produced');
    await t.lazy.getChildren();
    assert.strictEqual(t.created(), 1, 'the provider is made once');
  });

  it('fires the real provider\'s change events to the view, and a refresh before loading redraws without loading', async () => {
    const t = setup();
    t.lazy.refresh();
    assert.deepStrictEqual(t.events, [undefined], 'a refresh before the load still tells the view to redraw');
    assert.strictEqual(t.created(), 0, 'a refresh before the load loads nothing');

    await t.lazy.getChildren();
    const real = t.real()!;
    real.fireChange(real.root);
    real.fireChange(undefined);
    assert.deepStrictEqual(t.events, [undefined, real.root, undefined], 'events from the real provider reach the view');

    t.lazy.refresh();
    assert.strictEqual(real.refreshed, 1, 'after the load, refresh is the real provider\'s (drops its cache)');
    assert.deepStrictEqual(t.events, [undefined, real.root, undefined, undefined]);

    t.lazy.dispose();
    real.fireChange(real.leaf);
    assert.strictEqual(t.events.length, 4, 'nothing is forwarded after dispose');
  });

  it('reveals through the attached view, attaching it when the provider is created later', async () => {
    const t = setup();
    t.lazy.attach(t.view as never);
    assert.strictEqual(t.created(), 0);
    assert.strictEqual(await t.lazy.reveal('share', { select: true, focus: false }), true);
    assert.strictEqual(t.created(), 1, 'reveal loads the provider');
    assert.deepStrictEqual(t.revealed, [{ node: t.real()!.leaf, options: { select: true, focus: false } }], 'the view reveals the real node');
    assert.strictEqual(await t.lazy.reveal('missing'), false);
  });

  it('attaches a view given after the provider exists', async () => {
    const t = setup();
    await t.lazy.getChildren();
    assert.strictEqual(t.real()!.view, undefined);
    t.lazy.attach(t.view as never);
    assert.strictEqual(t.real()!.view, t.view);
    assert.strictEqual(await t.lazy.reveal('tenant'), true);
    assert.deepStrictEqual(t.revealed.map((r) => r.node.id), ['tenant']);
  });
});

describe('Extension bundle without the trees', () => {
  it('dist/extension.js holds none of the tree providers\' code; dist/trees.js holds it and is required at run time', function () {
    const dist = path.resolve(__dirname, '../../../dist');
    const metaFile = path.join(dist, 'meta.json');
    if (!fs.existsSync(metaFile)) this.skip(); // npm test builds before the unit tier
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const inputsOf = (name: string) => Object.keys(Object.entries(meta.outputs).find(([file]) => file.replace(/\\/g, '/').endsWith(`dist/${name}`))?.[1].inputs ?? {});
    const treeSources = ['src/ui/sharesTree.ts', 'src/ui/catalogTree.ts', 'src/ui/treeNodes.ts', 'src/ui/limiter.ts'];
    assert.deepStrictEqual(inputsOf('extension.js').filter((f) => treeSources.includes(f)), [], 'no tree code in the activation bundle');
    assert.deepStrictEqual(treeSources.filter((f) => !inputsOf('trees.js').includes(f)), [], 'the trees bundle has all of it');
    assert.match(fs.readFileSync(path.join(dist, 'extension.js'), 'utf8'), /require\("\.\/trees\.js"\)/, 'loaded from dist/trees.js at run time');
  });
});
