import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import type { LineagePanelProbe } from '../../src/ui/lineagePanel';
import { createLineageScene, type LineageScene } from '../bench/lineageScene';
import { activateExtension } from './activation.test';

/**
 * The lineage panel in a real VS Code: a sandbox with a Data Share snapshot from Contoso to
 * Fabrikam recorded in both tenants' Purview accounts; the command opens the panel on the sent
 * share (as the Shares view's context menu does), the webview loads and says `ready`, and the host
 * delivers one graph across both tenants, in pages, with the snapshot crossing between them.
 */
describe('Lineage panel', function () {
  this.timeout(240000);
  let sandbox: RunningSandbox;
  let scene: LineageScene;
  const probes: LineagePanelProbe[] = [];
  const config = () => vscode.workspace.getConfiguration('governedDataShare');

  before(async () => {
    await activateExtension();
    sandbox = await startSandbox({ port: 0, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gds-ext-lineage-')), quiet: true, lroRetryAfterSeconds: 0, seed: 'demo' });
    scene = await createLineageScene(sandbox);
    const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.connectSandbox', sandbox.descriptionPath);
    assert.strictEqual(tenants?.length, 2, 'connected to both tenants');
  });

  after(async () => {
    for (const p of probes) p.dispose();
    await config().update('lineage.defaultDepth', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('governedDataShare.disconnect');
    await sandbox?.stop();
  });

  async function open(node: unknown): Promise<LineagePanelProbe> {
    const probe = await vscode.commands.executeCommand<LineagePanelProbe>('governedDataShare.showLineage', node);
    assert.ok(probe, 'the command opened a panel');
    probes.push(probe);
    await probe.loaded();
    return probe;
  }

  it('opens on a sent share and delivers both tenants\' lineage, with the snapshot crossing from provider to consumer', async () => {
    const share = scene.flow.share!;
    const probe = await open({ kind: 'share', id: share.id, name: share.name });
    assert.match(probe.title(), /^Lineage: share /);
    const graph = probe.deliveredGraph();
    assert.ok(graph, `a graph was delivered (webview said: ${probe.received().join(', ')})`);
    assert.ok(probe.received().includes('ready'), 'the webview loaded and asked for the graph');
    // The webview reports problems (a layout worker its CSP refused, a malformed message) as `log`.
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!probe.received().includes('log'), `the webview reported no problem: ${probe.received().join(', ')}`);
    assert.ok(probe.pagesPosted() >= 1);

    const byQn = (qn: string) => graph.nodes.find((n) => n.qualifiedName?.toLowerCase() === qn.toLowerCase());
    const contoso = graph.tenants.find((t) => t.displayName === 'Contoso')!;
    const fabrikam = graph.tenants.find((t) => t.displayName === 'Fabrikam')!;
    assert.strictEqual(contoso.role, 'provider');
    assert.strictEqual(fabrikam.role, 'consumer');
    const sales = byQn(scene.providerQn);
    const landing = byQn(scene.consumerQn);
    assert.strictEqual(sales?.tenantId, contoso.tenantId);
    assert.strictEqual(landing?.tenantId, fabrikam.tenantId);
    assert.ok(!sales?.inferred && !landing?.inferred, 'both sides read from their own catalogs');
    assert.deepStrictEqual(sales?.classifications, ['MICROSOFT.PERSONAL.EMAIL']);
    assert.ok(byQn(scene.rawQn), 'the provider\'s upstream lineage is there');
    assert.ok(byQn(scene.reportsQn), 'the consumer\'s downstream lineage is there');
    assert.strictEqual(graph.nodes.filter((n) => n.kind === 'snapshot').length, 1, 'the snapshot recorded in both catalogs is one node');

    const cross = graph.edges.filter((e) => e.crossTenant);
    assert.strictEqual(cross.length, 1, JSON.stringify(cross));
    assert.strictEqual(cross[0].from, sales!.id);
    assert.strictEqual(cross[0].share?.name, scene.flow.names.share);
    assert.strictEqual(cross[0].subscription?.name, scene.flow.names.shareSubscription);
    assert.strictEqual(cross[0].lastSnapshot?.status, scene.snapshotStatus);
    assert.strictEqual(cross[0].lastSnapshot?.mode, 'FullSync');
    assert.ok(cross[0].lastSnapshot?.time);

    // A later snapshot: refreshing the open panel (what refreshLineagePanels() does) shows it on the edge.
    const next = await scene.flow.synchronize('Incremental');
    await probe.refresh();
    const refreshed = probe.deliveredGraph()!.edges.find((e) => e.crossTenant);
    assert.strictEqual(refreshed?.lastSnapshot?.mode, 'Incremental');
    assert.strictEqual(refreshed?.lastSnapshot?.synchronizationId, next.synchronizationId);
  });

  it('opens on a catalog asset, follows the depth asked for and expands a node\'s neighbours on demand', async () => {
    await config().update('lineage.defaultDepth', 1, vscode.ConfigurationTarget.Global);
    const contoso = scene.flow.env.providerTenantId;
    // The Purview Catalog view's asset node: raw -> nightly-etl -> sales is one hop; the snapshot to Fabrikam is two.
    const probe = await open({ kind: 'asset', guid: '', name: 'raw', qualifiedName: scene.rawQn, entityType: 'azure_blob_container', classifications: [], tenantId: contoso, account: scene.providerPurview });
    assert.match(probe.title(), /^Lineage: raw/);
    const before = probe.deliveredGraph()!;
    const sales = before.nodes.find((n) => n.qualifiedName?.toLowerCase() === scene.providerQn.toLowerCase());
    assert.ok(sales, `one hop downstream is read: ${before.nodes.map((n) => n.label).join(', ')}`);
    assert.ok(!before.nodes.some((n) => n.qualifiedName?.toLowerCase() === scene.consumerQn.toLowerCase()), 'two hops away: not read at depth 1');
    assert.ok(sales.moreDownstream, 'the node says it has more neighbours');
    const added = await probe.expand(sales.id);
    assert.ok(added >= 2, `expanding added the snapshot and the consumer's container (added ${added})`);
    const after = probe.deliveredGraph()!;
    const landing = after.nodes.find((n) => n.qualifiedName?.toLowerCase() === scene.consumerQn.toLowerCase());
    assert.ok(landing, 'the consumer\'s container arrived');
    assert.strictEqual(after.edges.filter((e) => e.crossTenant).length, 1, 'with the snapshot crossing tenants');
  });
});
