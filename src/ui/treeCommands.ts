/**
 * Commands on the sidebar trees: refresh one node, Load more, Retry and Copy Details on an
 * activity, catalog search (keywords + classification) and Open Details of an asset (a read-only
 * markdown document).
 */
import * as vscode from 'vscode';
import { classificationLabel } from '../workflows/classifications';
import { CancelledError, UserFacingError } from '../workflows/errors';
import { Activity, activityDetailsText, type ActivityLog } from './activity';
import type { CatalogTreeProvider } from './catalogTree';
import type { CommandRegistry } from './commands';
import type { LazyTreeProvider } from './lazyTree';
import type { SharesTreeProvider } from './sharesTree';
import type { InfoNode } from './treeNodes';

const DETAILS_SCHEME = 'gds-asset';

export interface TreeCommandDeps {
  context: vscode.ExtensionContext;
  commands: CommandRegistry;
  /** The trees' stand-ins: `.provider` loads the real provider (dist/trees.js) on first use. */
  shares: LazyTreeProvider<unknown, SharesTreeProvider>;
  catalog: LazyTreeProvider<unknown, CatalogTreeProvider>;
  activity: ActivityLog;
}

export function registerTreeCommands({ context, commands, shares, catalog, activity }: TreeCommandDeps): void {
  const providers = [shares, catalog];
  const owner = (node: unknown) => providers.find((p) => p.owns(node));

  commands.register('governedDataShare.refreshNode', (node?: unknown) => {
    const p = owner(node);
    if (p) p.provider.refreshNode(node as never);
    else { shares.refresh(); catalog.refresh(); }
  });

  commands.register('governedDataShare.loadMore', async (node?: unknown) => {
    const p = owner(node);
    if (p) await p.provider.loadMore(node as InfoNode);
  });

  commands.register('governedDataShare.retryActivity', async (arg?: unknown) => {
    const a = arg instanceof Activity ? arg : activity.entries().find((x) => x.status === 'failed' && x.retry);
    if (!a?.retry) throw new UserFacingError('This operation cannot be run again from the Activity view.', 'Run its command again from the Command Palette.');
    return a.retry();
  });

  commands.register('governedDataShare.copyActivityDetails', async (arg?: unknown) => {
    const a = arg instanceof Activity ? arg : (arg as { activity?: unknown })?.activity instanceof Activity ? (arg as { activity: Activity }).activity : activity.entries()[0];
    if (!a) throw new UserFacingError('Nothing in the Activity view yet.');
    const text = activityDetailsText(a);
    await vscode.env.clipboard.writeText(text).then(undefined, () => undefined);
    void vscode.window.setStatusBarMessage('Activity details copied', 3000);
    return text;
  });

  commands.register('governedDataShare.searchCatalog', async (arg?: unknown) => {
    const given = arg as { keywords?: string; classification?: string } | undefined;
    let keywords = typeof given?.keywords === 'string' ? given.keywords : undefined;
    let classification = given?.classification;
    if (keywords === undefined && classification === undefined) {
      keywords = await vscode.window.showInputBox({
        title: 'Search the Purview catalogs (1/2): keywords', prompt: 'Words in names, qualified names or descriptions; leave empty for every asset',
        value: catalog.provider.currentSearch?.keywords ?? '', placeHolder: 'e.g. customers, sales.csv',
      });
      if (keywords === undefined) throw new CancelledError();
      const used = await vscode.window.withProgress({ location: { viewId: 'governedDataShare.catalog' } }, () => catalog.provider.classificationsInUse());
      const picked = await vscode.window.showQuickPick(
        [{ label: 'Any classification', name: undefined as string | undefined }, ...used.map((c) => ({ label: classificationLabel(c.name), description: c.name, detail: `${c.count} asset${c.count === 1 ? '' : 's'}`, name: c.name as string | undefined }))],
        { title: 'Search the Purview catalogs (2/2): classification', placeHolder: 'Only assets with this classification', matchOnDescription: true },
      );
      if (!picked) throw new CancelledError();
      classification = picked.name;
    }
    catalog.provider.setSearch({ keywords: keywords ?? '', classification });
    await vscode.commands.executeCommand('governedDataShare.catalog.focus').then(undefined, () => undefined);
    return { keywords: keywords ?? '', classification };
  }, { activityTitle: 'Search the catalog' });

  commands.register('governedDataShare.clearCatalogSearch', () => catalog.provider.setSearch(undefined));

  const documents = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(changed, vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => documents.get(uri.toString()) ?? '',
  }));

  commands.register('governedDataShare.openAssetDetails', async (arg?: unknown) => {
    const node = arg as { guid?: string; tenantId?: string; account?: string; name?: string; place?: { asset?: { guid: string; tenantId: string; account: string; name: string } } } | undefined;
    const target = node?.guid && node.tenantId && node.account ? { guid: node.guid, tenantId: node.tenantId, account: node.account, name: node.name ?? node.guid } : node?.place?.asset;
    if (!target) throw new UserFacingError('Choose an asset in the Purview Catalog view.', 'Right-click an asset and choose Open Details.');
    const text = await catalog.provider.assetDetails(target);
    const safe = target.name.replace(/[^\w.-]+/g, '_') || 'asset';
    const uri = vscode.Uri.from({ scheme: DETAILS_SCHEME, path: `/${target.account}/${safe}.md`, query: `guid=${encodeURIComponent(target.guid)}&tenant=${encodeURIComponent(target.tenantId)}` });
    documents.set(uri.toString(), text);
    changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return text;
  }, { activityTitle: 'Open asset details' });
}
