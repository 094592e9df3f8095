/**
 * The workflow commands inside a real VS Code, against the sandbox the extension starts: each
 * command runs with pre-filled answers (the wizard's test hook) and its effect is checked through
 * the Azure clients, as a person would check it in the portal.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension } from './activation.test';
import type { ExtensionApi } from '../../src/ui/activate';
import type { SandboxDescription } from '../../src/auth/sandbox';
import { createRecipeEnv, type RecipeEnv } from '../../src/workflows/env';
import type { RecipePlan } from '../../src/workflows/plan';
import { getOrUndefined } from '../../src/workflows/steps/common';
import { CancelledError, isCancellation } from '../../src/workflows/errors';
import { rules } from '../../src/workflows/validate';
import { GoBackError, runWizard, WizardUi, type PromptStep } from '../../src/ui/wizard/wizard';

type AnyNode = { kind?: string; name?: string };

/** Walks the tree (breadth first, a few levels) to the first node that matches. */
async function findNode(provider: vscode.TreeDataProvider<unknown>, match: (n: AnyNode) => boolean, depth = 6): Promise<unknown> {
  let level: unknown[] = [undefined];
  for (let d = 0; d < depth; d++) {
    const next: unknown[] = [];
    for (const parent of level) {
      for (const n of (await provider.getChildren(parent as never)) ?? []) {
        if (match(n as AnyNode)) return n;
        const item = await provider.getTreeItem(n as never);
        if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None) next.push(n);
      }
    }
    level = next;
  }
  return undefined;
}

interface Result { ok: boolean; summary?: string; error?: string; [k: string]: unknown }

/** Progress marks for diagnosing a stuck run (GDS_TEST_MARKS=file). */
function mark(text: string): void {
  if (process.env.GDS_TEST_MARKS) fs.appendFileSync(process.env.GDS_TEST_MARKS, `${new Date().toISOString()} ${text}\n`);
}

const run = (command: string, answers: Record<string, unknown>) =>
  vscode.commands.executeCommand<Result | undefined>(`governedDataShare.${command}`, { answers, confirm: true });

