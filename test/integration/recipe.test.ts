/**
 * The whole cross-tenant recipe through the product's workflows (src/workflows), over real HTTPS
 * to a sandbox with the real SDK clients: end to end, a second run that changes nothing, cleanup,
 * provider control, and an audit trail with no secret in it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox';
import { AuditTrail, auditToCsv, auditToMarkdown } from '../../src/workflows/audit';
import { adjustExpiry, listConsumers, reinstateConsumer, revokeConsumer, snapshotHistory } from '../../src/workflows/control';
import type { RecipeEnv } from '../../src/workflows/env';
import { cleanupSteps, recipeSteps, runRecipeSteps } from '../../src/workflows/recipe';
import { SNAPSHOT_PROCESS_TYPE } from '../../src/lineage/snapshotProcess';
import { runSnapshot } from '../../src/workflows/steps/sharing';
import { validateEstate } from '../../src/workflows/validation';
import { duplicateReport, duplicates, EXAMPLE_PLAN, freshPlan, receivedBlobs, recipeEnv, runCli, runRecipe } from './support/recipe';
import { startTestSandbox } from './support/sandbox';

describe('recipe workflows end to end (sandbox, HTTPS, real clients)', function () {
  this.timeout(180_000);
  let sandbox: RunningSandbox;
  let env: RecipeEnv;
  let audit: AuditTrail;
  let auditFile: string;

  before(async () => {
    ({ sandbox } = await startTestSandbox('recipe'));
    env = await recipeEnv(sandbox, freshPlan('e2e'));
    auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gds-audit-')), 'audit.jsonl');
    audit = new AuditTrail(auditFile);
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('runs every step, receives the data in the consumer tenant and validates', async () => {
    const result = await runRecipe(env, audit);
    assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'), null, 2));
    const blobs = await receivedBlobs(env);
    assert.deepEqual([...blobs.keys()].sort(), ['reference/regions.csv', 'sales/2024/01/sales.csv', 'sales/2024/02/sales.csv']);
    const report = await validateEstate(env);
    assert.deepEqual(report.checks.filter((c) => !c.ok), []);
    assert.ok(report.passed >= 18);
  });

  it('records the snapshot lineage in both Purview accounts with canonical qualifiedNames', async () => {
    for (const s of [env.provider, env.consumer]) {
      const pv = s.clients.purviewDataPlane(s.plan.purviewAccount as string);
      const hits = (await pv.dataMap.discovery.queryPage({ limit: 50, filter: { entityType: SNAPSHOT_PROCESS_TYPE } })).value ?? [];
      assert.equal(hits.length, 2, `${s.side}: one process per dataset`);
      const file = await pv.dataMap.entities.getByUniqueAttribute(SNAPSHOT_PROCESS_TYPE, hits.find((h) => String(h.qualifiedName).endsWith('/regions'))?.qualifiedName as string);
      const attrs = file.entity?.attributes as Record<string, unknown>;
      assert.equal(attrs.synchronizationStatus, 'Succeeded');
      assert.equal(attrs.providerTenantId, env.provider.tenantId);
      assert.equal(attrs.consumerTenantId, env.consumer.tenantId);
      const inputs = JSON.stringify(attrs.inputs ?? file.entity?.relationshipAttributes?.inputs);
      assert.match(inputs, new RegExp(`https://${env.provider.plan.storageAccount}\\.blob\\.core\\.windows\\.net/sales/reference/regions\\.csv`));
    }
  });

  it('a second run changes nothing: no ARM write or delete, nothing new in either Purview', async () => {
    const before = await duplicateReport(env);
    const writes = env.counter.arm.writes;
    const deletes = env.counter.arm.deletes;
    const dataWrites = env.counter.dataPlane.writes;
    const result = await runRecipe(env, audit);
    assert.ok(result.ok);
    assert.deepEqual(result.outcomes.filter((o) => o.changed).map((o) => o.id), []);
    assert.equal(env.counter.arm.writes - writes, 0, 'ARM writes on a re-run');
    assert.equal(env.counter.arm.deletes - deletes, 0, 'ARM deletes on a re-run');
    assert.equal(env.counter.dataPlane.writes - dataWrites, 0, 'Purview/blob writes on a re-run');
    assert.deepEqual(await duplicateReport(env), before);
    assert.deepEqual(duplicates(before), []);
  });

  it('Snapshot Now (incremental) copies only the new file and updates the lineage in both catalogs, without duplicates', async () => {
    const before = await duplicateReport(env);
    await env.provider.clients.blobForAccount(env.provider.plan.storageAccount).upload(env.provider.plan.container, 'sales/2024/03/sales.csv', 'id,region,amount,sold_at\n6,south,42.00,2024-03-02T09:00:00Z\n');
    const r = await runSnapshot(env, 'Incremental', { signal: new AbortController().signal, report: () => undefined });
    assert.equal(r.sync.status, 'Succeeded');
    assert.equal(r.files, 1, 'only the new file moved');
    assert.equal(r.lineageError, undefined);
    assert.ok((await receivedBlobs(env)).has('sales/2024/03/sales.csv'));
    for (const s of [env.provider, env.consumer]) {
      const pv = s.clients.purviewDataPlane(s.plan.purviewAccount as string);
      const hits = (await pv.dataMap.discovery.queryPage({ limit: 50, filter: { entityType: SNAPSHOT_PROCESS_TYPE } })).value ?? [];
      assert.equal(hits.length, 2);
      for (const h of hits) {
        const e = await pv.dataMap.entities.getByUniqueAttribute(SNAPSHOT_PROCESS_TYPE, h.qualifiedName as string);
        assert.equal((e.entity?.attributes as Record<string, unknown>).synchronizationId, r.sync.synchronizationId, `${s.side} lineage follows the last snapshot`);
        assert.equal((e.entity?.attributes as Record<string, unknown>).synchronizationMode, 'Incremental');
      }
    }
    assert.deepEqual(await duplicateReport(env), before);
  });

  it('provider control: consumers, revoke, reinstate with expiry, adjust expiry, history on both sides', async () => {
    const [consumer] = await listConsumers(env);
    assert.equal(consumer.status, 'Active');
    assert.equal(consumer.consumerEmail, 'ben@fabrikam.onmicrosoft.com');
    await assert.rejects(revokeConsumer(env, 'no-such-consumer', audit), /has no consumer no-such-consumer/);
    assert.equal((await revokeConsumer(env, consumer.id, audit)).status, 'Revoked');
    assert.equal((await revokeConsumer(env, consumer.id, audit)).changed, false, 'a repeated revoke changes nothing');
    const sub = await env.consumer.clients.dataShare.shareSubscriptions.get({ subscriptionId: env.consumer.subscriptionId, resourceGroupName: env.consumer.plan.resourceGroup, accountName: env.consumer.plan.dataShareAccount, shareSubscriptionName: env.plan.subscription.name });
    assert.equal(sub.properties.shareSubscriptionStatus, 'Revoked');
    await assert.rejects(reinstateConsumer(env, consumer.id, '2001-01-01', audit), /in the past/);
    const until = new Date(Date.now() + 30 * 86400_000).toISOString();
    assert.equal((await reinstateConsumer(env, consumer.id, until, audit)).status, 'Active');
    const later = new Date(Date.now() + 60 * 86400_000).toISOString();
    assert.equal(Date.parse((await adjustExpiry(env, consumer.id, later, audit)).expirationDate as string), Date.parse(later));
    const history = await snapshotHistory(env);
    assert.ok(history.consumer.some((s) => s.status === 'Succeeded'));
    assert.ok(history.provider.length >= 1);
  });

  it('the audit trail has who, what and outcome for every action, and no token, key, SAS or secret', () => {
    const records = AuditTrail.read(auditFile);
    assert.ok(records.length >= 40);
    const actions = new Set(records.map((r) => r.action));
    for (const a of ['provider.storage', 'share.create', 'governance.decision', 'share.invite', 'consumer.accept', 'consumer.snapshot', 'snapshot.completed', 'subscription.revoke', 'subscription.reinstate', 'subscription.adjustExpiry']) assert.ok(actions.has(a), `audit has ${a}`);
    const gate = records.find((r) => r.action === 'governance.decision');
    assert.ok(gate?.governance?.decision.startsWith('allow'));
    const share = records.find((r) => r.action === 'share.create' && r.outcome === 'succeeded');
    assert.equal(share?.actor?.tenantId, env.provider.tenantId);
    assert.match(share?.actor?.objectId ?? '', /^[0-9a-f-]{36}$/);
    const text = fs.readFileSync(auditFile, 'utf8') + auditToCsv(records) + auditToMarkdown(records);
    const secrets = sandbox.description.tenants.flatMap((t) => [...t.users.map((u) => u.password), ...t.servicePrincipals.map((s) => s.secret)]);
    for (const s of [...secrets, sandbox.description.adminKey]) assert.ok(!text.includes(s), 'a secret from sandbox.json leaked into the audit trail');
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JWT in the audit trail');
    assert.doesNotMatch(text, /sig=[A-Za-z0-9%]{10,}|AccountKey=/i);
    assert.match(auditToCsv(records).split('\r\n')[0], /^time,runId,actorTenantId,actorObjectId,actorName,action/);
  });

  it('cleanup plans every deletion per tenant, deletes in a safe order, and a second cleanup is a no-op', async () => {
    const steps = cleanupSteps();
    const planned = (await Promise.all(steps.map((s) => s.plan(env)))).flat();
    assert.ok(planned.some((c) => c.action === 'delete' && c.tenantId === env.provider.tenantId && c.resource === env.provider.plan.resourceGroup));
    assert.ok(planned.some((c) => c.action === 'delete' && c.tenantId === env.consumer.tenantId && c.resource.endsWith(env.plan.subscription.name)));
    const order: string[] = [];
    const result = await runRecipeSteps(steps, env, { audit, onProgress: (e) => e.status === 'succeeded' && order.push(e.stepId) });
    assert.ok(result.ok, JSON.stringify(result.outcomes, null, 2));
    assert.ok(order.indexOf('cleanup.revoke') < order.indexOf('cleanup.subscription'));
    assert.ok(order.indexOf('cleanup.subscription') < order.indexOf('cleanup.share'));
    assert.ok(order.indexOf('cleanup.share') < order.indexOf('cleanup.provider.accounts'));
    assert.ok(order.indexOf('cleanup.provider.accounts') < order.indexOf('cleanup.provider.resourceGroup'));
    assert.equal(await env.provider.clients.resources(env.provider.subscriptionId).resourceGroups.exists(env.provider.plan.resourceGroup), false);
    assert.equal(await env.consumer.clients.resources(env.consumer.subscriptionId).resourceGroups.exists(env.consumer.plan.resourceGroup), false);
    const again = await runRecipeSteps(steps, env, {});
    assert.ok(again.ok);
    assert.deepEqual(again.outcomes.filter((o) => o.changed).map((o) => o.id), []);
  });
});

describe('the shipped example plan, unchanged, through npm run recipe (sandbox)', function () {
  this.timeout(240_000);
  let sandbox: RunningSandbox;
  before(async () => {
    ({ sandbox } = await startTestSandbox('recipe-example'));
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('runs to a passing validation report, and a second run changes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-example-'));
    const run = (extra: string[]) => runCli('npm', ['run', '--silent', 'recipe', '--', '--plan', EXAMPLE_PLAN, '--sandbox', sandbox.descriptionPath, '--audit', path.join(dir, 'audit.jsonl'), ...extra]);
    const first = await run(['--report', path.join(dir, 'report.json')]);
    assert.equal(first.status, 0, first.stdout);
    assert.match(first.stdout, new RegExp(`${recipeSteps().length} step\\(s\\) done \\(\\d+ changed something\\), 0 failed`));
    assert.match(first.stdout, /20 check\(s\) passed, 0 failed/);
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { ok: boolean }).ok, true);
    const second = await run([]);
    assert.equal(second.status, 0);
    assert.match(second.stdout, new RegExp(`${recipeSteps().length} step\\(s\\) done \\(0 changed something\\)`));
    assert.match(second.stdout, /ARM calls: \d+ reads, 0 writes, 0 deletes/);
  });
});
