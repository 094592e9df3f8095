/**
 * The sidebar as a person sees it, inside a real VS Code: a sandbox where the example recipe ran
 * (through the workflows), the Shares tree expanded to its leaves, pending invitations with terms,
 * an error under one tenant only, the catalog's storage hierarchy with friendly names and
 * classifications, search by classification, the Activity view's steps and Copy Details; and a
 * throttled sandbox with 200 shares expanded and refreshed without 429s surfacing.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension } from './activation.test';
import type { ExtensionApi, TestingApi } from '../../src/ui/activate';
import type { RunningSandbox } from '../../src/sandbox';
import type { RecipeEnv } from '../../src/workflows/env';
import type * as RecipeSupport from '../integration/support/recipe';
import type * as SandboxSupport from '../integration/support/sandbox';

// Loaded when a suite starts, not when mocha loads this file: the activation test checks that no
// Azure SDK module is in the require cache after activating, and these helpers load the SDKs.
let support: typeof RecipeSupport & typeof SandboxSupport;
function loadSupport(): typeof support {
  /* eslint-disable @typescript-eslint/no-require-imports */
  support ??= { ...(require('../integration/support/recipe') as typeof RecipeSupport), ...(require('../integration/support/sandbox') as typeof SandboxSupport) };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return support;
}

type Provider = vscode.TreeDataProvider<unknown>;
interface Row { node: unknown; item: vscode.TreeItem; label: string }

async function rows(p: Provider, parent?: unknown): Promise<Row[]> {
  const nodes = (await p.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node) => {
    const item = await p.getTreeItem(node);
    return { node, item, label: typeof item.label === 'string' ? item.label : item.label?.label ?? '' };
  }));
}

async function child(p: Provider, parent: unknown, match: (r: Row) => boolean, what: string): Promise<Row> {
  const all = await rows(p, parent);
  const hit = all.find(match);
  assert.ok(hit, `${what}; children: ${all.map((r) => `${r.label} [${String(r.item.description ?? '')}]`).join(' | ')}`);
  return hit;
}

const byLabel = (label: string) => (r: Row) => r.label === label;
const tip = (item: vscode.TreeItem) => (typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value ?? '');
const desc = (item: vscode.TreeItem) => String(item.description ?? '');

/** Every item a person can see below `parent`, expanded (Load more followed); checks each has an accessible label. */
async function expandAll(p: Provider, parent: unknown, api: ExtensionApi, depth = 8): Promise<Row[]> {
  if (depth === 0) return [];
  let list = await rows(p, parent);
  for (let guard = 0; guard < 20; guard++) {
    const more = list.find((r) => r.item.contextValue?.includes('loadMore'));
    if (!more) break;
    await vscode.commands.executeCommand('governedDataShare.loadMore', more.node);
    list = await rows(p, parent);
  }
  const out: Row[] = [];
  for (const r of list) {
    assert.ok(r.item.accessibilityInformation?.label || r.item.contextValue?.startsWith('info') || r.item.contextValue?.startsWith('error'), `${r.label} has an accessible label`);
    out.push(r);
    if (r.item.collapsibleState !== vscode.TreeItemCollapsibleState.None) out.push(...await expandAll(p, r.node, api, depth - 1));
  }
  return out;
}