describe('Workflow commands against the sandbox', function () {
  this.timeout(600000);
  let api: ExtensionApi;
  let description: SandboxDescription;
  let env: RecipeEnv;
  const s = crypto.randomBytes(3).toString('hex');
  let p: { pTenant: string; pSub: string; pRg: string; pStorage: string; pContainer: string; pDsAccount: string; pPurview: string };
  let c: { cTenant: string; cSub: string; cRg: string; cStorage: string; cContainer: string; cDsAccount: string };
  const shareName = `sales-${s}`;
  const subscriptionName = `received-${s}`;
  const policyFile = path.join(os.tmpdir(), `gds-policy-${s}.json`);
  let plan: RecipePlan;

  const shareRef = () => ({ subscriptionId: p.pSub, resourceGroupName: p.pRg, accountName: p.pDsAccount, shareName });
  const subRef = () => ({ subscriptionId: c.cSub, resourceGroupName: c.cRg, accountName: c.cDsAccount, shareSubscriptionName: subscriptionName });
  const latest = () => api.activities()[0];
  const expectOk = (r: Result | undefined, what: string) => assert.ok(r?.ok, `${what} succeeded (result ${JSON.stringify(r)}; activity ${JSON.stringify(latest())})`);

  before(async () => {
    api = await activateExtension();
    mark('activated');
    const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.startSandbox');
    assert.ok(Array.isArray(tenants) && tenants.length === 2, `sandbox started: ${JSON.stringify(latest())}`);
    mark(`sandbox started: ${JSON.stringify(tenants)}`);
    const file = api.testing!.sandboxDescriptionPath()!;
    description = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxDescription;
    const contoso = description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    const fabrikam = description.tenants.find((t) => t.displayName.startsWith('Fabrikam'))!;
    p = { pTenant: contoso.tenantId, pSub: contoso.subscriptions[0].subscriptionId, pRg: `contoso-${s}`, pStorage: `cso${s}`, pContainer: 'shared', pDsAccount: `contoso-share-${s}`, pPurview: `contoso-pv-${s}` };
    c = { cTenant: fabrikam.tenantId, cSub: fabrikam.subscriptions[0].subscriptionId, cRg: `fabrikam-${s}`, cStorage: `fab${s}`, cContainer: 'landing', cDsAccount: `fabrikam-share-${s}` };
    plan = {
      version: 1, target: 'sandbox', location: 'westeurope',
      provider: { tenantId: p.pTenant, subscriptionId: p.pSub, identity: 'user', resourceGroup: p.pRg, storageAccount: p.pStorage, container: p.pContainer, dataShareAccount: p.pDsAccount, purviewAccount: p.pPurview },
      consumer: { tenantId: c.cTenant, subscriptionId: c.cSub, identity: 'user', resourceGroup: c.cRg, storageAccount: c.cStorage, container: c.cContainer, dataShareAccount: c.cDsAccount },
      share: { name: shareName, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] },
      invitation: { name: 'to-fabrikam' },
      subscription: { name: subscriptionName },
    };
    // The test's own view of both tenants (the same seeded users the extension signs in).
    env = await createRecipeEnv(plan, { sandboxJson: file });
    mark(`sandbox ready (${contoso.displayName}, ${fabrikam.displayName})`);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('governedDataShare').update('governance.policyFile', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(policyFile, { force: true });
  });

  it('refuses an invalid storage account name with its rule, and creates nothing', async () => {
    mark('provisionProvider with a bad name');
    const r = await run('provisionProvider', { ...p, pRg: `bad-${s}`, pStorage: 'Bad_Name!', pPurview: null, sampleData: false });
    assert.strictEqual(r?.ok, false);
    assert.match(r?.error ?? '', /Storage account 'Bad_Name!' is not a valid name: use 3 to 24 lowercase letters and digits/);
    assert.strictEqual(latest()?.status, 'failed');
    const rg = await getOrUndefined(() => env.provider.clients.resources(p.pSub).resourceGroups.get(`bad-${s}`));
    assert.strictEqual(rg, undefined, 'no resource group was created');
  });

  it('Provision Provider… creates storage, the Data Share account and Purview in the provider tenant', async () => {
    const files = { 'sales/2024/01/sales.csv': 'id,region,amount\n1,north,10.50\n2,south,20.00\n', 'customers/list.csv': 'name,email\nAda Lovelace,ada@contoso.example\nAlan Turing,alan@contoso.example\nGrace Hopper,grace@contoso.example\n' };
    const r = await run('provisionProvider', { ...p, pRgNew: true, location: 'westeurope', files, sampleData: false });
    expectOk(r, 'Provision Provider');
    const storage = await env.provider.clients.storage(p.pSub).accounts.get(p.pRg, p.pStorage);
    assert.strictEqual(storage.kind, 'StorageV2');
    const account = await env.provider.clients.dataShare.accounts.get({ subscriptionId: p.pSub, resourceGroupName: p.pRg, accountName: p.pDsAccount });
    assert.strictEqual(account.properties?.provisioningState, 'Succeeded');
    const pv = await env.provider.clients.purview(p.pSub).accounts.get(p.pRg, p.pPurview);
    assert.strictEqual(pv.provisioningState, 'Succeeded');
    assert.match(latest()?.title ?? '', /^Provision provider in Contoso/);
    assert.strictEqual(latest()?.status, 'succeeded');
  });

  it('Provision Consumer… creates the landing storage and Data Share account in the consumer tenant', async () => {
    expectOk(await run('provisionConsumer', { ...c, cRgNew: true, location: 'westeurope', cPurview: null }), 'Provision Consumer');
    const account = await env.consumer.clients.dataShare.accounts.get({ subscriptionId: c.cSub, resourceGroupName: c.cRg, accountName: c.cDsAccount });
    assert.strictEqual(account.properties?.provisioningState, 'Succeeded');
    await env.consumer.clients.storage(c.cSub).containers.get(c.cRg, c.cStorage, c.cContainer);
  });

  it('Check Cross-Tenant Readiness… reports how the consumer is addressed', async () => {
    const r = await run('checkReadiness', { pTenant: p.pTenant, pSub: p.pSub, cTenant: c.cTenant, cSub: c.cSub, target: 'me', setUp: false });
    expectOk(r, 'Readiness');
    assert.match(r!.summary ?? '', /consumer addressed as the consumer's signed-in principal/);
  });

  it('Create Share… creates the share with its terms', async () => {
    expectOk(await run('createShare', { ...p, shareName, description: 'Monthly sales', terms: 'Internal analytics only.' }), 'Create Share');
    const share = await env.provider.clients.dataShare.shares.get(shareRef());
    assert.strictEqual(share.properties?.terms, 'Internal analytics only.');
  });

  it('Register and Scan… scans the provider storage in Purview', async () => {
    const r = await run('registerAndScan', { side: 'provider', pTenant: p.pTenant, pSub: p.pSub, pRg: p.pRg, pPurview: p.pPurview, pStorage: p.pStorage, pContainer: p.pContainer });
    expectOk(r, 'Register and Scan');
    assert.match(r!.summary ?? '', /scan Succeeded|already scanned/);
  });

  it('Add Datasets… stops at the governance gate for a blocked classification, and adds nothing', async () => {
    fs.writeFileSync(policyFile, JSON.stringify({ blocked: ['MICROSOFT.PERSONAL.EMAIL'], unknown: 'block' }));
    await vscode.workspace.getConfiguration('governedDataShare').update('governance.policyFile', policyFile, vscode.ConfigurationTarget.Global);
    const r = await run('addDatasets', { ...p, shareName, datasets: [{ name: 'customers', kind: 'Folder', path: 'customers' }] });
    assert.strictEqual(r?.ok, false, `blocked: ${JSON.stringify(r)}`);
    assert.match(r?.error ?? '', /governance policy blocks sharing/);
    assert.match(r?.error ?? '', /Email/i);
    const sets = (await env.provider.clients.dataShare.dataSets.listByShare(shareRef()).collect()).items;
    assert.deepStrictEqual(sets.map((d) => d.name), [], 'no dataset was added');
  });

  it('Add Datasets… stops at a failing data-quality rule of the policy file, says which, and adds nothing', async () => {
    const before = fs.readFileSync(policyFile, 'utf8');
    const rulesFile = path.join(os.tmpdir(), `gds-sales-${s}.dq.json`);
    // sales.csv has 2 rows and amounts 10.50 and 20.00: the row count rule fails, the range rule passes.
    fs.writeFileSync(rulesFile, JSON.stringify({ version: 1, rules: [{ kind: 'row_count', id: 'enough-rows', min: 100 }, { kind: 'range', column: 'amount', min: 0 }] }));
    fs.writeFileSync(policyFile, JSON.stringify({ ...JSON.parse(before), quality: { rules: path.basename(rulesFile) } }));
    try {
      const r = await run('addDatasets', { ...p, shareName, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] });
      assert.strictEqual(r?.ok, false, `blocked by data quality: ${JSON.stringify(r)}`);
      assert.match(r?.error ?? '', /enough-rows|row.count/i);
      const sets = (await env.provider.clients.dataShare.dataSets.listByShare(shareRef()).collect()).items;
      assert.deepStrictEqual(sets.map((d) => d.name), [], 'no dataset was added');
    } finally {
      fs.writeFileSync(policyFile, before);
      fs.rmSync(rulesFile, { force: true });
    }
  });

  it('Add Datasets… adds data the policy allows', async () => {
    expectOk(await run('addDatasets', { ...p, shareName, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] }), 'Add Datasets');
    const sets = (await env.provider.clients.dataShare.dataSets.listByShare(shareRef()).collect()).items;
    assert.deepStrictEqual(sets.map((d) => d.name), ['sales']);
  });

  it('Set Snapshot Schedule… adds a daily schedule and keeps the terms', async () => {
    expectOk(await run('setSchedule', { ...p, shareName, recurrence: 'Day', time: '03:30' }), 'Set Snapshot Schedule');
    const settings = (await env.provider.clients.dataShare.synchronizationSettings.listByShare(shareRef()).collect()).items;
    assert.strictEqual(settings.length, 1);
    assert.strictEqual((settings[0] as { properties: { recurrenceInterval: string } }).properties.recurrenceInterval, 'Day');
    const share = await env.provider.clients.dataShare.shares.get(shareRef());
    assert.strictEqual(share.properties?.terms, 'Internal analytics only.');
  });

  it('Invite Consumer… invites the consumer tenant; Accept Invitation… receives it', async () => {
    expectOk(await run('inviteConsumer', { ...p, shareName, target: 'me', cTenant: c.cTenant, invitationName: 'to-fabrikam', expiresOn: null }), 'Invite Consumer');
    const inv = await env.provider.clients.dataShare.invitations.get({ ...shareRef(), invitationName: 'to-fabrikam' });
    assert.strictEqual(inv.properties?.targetActiveDirectoryId, c.cTenant);
    expectOk(await run('acceptInvitation', { cTenant: c.cTenant, invitationId: inv.properties?.invitationId, cSub: c.cSub, cRg: c.cRg, cDsAccount: c.cDsAccount, subscriptionName }), 'Accept Invitation');
    const sub = await env.consumer.clients.dataShare.shareSubscriptions.get(subRef());
    assert.strictEqual(sub.properties.shareSubscriptionStatus, 'Active');
  });

  it('from a tree node: the Shares view\'s share prefills Invite Consumer… (only the rest is answered)', async () => {
    const testing = api.testing!;
    const shareNode = await findNode(testing.shares, (n) => n.kind === 'share' && n.name === shareName);
    assert.ok(shareNode, 'the new share shows in the Shares view');
    const r = await vscode.commands.executeCommand<Result>('governedDataShare.inviteConsumer', shareNode, { answers: { target: 'someone@fabrikam.example', invitationName: 'by-email', expiresOn: null }, confirm: true });
    expectOk(r, 'Invite from the node');
    const inv = await env.provider.clients.dataShare.invitations.get({ ...shareRef(), invitationName: 'by-email' });
    assert.strictEqual(inv.properties?.targetEmail, 'someone@fabrikam.example');
  });

  it('Reject Invitation… rejects a second invitation', async () => {
    expectOk(await run('inviteConsumer', { ...p, shareName, target: 'me', cTenant: c.cTenant, invitationName: 'second', expiresOn: null }), 'second invitation');
    const inv = await env.provider.clients.dataShare.invitations.get({ ...shareRef(), invitationName: 'second' });
    expectOk(await run('rejectInvitation', { cTenant: c.cTenant, invitationId: inv.properties?.invitationId }), 'Reject Invitation');
    const after = await env.provider.clients.dataShare.invitations.get({ ...shareRef(), invitationName: 'second' });
    assert.strictEqual(after.properties?.invitationStatus, 'Rejected');
  });

  it('Map Datasets… maps the received datasets; Snapshot Now… copies the data', async () => {
    expectOk(await run('mapDatasets', { ...c, subscriptionName }), 'Map Datasets');
    const maps = (await env.consumer.clients.dataShare.dataSetMappings.listByShareSubscription(subRef()).collect()).items;
    assert.strictEqual(maps.length, 1);
    const r = await run('snapshotNow', { cTenant: c.cTenant, cSub: c.cSub, cRg: c.cRg, cDsAccount: c.cDsAccount, subscriptionName, mode: 'FullSync' });
    expectOk(r, 'Snapshot Now');
    const syncs = (await env.consumer.clients.dataShare.shareSubscriptions.listSynchronizations(subRef()).collect()).items;
    assert.ok(syncs.some((x) => x.status === 'Succeeded'), `a snapshot succeeded: ${JSON.stringify(syncs)}`);
    assert.match(r!.summary ?? '', /1 file\(s\)/);
  });

  it('Revoke Consumer… then Reinstate Consumer… and Adjust Expiry…', async () => {
    const consumers = (await env.provider.clients.dataShare.providerShareSubscriptions.listByShare(shareRef()).collect()).items;
    assert.strictEqual(consumers.length, 1);
    const consumerId = consumers[0].name!;
    const status = async () => (await env.provider.clients.dataShare.providerShareSubscriptions.listByShare(shareRef()).collect()).items[0].properties?.shareSubscriptionStatus;
    expectOk(await run('revokeConsumer', { ...p, shareName, consumerId }), 'Revoke');
    assert.strictEqual(await status(), 'Revoked');
    expectOk(await run('reinstateConsumer', { ...p, shareName, consumerId, expiresOn: null }), 'Reinstate');
    assert.strictEqual(await status(), 'Active');
    const expiry = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    expectOk(await run('adjustExpiry', { ...p, shareName, consumerId, expiresOn: expiry }), 'Adjust Expiry');
    const after = (await env.provider.clients.dataShare.providerShareSubscriptions.listByShare(shareRef()).collect()).items[0];
    assert.strictEqual(after.properties?.expirationDate?.slice(0, 10), expiry);
  });

  it('Link Lineage… records the snapshot in the provider catalog', async () => {
    const r = await run('linkLineage', { ...p, shareName, cTenant: c.cTenant, cSub: c.cSub, cRg: c.cRg, cDsAccount: c.cDsAccount, subscriptionName, cPurview: null });
    expectOk(r, 'Link Lineage');
    const pv = env.provider.clients.purviewDataPlane(p.pPurview);
    const hits = (await pv.dataMap.discovery.queryPage({ keywords: '*', limit: 100 })).value ?? [];
    const processes = hits.filter((h) => h.entityType === 'azure_datashare_snapshot');
    assert.ok(processes.some((h) => String(h.name ?? '').includes(subscriptionName)), `a snapshot process in the catalog: ${JSON.stringify(hits.map((h) => [h.entityType, h.name]))}`);
  });

  it('Validate… checks the setup and reports', async () => {
    const r = await run('validate', { plan: { ...plan, share: { ...plan.share, schedule: { recurrence: 'Day', time: '03:30' } } } });
    expectOk(r, 'Validate');
    assert.ok(r!.report, 'the validation report is returned');
  });

  it('Export Audit Trail… writes the trail as CSV and Markdown, with the governance decision', async () => {
    const csv = path.join(os.tmpdir(), `gds-audit-${s}.csv`);
    expectOk(await run('exportAudit', { format: 'csv', saveTo: csv }), 'Export CSV');
    const text = fs.readFileSync(csv, 'utf8');
    assert.match(text.split('\r\n')[0], /^time,runId,actorTenantId/);
    assert.match(text, /share\.create/);
    assert.match(text, /governance\.decision,.*blocked/);
    assert.match(text, /subscription\.revoke/);
    const md = path.join(os.tmpdir(), `gds-audit-${s}.md`);
    expectOk(await run('exportAudit', { format: 'md', saveTo: md }), 'Export Markdown');
    assert.match(fs.readFileSync(md, 'utf8'), /^# Audit trail/);
  });

  it('Run Recipe from Plan File… lists every problem of a bad plan and runs nothing', async () => {
    const bad = path.join(os.tmpdir(), `bad-${s}.recipe.json`);
    fs.writeFileSync(bad, JSON.stringify({ ...plan, location: 'West Europe', provider: { ...plan.provider, storageAccount: 'NO' } }));
    const r = await run('runRecipe', { planFile: bad });
    assert.strictEqual(r?.ok, false);
    assert.match(r?.error ?? '', /location/);
    assert.match(r?.error ?? '', /provider\.storageAccount/);
  });

  it('Run Recipe from Plan File… runs a whole plan, then validates it', async () => {
    const t = crypto.randomBytes(3).toString('hex');
    const whole: RecipePlan = {
      ...plan,
      provider: { ...plan.provider, resourceGroup: `contoso-r${t}`, storageAccount: `csor${t}`, dataShareAccount: `contoso-r${t}`, purviewAccount: `contoso-pvr${t}` },
      consumer: { ...plan.consumer, resourceGroup: `fabrikam-r${t}`, storageAccount: `fabr${t}`, dataShareAccount: `fabrikam-r${t}` },
      share: { name: `recipe-${t}`, sampleData: true, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] },
      invitation: { name: 'to-fabrikam' }, subscription: { name: `recipe-${t}` },
    };
    const file = path.join(os.tmpdir(), `whole-${t}.recipe.json`);
    fs.writeFileSync(file, JSON.stringify(whole));
    const r = await run('runRecipe', { planFile: file });
    expectOk(r, 'Run Recipe');
    const e = await createRecipeEnv(whole, { sandboxJson: api.testing!.sandboxDescriptionPath()! });
    const syncs = (await e.consumer.clients.dataShare.shareSubscriptions.listSynchronizations({ subscriptionId: c.cSub, resourceGroupName: whole.consumer.resourceGroup, accountName: whole.consumer.dataShareAccount, shareSubscriptionName: whole.subscription.name }).collect()).items;
    assert.ok(syncs.some((x) => x.status === 'Succeeded'), 'the recipe took a snapshot');
    expectOk(await run('cleanUp', { plan: whole }), 'Clean Up after the recipe');
  });

  it('Clean Up… deletes both tenants\' resources', async () => {
    expectOk(await run('cleanUp', { plan }), 'Clean Up');
    for (const side of [env.provider, env.consumer]) {
      const rg = await getOrUndefined(() => side.clients.resources(side.subscriptionId).resourceGroups.get(side.plan.resourceGroup));
      assert.strictEqual(rg, undefined, `${side.plan.resourceGroup} deleted`);
    }
  });
});

