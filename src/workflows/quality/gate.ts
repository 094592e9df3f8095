/**
 * Data quality in the governance gate. The plan names rules files (`governance.quality.rules` for
 * the whole share, `governance.quality.datasets[name]` per dataset, paths relative to the plan);
 * they are read and checked when the plan is (so a bad rules file stops the run before anything
 * changes). The gate then checks each dataset's data where it lies, records the outcome in the
 * audit trail and on the asset in Purview (label and business metadata), and blocks on a failing
 * rule (or data that could not be checked); a warning passes and says so. A snapshot run
 * (`runSnapshot`, Snapshot Now) checks again unless the gate of the same run already did.
 */
import * as path from 'node:path';
import type { StepContext } from '../engine';
import type { RecipeEnv } from '../env';
import { UserFacingError } from '../errors';
import type { DataSetPlan } from '../plan';
import { blobQualifiedName } from '../../lineage/snapshotProcess';
import { checkQuality, type QualityReport } from './engine';
import { recordQualityInPurview } from './purview';
import { summarizeQuality } from './report';
import { rulesFor, type LoadedRules } from './planRules';

export interface DatasetQuality {
  dataset: string;
  rulesFile: string;
  report: QualityReport;
}

/** Reports of this run, so a snapshot right after the gate does not read the data twice. */
const checkedInRun = new WeakMap<RecipeEnv, Map<string, DatasetQuality>>();

type Ctx = Pick<StepContext, 'signal' | 'report'> & Partial<Pick<StepContext, 'audit'>>;

function assetOf(env: RecipeEnv, d: DataSetPlan) {
  const qualifiedName = blobQualifiedName(env.provider.plan.storageAccount, env.provider.plan.container, d.kind === 'Container' ? undefined : d.path);
  return { typeName: d.kind === 'Container' ? 'azure_blob_container' : 'azure_blob_path', qualifiedName, name: qualifiedName.split('/').filter(Boolean).pop() ?? qualifiedName };
}

/** Checks one dataset and records the outcome (audit, Purview, event on failure). */
async function checkDataset(env: RecipeEnv, d: DataSetPlan, rules: LoadedRules, ctx: Ctx, when: 'gate' | 'snapshot'): Promise<DatasetQuality> {
  const rel = path.relative(env.baseDir, rules.file) || rules.file;
  ctx.report(`data quality of ${d.name}: ${rules.rules.rules.length} rule(s) from ${rel}`);
  const report = await checkQuality({
    clients: env.provider.clients,
    storageAccount: env.provider.plan.storageAccount,
    container: env.provider.plan.container,
    path: d.kind === 'Container' ? undefined : d.path,
    rules: rules.rules,
    signal: ctx.signal,
    onProgress: (m) => ctx.report(`${d.name}: ${m}`),
  });
  const summary = summarizeQuality(report);
  const asset = assetOf(env, d);
  const blocked = report.outcome === 'fail' || report.outcome === 'error';
  const count = (o: string) => report.results.filter((r) => r.outcome === o).length;
  ctx.audit?.({
    action: 'quality.check',
    tenantId: env.provider.tenantId,
    outcome: blocked ? 'blocked' : 'allowed',
    resourceIds: [asset.qualifiedName],
    message: `${d.name} (${when}): ${summary}`,
    details: { dataset: d.name, outcome: report.outcome, rules: rel, passed: count('pass'), warned: count('warn'), failed: count('fail'), errors: count('error'), files: report.files.length, rows: report.files.reduce((n, f) => n + f.rows, 0) },
  });
  const pvName = env.provider.plan.purviewAccount;
  if (pvName) {
    try {
      await recordQualityInPurview(env.provider.clients.purviewDataPlane(pvName), asset, report, rel, ctx.signal);
    } catch (e) {
      // The check's verdict stands; a catalog that cannot be written is said, not hidden.
      ctx.report(`data quality of ${d.name} not recorded in Purview: ${(e as Error).message}`);
      ctx.audit?.({ action: 'quality.record', tenantId: env.provider.tenantId, outcome: 'failed', resourceIds: [asset.qualifiedName], message: `Purview ${pvName}: ${(e as Error).message}` });
    }
  }
  if (report.outcome === 'fail') {
    await env.events?.publish('GovernedDataShare.DataQualityFailed', asset.qualifiedName, {
      dataset: d.name,
      share: env.plan.share.name,
      rules: rel,
      failedRules: report.results.filter((r) => r.outcome === 'fail').map((r) => r.ruleId),
      checkedAt: report.startedAt,
    }).catch((e: unknown) => ctx.report(`the DataQualityFailed event was not sent: ${(e as Error).message}`));
  }
  const entry = { dataset: d.name, rulesFile: rel, report };
  const map = checkedInRun.get(env) ?? new Map<string, DatasetQuality>();
  map.set(d.name, entry);
  checkedInRun.set(env, map);
  return entry;
}