describe('Sidebar trees', function () {
  this.timeout(600000);
  let api: ExtensionApi;
  let testing: TestingApi;
  let sandbox: RunningSandbox;
  let env: RecipeEnv;

  before(async () => {
    api = await activateExtension();
    testing = api.testing!;
    const { startTestSandbox, freshPlan, recipeEnv, runRecipe } = loadSupport();
    ({ sandbox } = await startTestSandbox('trees'));
    // A customer list beside the shared data (not shared: the gate would ask for a justification), so the scan classifies something.
    const plan = freshPlan('trees', { share: { files: { 'crm/contacts.csv': 'name,email\nAda Lovelace,ada.lovelace@contoso.com\nBen Smith,ben.smith@fabrikam.com\nCy Young,cy.young@northwind.com\n' } } });
    env = await recipeEnv(sandbox, plan);
    const result = await runRecipe(env);
    assert.ok(result.ok, `the example recipe ran: ${JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'))}`);
    await vscode.commands.executeCommand('governedDataShare.connectSandbox', sandbox.descriptionPath);
  });

  after(async () => {
    await vscode.commands.executeCommand('governedDataShare.disconnect');
    await sandbox?.stop();
    support?.removeTempDirs();
  });

  const tenantRow = async (name: string) => child(testing.shares, undefined, (r) => r.label.startsWith(name), `tenant ${name}`);

  async function accountRow(tenant: string, account: string): Promise<Row> {
    const t = await tenantRow(tenant);
    const subs = (await rows(testing.shares, t.node)).filter((r) => r.item.contextValue === 'subscription');
    for (const s of subs) {
      const hit = (await rows(testing.shares, s.node)).find((r) => r.label === account);
      if (hit) return hit;
    }
    assert.fail(`account ${account} under ${tenant}`);
  }

  it('shows the sent share with its datasets, consumer, schedule and snapshot history, summarised', async () => {
    const account = await accountRow('Contoso', env.plan.provider.dataShareAccount);
    const sent = await child(testing.shares, account.node, byLabel('Sent shares'), 'Sent shares group');
    const share = await child(testing.shares, sent.node, byLabel(env.plan.share.name), 'the recipe share');
    const sections = await rows(testing.shares, share.node);
    assert.deepStrictEqual(sections.map((s) => s.label), ['Datasets', 'Invitations', 'Consumers', 'Schedule', 'Snapshot history', 'Source storage']);
    const after = await testing.shares.getTreeItem(share.node);
    assert.strictEqual(desc(after), '2 datasets · 1 consumer · daily 02:00');
    assert.match(after.contextValue ?? '', /^sentShare;share;sent;.*hasConsumers/);
    assert.match(tip(after), /Terms of use/);

    const datasets = await rows(testing.shares, sections[0].node);
    assert.deepStrictEqual(datasets.map((d) => d.label).sort(), ['regions', 'sales-history']);
    assert.ok(datasets.every((d) => /Blob (folder|file) · sales/.test(desc(d.item))), datasets.map((d) => desc(d.item)).join(', '));
    const consumers = await rows(testing.shares, sections[2].node);
    assert.strictEqual(consumers.length, 1);
    assert.match(desc(consumers[0].item), /^Active · /);
    assert.strictEqual(((consumers[0].item.iconPath as vscode.ThemeIcon).color as vscode.ThemeColor).id, 'testing.iconPassed');
    const invitations = await rows(testing.shares, sections[1].node);
    assert.match(desc(invitations[0].item), /^Accepted/);
    const schedule = await rows(testing.shares, sections[3].node);
    assert.strictEqual(schedule[0].label, 'Daily 02:00');
    const history = await rows(testing.shares, sections[4].node);
    assert.ok(history.some((h) => /^Succeeded/.test(desc(h.item))), `a succeeded snapshot: ${history.map((h) => desc(h.item)).join(' | ')}`);
    const storage = await rows(testing.shares, sections[5].node);
    assert.strictEqual(storage[0].label, env.plan.provider.storageAccount);
    assert.deepStrictEqual((await rows(testing.shares, storage[0].node)).map((c) => c.label), [env.plan.provider.container]);
  });

  it('shows the received share with its source datasets, mappings, trigger and history', async () => {
    const account = await accountRow('Fabrikam', env.plan.consumer.dataShareAccount);
    const received = await child(testing.shares, account.node, byLabel('Received shares'), 'Received shares group');
    const sub = await child(testing.shares, received.node, byLabel(env.plan.subscription.name), 'the share subscription');
    const sections = await rows(testing.shares, sub.node);
    assert.deepStrictEqual(sections.map((s) => s.label), ['Source datasets', 'Mappings', 'Triggers', 'Snapshot history', 'Target storage']);
    assert.match(desc(await testing.shares.getTreeItem(sub.node)), /^Active · 2 datasets · 2 mapped · trigger daily 02:00$/);
    const mappings = await rows(testing.shares, sections[1].node);
    assert.strictEqual(mappings.length, 2);
    assert.ok(mappings.every((m) => /^Ok → /.test(desc(m.item))), mappings.map((m) => desc(m.item)).join(', '));
    const triggers = await rows(testing.shares, sections[2].node);
    assert.strictEqual(triggers[0].label, 'Daily 02:00');
    const history = await rows(testing.shares, sections[3].node);
    assert.ok(history.some((h) => /^Succeeded/.test(desc(h.item))), 'a received snapshot');
  });

  it('lists a second invitation as pending under the consumer tenant, with its terms in the tooltip', async () => {
    const p = env.provider;
    const ref = { subscriptionId: p.subscriptionId, resourceGroupName: p.plan.resourceGroup, accountName: p.plan.dataShareAccount, shareName: env.plan.share.name, invitationName: 'second-invite' };
    await p.clients.dataShare.invitations.createOrUpdate(ref, { properties: { targetEmail: env.plan.invitation.targetEmail! } });
    const fabrikam = await tenantRow('Fabrikam');
    const group = await child(testing.shares, fabrikam.node, byLabel('Pending invitations'), 'Pending invitations');
    await vscode.commands.executeCommand('governedDataShare.refreshNode', group.node);
    const pending = await child(testing.shares, group.node, byLabel(env.plan.share.name), 'the new invitation');
    assert.match(tip(pending.item), /Terms of use:\*\* Internal analytics only/);
    assert.match(pending.item.contextValue ?? '', /^invitation;pending;hasTerms/);
  });

  it('expands the whole Shares tree with an accessible label on every item', async () => {
    const all = await expandAll(testing.shares, undefined, api);
    assert.ok(all.length > 30, `${all.length} items`);
    assert.ok(!all.some((r) => r.label.startsWith('Error')), all.filter((r) => r.label.startsWith('Error')).map((r) => r.label).join('; '));
  });

  it('refreshing one share refetches only that share, and reveal(resourceId) finds a share created afterwards', async () => {
    const account = await accountRow('Contoso', env.plan.provider.dataShareAccount);
    const sent = await child(testing.shares, account.node, byLabel('Sent shares'), 'Sent shares group');
    const share = await child(testing.shares, sent.node, byLabel(env.plan.share.name), 'the recipe share');
    await rows(testing.shares, share.node);
    const reads = () => sandbox.core.throttle.stats().arm.reads;
    const before = reads();
    await rows(testing.shares, share.node); // cached: no calls
    assert.strictEqual(reads() - before, 0, 'expanding again is served from the cache');
    await vscode.commands.executeCommand('governedDataShare.refreshNode', share.node);
    await rows(testing.shares, share.node);
    const delta = reads() - before;
    assert.ok(delta > 0 && delta <= 4, `only the share's own lists are fetched again (${delta} reads)`);

    const p = env.provider;
    const ref = { subscriptionId: p.subscriptionId, resourceGroupName: p.plan.resourceGroup, accountName: p.plan.dataShareAccount, shareName: 'created-later' };
    const created = await p.clients.dataShare.shares.createOrUpdate(ref, { properties: { shareKind: 'CopyBased', description: 'made by a command' } });
    assert.strictEqual(await api.revealInShares(created.id!), true, 'the new share is found and revealed');
    assert.ok((await rows(testing.shares, sent.node)).some((r) => r.label === 'created-later'), 'its list was fetched again');
  });

  it('an error under one tenant leaves the other tenant untouched, and Retry brings it back', async () => {
    const fabSub = env.consumer.subscriptionId;
    sandbox.setFaults([{ pattern: `^/subscriptions/${fabSub}/providers/Microsoft.DataShare/accounts$`, rate: 1, kind: 'error500' }]);
    await vscode.commands.executeCommand('governedDataShare.refresh');
    const fab = await tenantRow('Fabrikam');
    const sub = (await rows(testing.shares, fab.node)).find((r) => r.item.contextValue === 'subscription')!;
    const err = (await rows(testing.shares, sub.node))[0];
    assert.match(err.label, /^Error: /);
    assert.match(err.item.contextValue ?? '', /retry/);
    const con = await tenantRow('Contoso');
    const conSub = (await rows(testing.shares, con.node)).find((r) => r.item.contextValue === 'subscription')!;
    assert.ok((await rows(testing.shares, conSub.node)).some((r) => r.label === env.plan.provider.dataShareAccount), 'Contoso still lists its account');
    sandbox.setFaults([]);
    await vscode.commands.executeCommand('governedDataShare.refreshNode', err.node);
    assert.ok((await rows(testing.shares, sub.node)).some((r) => r.label === env.plan.consumer.dataShareAccount), 'Fabrikam back after Retry');
  });

  it('shows the catalog in its storage hierarchy with friendly type names and classifications', async () => {
    const contoso = await child(testing.catalog, undefined, (r) => r.label.startsWith('Contoso'), 'Contoso in the catalog');
    const purview = await child(testing.catalog, contoso.node, byLabel(env.plan.provider.purviewAccount!), 'the Purview account');
    const storage = await child(testing.catalog, purview.node, byLabel(env.plan.provider.storageAccount), 'the storage account');
    assert.match(desc(storage.item), /^Storage account/);
    const container = await child(testing.catalog, storage.node, byLabel(env.plan.provider.container), 'the container');
    assert.match(desc(container.item), /^Container/);
    const all = await expandAll(testing.catalog, container.node, api);
    const files = all.filter((r) => /^Blob file/.test(desc(r.item)));
    assert.ok(files.length >= 2, `files: ${all.map((r) => `${r.label} [${desc(r.item)}]`).join(' | ')}`);
    assert.ok(all.some((r) => desc(r.item) === 'Folder' || /^Folder/.test(desc(r.item))), 'a folder level');
    assert.ok(!all.some((r) => /azure_blob_path/.test(desc(r.item))), 'no raw type names');
    const classified = files.find((f) => /classified/.test(f.item.contextValue ?? ''));
    assert.ok(classified, 'a classified file');
    assert.match(tip(classified.item), /\*\*Classifications:\*\* `/);
    const details = await vscode.commands.executeCommand<string>('governedDataShare.openAssetDetails', classified.node);
    assert.match(details, /## Classifications/);
    assert.match(details, /\*\*Qualified name:\*\* `https:\/\//);
  });

  it('search by classification shows only matching assets as a section', async () => {
    const contoso = await child(testing.catalog, undefined, (r) => r.label.startsWith('Contoso'), 'Contoso');
    const purview = await child(testing.catalog, contoso.node, byLabel(env.plan.provider.purviewAccount!), 'account');
    const all = await expandAll(testing.catalog, purview.node, api);
    const classified = all.find((r) => /classified/.test(r.item.contextValue ?? '') && (r.node as { classifications?: string[] }).classifications?.length);
    assert.ok(classified, 'something classified to search for');
    const name = (classified.node as { classifications: string[] }).classifications[0];
    await vscode.commands.executeCommand('governedDataShare.searchCatalog', { keywords: '', classification: name });
    const top = (await rows(testing.catalog))[0];
    assert.match(top.label, /^Search: classified /);
    const groups = await rows(testing.catalog, top.node);
    assert.ok(groups.length >= 1, 'at least one account with hits');
    for (const g of groups) {
      for (const hit of await rows(testing.catalog, g.node)) {
        if (hit.item.contextValue?.startsWith('info')) continue;
        assert.ok((hit.node as { classifications: string[] }).classifications.includes(name), `${hit.label} is classified ${name}`);
      }
    }
    await vscode.commands.executeCommand('governedDataShare.clearCatalogSearch');
    assert.doesNotMatch((await rows(testing.catalog))[0].label, /^Search/);
  });

  it('the Activity view shows an operation with its steps and error, Retry runs it again, and Copy Details leaves secrets out', async () => {
    let release: () => void = () => undefined;
    const running = testing.activityLog.run('Slow operation', async (a) => {
      a.step('wait', 'Wait for the service');
      await new Promise<void>((r) => { release = r; });
    });
    const spinning = (await rows(testing.activity))[0];
    assert.strictEqual((spinning.item.iconPath as vscode.ThemeIcon).id, 'loading~spin');
    assert.match(desc(spinning.item), /^Running… 0:0\d · 0\/1 steps/);
    release();
    await running;
    const done = (await rows(testing.activity))[0];
    assert.strictEqual((done.item.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.match(desc(done.item), /^Succeeded in 0:0\d$/);

    let attempts = 0;
    await testing.activityLog.run('Test operation', async (a) => {
      attempts++;
      a.step('one', 'Create the share').succeed('created');
      a.step('two', 'Send the invitation').fail(Object.assign(new Error('Refused: AccountKey=c2VjcmV0a2V5 sig=abcdef0123'), { nextStep: 'Check the Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig token' }));
      throw Object.assign(new Error('Send the invitation failed (AccountKey=c2VjcmV0a2V5)'), { nextStep: 'Fix the target and retry.' });
    }).catch(() => undefined);
    const top = (await rows(testing.activity))[0];
    assert.strictEqual(top.label, 'Test operation');
    assert.match(desc(top.item), /^Failed in \d+:\d\d$/);
    assert.match(top.item.contextValue ?? '', /canRetry/);
    const children = await rows(testing.activity, top.node);
    assert.deepStrictEqual(children.slice(0, 2).map((c) => c.label), ['Create the share', 'Send the invitation']);
    assert.ok(children.some((c) => c.label.startsWith('Next step: Fix the target')), children.map((c) => c.label).join(' | '));
    const text = await vscode.commands.executeCommand<string>('governedDataShare.copyActivityDetails', top.node);
    assert.match(text, /Steps:/);
    assert.match(text, /Send the invitation/);
    assert.doesNotMatch(text, /c2VjcmV0a2V5|abcdef0123|eyJhbGciOiJub25lIn0/);
    await vscode.commands.executeCommand('governedDataShare.retryActivity', top.node);
    assert.strictEqual(attempts, 2, 'Retry ran the operation again');
  });
});

describe('Sidebar trees under ARM throttling', function () {
  this.timeout(600000);
  let testing: TestingApi;
  let api: ExtensionApi;
  let sandbox: RunningSandbox;

  before(async () => {
    api = await activateExtension();
    testing = api.testing!;
    const { startTestSandbox, freshPlan, recipeEnv } = loadSupport();
    ({ sandbox } = await startTestSandbox('trees-throttle', { throttle: true }));
    const plan = freshPlan('thr');
    const env = await recipeEnv(sandbox, plan);
    const p = env.provider;
    const ds = p.clients.dataShare;
    await p.clients.resources(p.subscriptionId).providers.register('Microsoft.DataShare');
    await p.clients.resources(p.subscriptionId).sdk.resourceGroups.createOrUpdate(p.plan.resourceGroup, { location: plan.location });
    await ds.accounts.createOrUpdateAndWait({ subscriptionId: p.subscriptionId, resourceGroupName: p.plan.resourceGroup, accountName: p.plan.dataShareAccount }, { location: plan.location });
    const ref = { subscriptionId: p.subscriptionId, resourceGroupName: p.plan.resourceGroup, accountName: p.plan.dataShareAccount };
    for (let i = 0; i < 200; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => ds.shares.createOrUpdate({ ...ref, shareName: `share-${String(i + k).padStart(3, '0')}` }, { properties: { shareKind: 'CopyBased', description: `Share ${i + k}` } })));
    }
    await vscode.commands.executeCommand('governedDataShare.connectSandbox', sandbox.descriptionPath);
  });

  after(async () => {
    await vscode.commands.executeCommand('governedDataShare.disconnect');
    await sandbox?.stop();
    support?.removeTempDirs();
  });

  it('expands 200 shares (Load more) and refreshes them without a 429 surfacing', async () => {
    const throttledBefore = sandbox.core.throttle.stats().arm.throttled;
    const contoso = await child(testing.shares, undefined, (r) => r.label.startsWith('Contoso'), 'Contoso');
    const sub = (await rows(testing.shares, contoso.node)).find((r) => r.item.contextValue === 'subscription')!;
    const account = (await rows(testing.shares, sub.node)).find((r) => r.item.contextValue === 'dataShareAccount')!;
    const sent = await child(testing.shares, account.node, byLabel('Sent shares'), 'Sent shares');
    const first = await rows(testing.shares, sent.node);
    assert.strictEqual(first.filter((r) => r.label.startsWith('share-')).length, 50, 'a page of 50');
    assert.ok(first.some((r) => r.label === 'Load more…'), 'Load more beyond a page');
    const all = await expandAll(testing.shares, sent.node, api, 2);
    const shares = all.filter((r) => /^share-\d+$/.test(r.label));
    assert.strictEqual(shares.length, 200);
    assert.ok(!all.some((r) => r.label.startsWith('Error')), `no error nodes: ${all.filter((r) => r.label.startsWith('Error')).map((r) => r.label).slice(0, 3).join('; ')}`);
    assert.ok(shares.every((s) => /0 datasets · 0 consumers · no schedule/.test(desc(s.item)) || s.item.description === 'CopyBased'), 'summaries');

    await vscode.commands.executeCommand('governedDataShare.refreshNode', sent.node);
    const again = await expandAll(testing.shares, sent.node, api, 2);
    assert.strictEqual(again.filter((r) => /^share-\d+$/.test(r.label)).length, 200);
    assert.ok(!again.some((r) => r.label.startsWith('Error')), 'no error nodes after refresh');
    const throttled = sandbox.core.throttle.stats().arm.throttled - throttledBefore;
    assert.ok(throttled <= 5, `no storm of 429s (${throttled})`);
  });
});

describe('Sidebar trees on a first start of the local sandbox', function () {
  this.timeout(600000);
  let testing: TestingApi;

  before(async () => {
    testing = (await activateExtension()).testing!;
    await testing.resetSandbox();
  });

  after(async () => {
    await vscode.commands.executeCommand('governedDataShare.disconnect');
    // Leave no populated sandbox behind: the next Start Local Sandbox starts empty again.
    await testing.resetSandbox();
  });

  it('"Populated demo estate" runs the example recipe, so the trees show a share, a received share and scanned catalogs', async () => {
    const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.startSandbox', { estate: 'demo' });
    assert.ok(Array.isArray(tenants) && tenants.length === 2, 'started and signed in');
    const contoso = await child(testing.shares, undefined, (r) => r.label.startsWith('Contoso'), 'Contoso');
    const sub = (await rows(testing.shares, contoso.node)).find((r) => r.item.contextValue === 'subscription')!;
    const account = await child(testing.shares, sub.node, byLabel('contoso-share'), 'the example Data Share account');
    const sent = await child(testing.shares, account.node, byLabel('Sent shares'), 'Sent shares');
    const share = await child(testing.shares, sent.node, byLabel('monthly-sales'), 'the example share');
    await rows(testing.shares, share.node);
    assert.strictEqual(desc(await testing.shares.getTreeItem(share.node)), '2 datasets · 1 consumer · daily 02:00');
    const fabrikam = await child(testing.shares, undefined, (r) => r.label.startsWith('Fabrikam'), 'Fabrikam');
    const fsub = (await rows(testing.shares, fabrikam.node)).find((r) => r.item.contextValue === 'subscription')!;
    const faccount = await child(testing.shares, fsub.node, byLabel('fabrikam-share'), 'the consumer account');
    const received = await child(testing.shares, faccount.node, byLabel('Received shares'), 'Received shares');
    const subscription = await child(testing.shares, received.node, byLabel('sales-from-contoso'), 'the received share');
    const history = (await rows(testing.shares, subscription.node)).find((r) => r.label === 'Snapshot history')!;
    assert.ok((await rows(testing.shares, history.node)).some((h) => /^Succeeded/.test(desc(h.item))), 'the consumer received a snapshot');
    const catalogTenant = await child(testing.catalog, undefined, (r) => r.label.startsWith('Fabrikam'), 'Fabrikam catalog');
    const purview = await child(testing.catalog, catalogTenant.node, byLabel('fabrikam-purview'), 'the consumer Purview account');
    assert.ok((await rows(testing.catalog, purview.node)).some((r) => r.label === 'fabrikamlanding' && /^Storage account/.test(desc(r.item))), 'the landing storage is scanned');
    const run = (await rows(testing.activity)).find((r) => /^Run recipe/.test(r.label));
    assert.ok(run, 'the run is in the Activity view');
    assert.ok((await rows(testing.activity, run.node)).length >= 20, 'with its steps as children');
  });
});