describe('Workflow wizard steps', () => {
  /** Scripted answers in place of the quick input; 'BACK' presses Back. */
  function scripted(answers: unknown[]): WizardUi {
    const ui = new WizardUi({ title: 'test' });
    const next = async () => {
      if (answers.length === 0) assert.fail('the wizard asked more than the script answers');
      const a = answers.shift();
      if (a === 'BACK') throw new GoBackError();
      return a;
    };
    ui.pick = (async () => next()) as WizardUi['pick'];
    ui.input = (async () => next()) as WizardUi['input'];
    return ui;
  }
  const step = (key: string, validate?: (v: unknown) => string | undefined): PromptStep => ({ key, validate, prompt: (_ctx, ui) => ui.input({ prompt: key }) });

  it('asks only what is not known yet (a tree node or answers fill the rest)', async () => {
    const ctx = await runWizard({ a: 'from-node' }, [step('a'), step('b'), step('c')], scripted(['B', 'C']));
    assert.deepStrictEqual(ctx, { a: 'from-node', b: 'B', c: 'C' });
  });

  it('Back returns to the previous prompt and forgets what was answered after it', async () => {
    const seen: string[] = [];
    const steps: PromptStep[] = [
      step('a'),
      { key: 'b', prompt: async (ctx, ui) => { const v = await ui.input({ prompt: 'b' }); ctx.derivedFromB = `${v}!`; return v; } },
      { key: 'c', prompt: async (ctx, ui) => { seen.push(String(ctx.derivedFromB)); return ui.input({ prompt: 'c' }); } },
    ];
    const ctx = await runWizard({}, steps, scripted(['A', 'B1', 'BACK', 'B2', 'C']));
    assert.deepStrictEqual(ctx, { a: 'A', b: 'B2', derivedFromB: 'B2!', c: 'C' });
    assert.deepStrictEqual(seen, ['B1!', 'B2!'], 'c was asked again with the new b');
  });

  it('checks pre-filled answers with the same rule as typing, before asking anything', async () => {
    await assert.rejects(
      runWizard({ storage: 'Not-Valid' }, [step('storage', (v) => rules.storageAccount(String(v))), step('other')], scripted([])),
      (e: Error) => /Storage account 'Not-Valid' is not a valid name/.test(e.message) && /nothing was changed/.test((e as { nextStep?: string }).nextStep ?? ''),
    );
  });

  it('Escape cancels quietly (a cancellation, not an error)', async () => {
    const ui = new WizardUi({ title: 'test' });
    ui.input = async () => { throw new CancelledError(); };
    await assert.rejects(runWizard({}, [step('a')], ui), (e: Error) => isCancellation(e));
  });
});