function blockError(bad: DatasetQuality[], what: string): UserFacingError {
  const lines = bad.map((q) => {
    const rules = q.report.results.filter((r) => r.outcome === 'fail' || r.outcome === 'error');
    return `${q.dataset} (${q.rulesFile}): ${rules.map((r) => `${r.ruleId} ${r.outcome === 'fail' ? 'failed' : 'could not be checked'}${r.message ? ` (${r.message})` : ` (${r.failedCount} of ${r.elementCount} failing)`}`).join('; ')}`;
  });
  return new UserFacingError(
    `Data quality blocks ${what}:\n- ${lines.join('\n- ')}`,
    'Fix the data (the audit trail and `npm run recipe -- --plan <file> --check-quality` show the failing rows), or change the rules file, then run again; nothing was shared.',
  );
}

/**
 * The gate's data-quality part: every dataset with rules is checked; a failure (or data that
 * could not be checked) throws before anything is added, invited or copied. Returns what passed
 * (with warnings called out) for the step's summary; undefined when the plan has no rules.
 */
export async function qualityGate(env: RecipeEnv, ctx: Ctx, datasets: readonly DataSetPlan[] = env.plan.share.datasets): Promise<string | undefined> {
  const withRules = datasets.map((d) => ({ d, rules: rulesFor(env, d) })).filter((x): x is { d: DataSetPlan; rules: LoadedRules } => !!x.rules);
  if (!withRules.length) return undefined;
  const results: DatasetQuality[] = [];
  for (const { d, rules } of withRules) results.push(await checkDataset(env, d, rules, ctx, 'gate'));
  const bad = results.filter((q) => q.report.outcome === 'fail' || q.report.outcome === 'error');
  if (bad.length) throw blockError(bad, 'sharing');
  const warned = results.filter((q) => q.report.outcome === 'warn');
  return warned.length
    ? `data quality passed with warnings: ${warned.map((q) => `${q.dataset} (${q.report.results.filter((r) => r.outcome === 'warn').map((r) => r.ruleId).join(', ')})`).join('; ')}`
    : `data quality passed (${results.map((q) => q.dataset).join(', ')})`;
}

/** Before a snapshot: the same check (reusing this run's gate result), blocking on failure. */
export async function snapshotQualityGate(env: RecipeEnv, ctx: Ctx): Promise<void> {
  if (!env.plan.governance?.quality) return;
  const done = checkedInRun.get(env);
  const results: DatasetQuality[] = [];
  for (const d of env.plan.share.datasets) {
    const prior = done?.get(d.name);
    if (prior) {
      results.push(prior);
      continue;
    }
    const rules = rulesFor(env, d);
    if (rules) results.push(await checkDataset(env, d, rules, ctx, 'snapshot'));
  }
  const bad = results.filter((q) => q.report.outcome === 'fail' || q.report.outcome === 'error');
  if (bad.length) throw blockError(bad, 'the snapshot');
  for (const q of results.filter((x) => x.report.outcome === 'warn')) ctx.report(`data quality of ${q.dataset} passed with warnings`);
}
