/**
 * A TreeDataProvider registered at activation in place of a tree provider whose code loads later.
 * The real provider is created on first need (the view asking for its items, a reveal, a command on
 * a node) and from then on every call is forwarded to it and its change events are fired again by
 * the stand-in, so the view, reveal and the commands behave exactly as with the real provider.
 * Until it exists nothing has been shown or cached, so there is nothing to refresh or own.
 */
import * as vscode from 'vscode';

/** What the stand-in needs from the real provider (ConnectedTreeProvider has all of it). */
export interface RealTreeProvider<T> extends vscode.TreeDataProvider<T> {
  readonly onDidChangeTreeData: vscode.Event<T | T[] | undefined | null | void>;
  getParent(node: T): vscode.ProviderResult<T>;
  attach(view: vscode.TreeView<T>): void;
  refresh(): void;
  owns(node: unknown): boolean;
  reveal(resourceId: string, options?: { select?: boolean; focus?: boolean; expand?: boolean | number }): Promise<boolean>;
}

export class LazyTreeProvider<T, P extends RealTreeProvider<T>> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | null | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private real: P | undefined;
  private forwarding: vscode.Disposable | undefined;
  private view: vscode.TreeView<T> | undefined;

  /** `create` loads the provider's code and makes the provider; it runs at most once. */
  constructor(private readonly create: () => P) {}

  /** Whether the real provider exists yet. */
  get loaded(): boolean { return this.real !== undefined; }

  /** The real provider, created (and its code loaded) on first use. */
  get provider(): P {
    if (!this.real) {
      const real = this.create();
      this.real = real;
      this.forwarding = real.onDidChangeTreeData((e) => this.changed.fire(e));
      if (this.view) real.attach(this.view);
    }
    return this.real;
  }

  /** The TreeView showing this provider (the real provider reveals through it). */
  attach(view: vscode.TreeView<T>): void {
    this.view = view;
    this.real?.attach(view);
  }

  getChildren(node?: T): vscode.ProviderResult<T[]> { return this.provider.getChildren(node); }
  getTreeItem(node: T): vscode.TreeItem | Thenable<vscode.TreeItem> { return this.provider.getTreeItem(node); }
  getParent(node: T): vscode.ProviderResult<T> { return this.provider.getParent(node); }

  /** Forgets every cached list and redraws (before the first load there is no cache: just redraw). */
  refresh(): void {
    if (this.real) this.real.refresh();
    else this.changed.fire(undefined);
  }

  /** Whether the real provider produced `node` (nothing was produced before it exists). */
  owns(node: unknown): boolean { return this.real?.owns(node) ?? false; }

  /** Shows the node of a resource (by ARM id), loading the provider if needed. */
  reveal(resourceId: string, options?: { select?: boolean; focus?: boolean; expand?: boolean | number }): Promise<boolean> {
    return this.provider.reveal(resourceId, options);
  }

  dispose(): void {
    this.forwarding?.dispose();
    this.changed.dispose();
  }
}
