/**
 * Data quality in the governance gate, over real HTTPS to a sandbox with the real SDK clients:
 * the headless runner blocks a dataset whose data fails a rule and changes nothing (no dataset,
 * no invitation, no snapshot), `--check-quality` prints the report and exits 1, a warning passes
 * and says so, and the provider's Purview asset carries the outcome (label and business metadata).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox';
import { AuditTrail } from '../../src/workflows/audit';
import { QUALITY_BUSINESS_METADATA, readQualityFromEntity } from '../../src/workflows/quality';
import type { RecipePlan } from '../../src/workflows/plan';
import { freshPlan, recipeEnv, runRecipeCli } from './support/recipe';
import { startTestSandbox, tempDir } from './support/sandbox';

const BAD_SALES = 'id,region,amount,sold_at\n6,north,-3.00,2024-03-02T09:00:00Z\n7,mars,5.00,2024-03-04T09:00:00Z\n';

function writePlan(dir: string, plan: RecipePlan, rules: Record<string, string>): string {
  for (const [name, text] of Object.entries(rules)) fs.writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, `${plan.share.name}.recipe.json`);
  fs.writeFileSync(file, JSON.stringify(plan, null, 2));
  return file;
}

describe('data quality in the governance gate (runner, sandbox, HTTPS)', function () {
  this.timeout(300_000);
  let sandbox: RunningSandbox;
  let dir: string;
  before(async () => {
    ({ sandbox } = await startTestSandbox('quality-gate'));
    dir = tempDir('quality-gate');
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('a failing rule blocks the share in the runner: no dataset, no invitation, no snapshot; audited, labelled in Purview, --check-quality exits 1', async () => {
    const plan = freshPlan('dqfail', { share: { files: { 'sales/2024/03/sales.csv': BAD_SALES } } });
    plan.governance = { ...plan.governance, quality: { datasets: { 'sales-history': 'sales.dq.yaml' } } };
    const rules = [
      'version: 1',
      'rules:',
      '  - { kind: schema, required: [id, region, amount, sold_at], types: { id: integer, amount: number } }',
      '  - { kind: range, column: amount, min: 0 }',
      '  - { kind: accepted_values, column: region, values: [north, south, east, west], severity: warn }',
      '  - { kind: unique, column: id }',
      '',
    ].join('\n');
    const file = writePlan(dir, plan, { 'sales.dq.yaml': rules });
    const auditFile = path.join(dir, 'fail-audit.jsonl');
    const run = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--audit', auditFile]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /Governance gate[^\n]*: Data quality blocks sharing:\n- sales-history \(sales\.dq\.yaml\): range:amount failed \(1 of 7 failing\)/);

    const env = await recipeEnv(sandbox, plan);
    const ds = env.provider.clients.dataShare;
    const shareRef = { subscriptionId: env.provider.subscriptionId, resourceGroupName: plan.provider.resourceGroup, accountName: plan.provider.dataShareAccount, shareName: plan.share.name };
    assert.deepEqual((await ds.dataSets.listByShare(shareRef).collect()).items, [], 'no dataset added');
    assert.deepEqual((await ds.invitations.listByShare(shareRef).collect()).items, [], 'no invitation sent');
    assert.equal(await env.consumer.clients.resources(env.consumer.subscriptionId).resourceGroups.exists(plan.consumer.resourceGroup).then(async (exists) => {
      if (!exists) return false;
      return (await env.consumer.clients.dataShare.shareSubscriptions.listByAccount({ subscriptionId: env.consumer.subscriptionId, resourceGroupName: plan.consumer.resourceGroup, accountName: plan.consumer.dataShareAccount }).collect().catch(() => ({ items: [] }))).items.length > 0;
    }), false, 'no share subscription, so no snapshot');

    const records = AuditTrail.read(auditFile).filter((r) => r.action === 'quality.check');
    assert.equal(records.length, 1);
    assert.equal(records[0].outcome, 'blocked');
    assert.equal(records[0].details?.outcome, 'fail');
    assert.equal(records[0].details?.failed, 1);
    assert.equal(records[0].details?.warned, 1);
    assert.match(records[0].message ?? '', /sales-history \(gate\): fail: 4 check\(s\) over 3 file\(s\), 7 row\(s\); failed range:amount; warned accepted_values:region/);

    const pv = env.provider.clients.purviewDataPlane(plan.provider.purviewAccount as string);
    const qn = `https://${plan.provider.storageAccount}.blob.core.windows.net/${plan.provider.container}/sales`;
    const asset = await pv.dataMap.entities.getByUniqueAttribute('azure_blob_path', qn);
    assert.ok(asset.entity?.labels?.includes('DataQuality_Fail'), JSON.stringify(asset.entity?.labels));
    const q = readQualityFromEntity(asset.entity);
    assert.equal(q?.outcome, 'fail');
    assert.equal(q?.failed, 1);
    assert.equal(q?.passed, 2);
    assert.ok(Date.parse(q?.checkedAt ?? '') > Date.now() - 300_000);
    assert.equal((asset.entity?.businessAttributes as Record<string, Record<string, unknown>>)[QUALITY_BUSINESS_METADATA].rules, 'sales.dq.yaml');

    // The checks alone, as Markdown, exit 1; the failing row is in the sample.
    const check = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--check-quality']);
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.match(check.stdout, /^# Data quality of sales-history \(sales\.dq\.yaml\): ❌ fail/m);
    assert.match(check.stdout, /\| range:amount \| range \| amount \| fail \| ❌ fail \| min -3, max 99\.99 \| 7 \| 1 \|/);
    assert.match(check.stdout, /- sales\/2024\/03\/sales\.csv row 1: outside \[0, ∞\] — id="6", region="north", amount="-3\.00"/);
    assert.match(check.stdout, /Overall: fail/);
    // Still nothing shared.
    assert.deepEqual((await ds.dataSets.listByShare(shareRef).collect()).items, []);
  });

  it('a bad rules file stops the runner before anything is created, with every problem and its line', async () => {
    const plan = freshPlan('dqbad');
    plan.governance = { ...plan.governance, quality: { rules: 'broken.dq.yaml' } };
    const file = writePlan(dir, plan, { 'broken.dq.yaml': 'version: 1\nrules:\n  - { kind: range, column: amount, min: 5, max: 1 }\n  - { kind: nope }\n' });
    const run = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--audit', path.join(dir, 'bad-audit.jsonl')]);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /governance\.quality\.rules: the rules file has 2 problem\(s\):/);
    assert.match(run.stderr, /broken\.dq\.yaml:3:\d+: rules\[0\]\.max: `max` \(1\) is below `min` \(5\)/);
    assert.match(run.stderr, /broken\.dq\.yaml:4:\d+: rules\[1\]\.kind: 'nope' is not a rule kind/);
    const env = await recipeEnv(sandbox, plan);
    assert.equal(await env.provider.clients.resources(env.provider.subscriptionId).resourceGroups.exists(plan.provider.resourceGroup), false);
  });

  it('a warning lets the share through and says so; the snapshot runs; the asset is labelled DataQuality_Warn', async () => {
    const plan = freshPlan('dqwarn');
    plan.governance = { ...plan.governance, quality: { rules: 'share.dq.json' } };
    const rules = { version: 1, rules: [{ kind: 'row_count', min: 1 }, { kind: 'row_count', id: 'big-enough', min: 1000, severity: 'warn' }] };
    const file = writePlan(dir, plan, { 'share.dq.json': JSON.stringify(rules, null, 2) });
    const auditFile = path.join(dir, 'warn-audit.jsonl');
    const run = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--audit', auditFile]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Governance gate[^\n]*: allowed[^\n]*; data quality passed with warnings: sales-history \(big-enough\); regions \(big-enough\)/);
    assert.match(run.stdout, /Snapshot[^\n]*: snapshot Succeeded/);
    const env = await recipeEnv(sandbox, plan);
    const shareRef = { subscriptionId: env.provider.subscriptionId, resourceGroupName: plan.provider.resourceGroup, accountName: plan.provider.dataShareAccount, shareName: plan.share.name };
    assert.equal((await env.provider.clients.dataShare.dataSets.listByShare(shareRef).collect()).items.length, 2);
    const checks = AuditTrail.read(auditFile).filter((r) => r.action === 'quality.check');
    // Checked once per dataset: the snapshot reused the gate's result of the same run.
    assert.deepEqual(checks.map((r) => [r.details?.dataset, r.outcome, r.details?.outcome]), [['sales-history', 'allowed', 'warn'], ['regions', 'allowed', 'warn']]);
    const pv = env.provider.clients.purviewDataPlane(plan.provider.purviewAccount as string);
    const base = `https://${plan.provider.storageAccount}.blob.core.windows.net/${plan.provider.container}`;
    for (const qn of [`${base}/sales`, `${base}/reference/regions.csv`]) {
      const e = (await pv.dataMap.entities.getByUniqueAttribute('azure_blob_path', qn)).entity;
      assert.deepEqual(e?.labels?.filter((l) => l.startsWith('DataQuality_')), ['DataQuality_Warn'], qn);
      assert.equal(readQualityFromEntity(e)?.outcome, 'warn');
    }
  });
});
