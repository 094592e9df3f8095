/**
 * Bad input gets a clear message and changes nothing: invalid names and emails, a taken storage
 * name, an unknown tenant, an expired invitation, a revoked subscription, a missing role, a blocked
 * classification, a plan that fails its schema. Plus the headless runner as a person runs it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox';
import { AuditTrail } from '../../src/workflows/audit';
import { revokeConsumer } from '../../src/workflows/control';
import { createRecipeEnv } from '../../src/workflows/env';
import { parsePlan } from '../../src/workflows/plan';
import { recipeSteps, stepsFor } from '../../src/workflows/recipe';
import { validateEstate } from '../../src/workflows/validation';
import { freshPlan, recipeEnv, runCli, runRecipe, runRecipeCli } from './support/recipe';
import { startTestSandbox } from './support/sandbox';

const CARDS = 'id,card\n1,4111 1111 1111 1111\n2,5500 0000 0000 0004\n3,340000000000009\n4,6011000000000004\n';
const EMAILS = 'id,name,email\n1,Ada,ada@contoso.com\n2,Ben,ben@fabrikam.com\n3,Cy,cy@northwind.io\n4,Di,di@example.org\n';

describe('recipe: bad input is refused clearly and changes nothing', function () {
  this.timeout(240_000);
  let sandbox: RunningSandbox;
  let dir: string;
  before(async () => {
    ({ sandbox } = await startTestSandbox('recipe-errors'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-recipe-errors-'));
  });
  after(async () => {
    await sandbox?.stop();
  });

  async function rgExists(plan: ReturnType<typeof freshPlan>, which: 'provider' | 'consumer'): Promise<boolean> {
    const env = await recipeEnv(sandbox, plan);
    return env[which].clients.resources(env[which].subscriptionId).resourceGroups.exists(env[which].plan.resourceGroup);
  }

  it('a plan with an invalid storage name, an invalid email and a past expiry lists every problem; the runner exits 2 and creates nothing', async () => {
    const plan = freshPlan('bad') as unknown as Record<string, Record<string, unknown>>;
    plan.provider.storageAccount = 'Not_Valid!';
    plan.invitation.targetEmail = 'ben-at-fabrikam';
    plan.invitation.expiresOn = '2001-01-01';
    const file = path.join(dir, 'bad.recipe.json');
    fs.writeFileSync(file, JSON.stringify(plan));
    assert.throws(() => parsePlan(fs.readFileSync(file, 'utf8')), (e: Error) => /provider\.storageAccount: Storage account 'Not_Valid!' is not a valid name/.test(e.message) && /invitation\.targetEmail: 'ben-at-fabrikam' is not a valid email/.test(e.message) && /invitation\.expiresOn: .*in the past/.test(e.message));
    const r = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--audit', path.join(dir, 'a.jsonl')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not valid:[\s\S]*provider\.storageAccount[\s\S]*nothing was changed/);
    assert.equal(await rgExists(freshPlan('bad2'), 'consumer'), false);
  });

  it('a plan that fails its schema (unknown property, wrong type, missing section) is refused with each problem', async () => {
    const file = path.join(dir, 'schema.recipe.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, target: 'sandbox', location: 'westeurope', provider: { tenantId: 'x' }, colour: 'blue', share: { name: 'ok', datasets: 'all' } }));
    const r = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath]);
    assert.equal(r.status, 2);
    for (const p of ['plan.colour: is not a known property', 'provider.tenantId', 'consumer: is required', 'share.datasets: needs at least one dataset', 'invitation: is required']) assert.ok(r.stderr.includes(p), `${p} in:\n${r.stderr}`);
    const notJson = path.join(dir, 'broken.recipe.json');
    fs.writeFileSync(notJson, '{ "version": 1, ');
    assert.match((await runRecipeCli(['--plan', notJson])).stderr, /is not valid JSON/);
  });

  it('an unknown tenant or subscription is named with the ones that exist', async () => {
    const plan = freshPlan('tenant');
    plan.consumer.tenantId = '11111111-2222-4333-8444-555555555555';
    await assert.rejects(createRecipeEnv(plan, { sandboxJson: sandbox.descriptionPath }), /consumer\.tenantId 11111111-2222-4333-8444-555555555555 is not a tenant of this sandbox \(it has Contoso c0a7.*Fabrikam fab0/);
    const plan2 = freshPlan('sub');
    plan2.provider.subscriptionId = plan2.consumer.subscriptionId;
    await assert.rejects(createRecipeEnv(plan2, { sandboxJson: sandbox.descriptionPath }), /is not a subscription of Contoso/);
  });

  it('a storage name already taken (globally, by the other tenant) fails before anything is created', async () => {
    const plan = freshPlan('taken');
    const other = await recipeEnv(sandbox, { ...plan, consumer: { ...plan.consumer, storageAccount: plan.provider.storageAccount } });
    const r0 = await runRecipe(other, undefined, stepsFor(['consumer.storage']));
    assert.ok(r0.ok);
    const env = await recipeEnv(sandbox, plan);
    const r = await runRecipe(env, undefined, stepsFor(['provider.storage']));
    const failed = r.outcomes.find((o) => o.id === 'provider.storage');
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.error?.message ?? '', new RegExp(`storage account name '${plan.provider.storageAccount}' is already taken`));
    assert.match(failed?.error?.nextStep ?? '', /choose another name/);
    assert.equal(await rgExists(plan, 'provider'), false, 'the resource group was created anyway');
  });

  it('the governance gate blocks a classified dataset: nothing is added or sent, the decision is audited', async () => {
    const plan = freshPlan('blocked', { share: { sampleData: false, files: { 'payments/cards.csv': CARDS, 'customers/emails.csv': EMAILS } } });
    plan.share.datasets = [{ name: 'payments', kind: 'Folder', path: 'payments' }];
    const env = await recipeEnv(sandbox, plan);
    const audit = new AuditTrail();
    const r = await runRecipe(env, audit);
    const gate = r.outcomes.find((o) => o.id === 'governance.gate');
    assert.equal(gate?.status, 'failed');
    assert.match(gate?.summary ?? '', /Credit Card Number \(MICROSOFT\.FINANCIAL\.CREDIT_CARD_NUMBER\), which the policy blocks/);
    for (const id of ['share.datasets', 'share.invite', 'consumer.accept', 'consumer.snapshot']) assert.equal(r.outcomes.find((o) => o.id === id)?.status, 'skipped', id);
    const sets = (await env.provider.clients.dataShare.dataSets.listByShare({ subscriptionId: env.provider.subscriptionId, resourceGroupName: plan.provider.resourceGroup, accountName: plan.provider.dataShareAccount, shareName: plan.share.name }).collect()).items;
    assert.deepEqual(sets, []);
    const decision = audit.records.find((x) => x.action === 'governance.decision');
    assert.equal(decision?.outcome, 'blocked');
    assert.deepEqual(decision?.governance?.classifications, ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER']);

    // Personal data needs a justification: without one it is blocked, with one it passes and the reason is audited.
    plan.share.datasets = [{ name: 'customers', kind: 'Folder', path: 'customers' }];
    const env2 = await recipeEnv(sandbox, plan);
    const r2 = await runRecipe(env2, audit, stepsFor(['governance.gate']));
    assert.match(r2.outcomes.find((o) => o.id === 'governance.gate')?.summary ?? '', /Email .* needs a justification, and none was given/);
    const env3 = await recipeEnv(sandbox, { ...plan, governance: { ...plan.governance, justification: 'Contract 42 allows customer emails for support' } });
    const r3 = await runRecipe(env3, audit, stepsFor(['share.datasets']));
    assert.ok(r3.ok);
    assert.equal(audit.records.filter((x) => x.action === 'governance.decision').pop()?.governance?.justification, 'Contract 42 allows customer emails for support');
  });

  it('an expired invitation cannot be accepted; a revoked subscription and a missing role are named with their fix', async () => {
    const plan = freshPlan('expiry', { invitation: { expiresOn: new Date(Date.now() + 86400_000).toISOString() } });
    const env = await recipeEnv(sandbox, plan);
    assert.ok((await runRecipe(env, undefined, stepsFor(['share.invite', 'consumer.dataShareAccount']))).ok);
    await sandbox.core.advanceClock(2 * 86400);
    const r = await runRecipe(env, undefined, stepsFor(['consumer.accept']));
    const accept = r.outcomes.find((o) => o.id === 'consumer.accept');
    assert.equal(accept?.status, 'failed');
    assert.match(accept?.error?.message ?? '', /expired/i);
    assert.equal((await env.consumer.clients.dataShare.shareSubscriptions.listByAccount({ subscriptionId: env.consumer.subscriptionId, resourceGroupName: plan.consumer.resourceGroup, accountName: plan.consumer.dataShareAccount }).collect()).items.length, 0);

    const plan2 = freshPlan('revoked');
    const env2 = await recipeEnv(sandbox, plan2);
    assert.ok((await runRecipe(env2, undefined, recipeSteps())).ok);
    const consumer = (await env2.provider.clients.dataShare.providerShareSubscriptions.listByShare({ subscriptionId: env2.provider.subscriptionId, resourceGroupName: plan2.provider.resourceGroup, accountName: plan2.provider.dataShareAccount, shareName: plan2.share.name }).collect()).items[0];
    await revokeConsumer(env2, consumer.name as string);
    const again = await runRecipe(env2, undefined, stepsFor(['consumer.accept']));
    const acc = again.outcomes.find((o) => o.id === 'consumer.accept');
    assert.match(acc?.error?.message ?? '', /was revoked by the provider/);
    assert.match(acc?.error?.nextStep ?? '', /Reinstate/);
    const snap = await env2.consumer.clients.dataShare.shareSubscriptions.synchronizeAndWait({ subscriptionId: env2.consumer.subscriptionId, resourceGroupName: plan2.consumer.resourceGroup, accountName: plan2.consumer.dataShareAccount, shareSubscriptionName: plan2.subscription.name }, { synchronizationMode: 'Incremental' }).catch((e: Error) => e);
    assert.ok(snap instanceof Error, 'a revoked subscription cannot take a snapshot');

    // Missing role: take the consumer Data Share identity's role away; validation names it and the fix.
    const acct = await env2.consumer.clients.dataShare.accounts.get({ subscriptionId: env2.consumer.subscriptionId, resourceGroupName: plan2.consumer.resourceGroup, accountName: plan2.consumer.dataShareAccount });
    const authz = env2.consumer.clients.authorization(env2.consumer.subscriptionId);
    for await (const a of authz.listForPrincipal(`/subscriptions/${env2.consumer.subscriptionId}/resourceGroups/${plan2.consumer.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${plan2.consumer.storageAccount}`, acct.identity.principalId as string)) await authz.deleteById(a.id as string);
    const report = await validateEstate(env2);
    const role = report.checks.find((c) => c.id === 'consumer.dataShareRole');
    assert.equal(role?.ok, false);
    assert.match(role?.fix ?? '', /Storage Blob Data Contributor on .* to the identity of/);
  });

  it('npm run recipe: --dry-run prints the plan and changes nothing; a run exits 0 with the report written', async () => {
    const plan = freshPlan('cli');
    const file = path.join(dir, 'cli.recipe.json');
    fs.writeFileSync(file, JSON.stringify({ $schema: '../schemas/recipe-plan.schema.json', ...plan }));
    const dry = await runCli('npm', ['run', '--silent', 'recipe', '--', '--plan', file, '--sandbox', sandbox.descriptionPath, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`create provider Contoso: ${plan.provider.resourceGroup}/${plan.provider.storageAccount}`));
    assert.match(dry.stdout, /cost: Purview Data Map/);
    assert.match(dry.stdout, /nothing was changed \(dry run\)/);
    assert.equal(await rgExists(plan, 'provider'), false);
    const report = path.join(dir, 'report.json');
    const run = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--report', report, '--audit', path.join(dir, 'cli-audit.jsonl'), '--audit-export', path.join(dir, 'audit.md')]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /check\(s\) passed, 0 failed/);
    const json = JSON.parse(fs.readFileSync(report, 'utf8')) as { ok: boolean; checks: unknown[] };
    assert.equal(json.ok, true);
    assert.match(fs.readFileSync(path.join(dir, 'audit.md'), 'utf8'), /^# Audit trail/);
    // Validation failing makes the exit status non-zero.
    const env = await recipeEnv(sandbox, plan);
    await revokeConsumer(env, '');
    const failing = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--validate-only']);
    assert.equal(failing.status, 1);
    assert.match(failing.stdout, /FAIL {2}share subscription active: status Revoked\n {6}fix: The provider reinstates it/);
  });
});
