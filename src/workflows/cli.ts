/**
 * `npm run recipe -- --plan <file> [options]`: the whole cross-tenant recipe from a plan file,
 * headless, against the sandbox or Azure. Prints progress and the validation report; exits 0
 * only when every validation check passes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuditTrail, auditToCsv, auditToMarkdown } from './audit';
import { planSteps, type ProgressEvent, type Step } from './engine';
import * as dashboard from './dashboard';
import { createRecipeEnv, type RecipeEnv } from './env';
import { describeError } from './errors';
import { parsePlan } from './plan';
import { checkQuality, formatQualityReport, rulesFor, worst, type Outcome } from './quality';
import { cleanupSteps, recipeSteps, runRecipeSteps } from './recipe';
import { formatReport, validateEstate } from './validation';

const USAGE = `Usage: npm run recipe -- --plan <plan.json> [options]
  --plan FILE        the recipe plan (JSON; schema: schemas/recipe-plan.schema.json)
  --dry-run          print what would be created, changed or deleted (and what it costs); change nothing
  --cleanup          run the cleanup plan instead (deletes what the plan created)
  --validate-only    run only the validation checks
  --check-quality    run only the data-quality checks (governance.quality) and print the report; exit 1 on a failure
  --report FILE      write the validation report as JSON
  --audit FILE       the audit trail (JSON Lines; default .gds/audit.jsonl)
  --audit-export F   also export the audit trail (.csv or .md)
  --sandbox FILE     sandbox.json of a running sandbox (default: <repo>/.sandbox/sandbox.json)
  --concurrency N    most steps at once (default 4)
  --export FOLDER    write the sharing dashboard's tables for Power BI (CSV, Parquet, .pbids, README.md)
                     instead of running the recipe: the plan's two tenants, or with --sandbox and no
                     --plan every tenant of that sandbox
  --help`;

interface Args {
  plan?: string;
  dryRun: boolean;
  cleanup: boolean;
  validateOnly: boolean;
  checkQuality: boolean;
  report?: string;
  audit: string;
  auditExport?: string;
  sandbox?: string;
  concurrency: number;
  exportFolder?: string;
}

export function parseArgs(argv: string[]): Args {
  const a: Args = { dryRun: false, cleanup: false, validateOnly: false, checkQuality: false, audit: path.resolve('.gds', 'audit.jsonl'), concurrency: 4 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value.\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--plan': a.plan = path.resolve(value()); break;
      case '--dry-run': a.dryRun = true; break;
      case '--cleanup': a.cleanup = true; break;
      case '--validate-only': a.validateOnly = true; break;
      case '--check-quality': a.checkQuality = true; break;
      case '--report': a.report = path.resolve(value()); break;
      case '--audit': a.audit = path.resolve(value()); break;
      case '--audit-export': a.auditExport = path.resolve(value()); break;
      case '--sandbox': a.sandbox = path.resolve(value()); break;
      case '--concurrency': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error('--concurrency must be an integer from 1 to 32.');
        a.concurrency = n;
        break;
      }
      case '--export': a.exportFolder = path.resolve(value()); break;
      case '--help': case '-h': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: throw new Error(`Unknown option '${arg}'.\n${USAGE}`);
    }
  }
  if (!a.plan && !(a.exportFolder && a.sandbox)) throw new Error(`--plan is required (or --sandbox with --export).\n${USAGE}`);
  return a;
}

function log(line: string): void {
  process.stdout.write(line + '\n');
}

function progressLine(e: ProgressEvent): string | undefined {
  const t = e.elapsedMs !== undefined ? ` (${(e.elapsedMs / 1000).toFixed(1)} s)` : '';
  switch (e.status) {
    case 'started': return `▶ ${e.title}`;
    case 'progress': return `  … ${e.message}`;
    case 'succeeded': return `✔ ${e.title}: ${e.message}${t}`;
    case 'failed': return `✖ ${e.title}: ${e.message}${t}`;
    case 'skipped': return `- ${e.title}: ${e.message}`;
    case 'cancelled': return `■ ${e.title}: cancelled`;
  }
}

export async function printPlan(steps: Step<RecipeEnv>[], env: RecipeEnv): Promise<void> {
  const planned = await planSteps(steps, env);
  const name = (t: string) => (t === env.provider.tenantId ? `provider ${env.provider.tenantName}` : t === env.consumer.tenantId ? `consumer ${env.consumer.tenantName}` : t);
  for (const s of planned) {
    log(`${s.title} [${s.id}]`);
    for (const c of s.changes) log(`  ${c.action.padEnd(6)} ${name(c.tenantId)}: ${c.resource}${c.detail ? ` — ${c.detail}` : ''}${c.cost ? `\n         cost: ${c.cost}` : ''}`);
  }
  log(`${planned.reduce((n, s) => n + s.changes.filter((c) => c.action !== 'check').length, 0)} change(s) planned; nothing was changed (dry run).`);
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.exportFolder && !args.plan) {
    await dashboard.gatherAndExport(await dashboard.tenantsOfSandbox(args.sandbox as string), { folder: args.exportFolder, log, extras: dashboard.dashboardExtras() });
    return 0;
  }
  let text: string;
  try {
    text = fs.readFileSync(args.plan as string, 'utf8');
  } catch (e) {
    log(`Cannot read the plan ${args.plan}: ${(e as Error).message}`);
    return 2;
  }
  const plan = parsePlan(text, `The plan ${path.basename(args.plan as string)}`, undefined, path.dirname(args.plan as string));
  const repo = path.resolve(__dirname, '..');
  const sandboxJson = plan.target === 'sandbox' ? (args.sandbox ?? path.join(repo, '.sandbox', 'sandbox.json')) : undefined;
  const env = await createRecipeEnv(plan, { sandboxJson, baseDir: path.dirname(args.plan as string) });
  if (args.exportFolder) {
    await dashboard.gatherAndExport(dashboard.tenantsOfEnv(env), { folder: args.exportFolder, log, extras: dashboard.dashboardExtras({ env }) });
    return 0;
  }
  const steps = args.cleanup ? cleanupSteps() : recipeSteps();
  log(`Recipe ${args.cleanup ? 'cleanup' : 'run'}: provider ${env.provider.tenantName} (${env.provider.tenantId}) → consumer ${env.consumer.tenantName} (${env.consumer.tenantId}), ${plan.target === 'sandbox' ? `sandbox ${env.cloud.armEndpoint}` : 'Azure'}`);
  if (args.dryRun) {
    await printPlan(steps, env);
    return 0;
  }
  if (args.checkQuality) return runQualityChecks(env);
  const audit = new AuditTrail(args.audit);
  const controller = new AbortController();
  const onSignal = () => {
    log('Cancelling: the step in flight stops at its next check; run again to pick up where it stopped.');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let ok = true;
  if (!args.validateOnly) {
    const result = await runRecipeSteps(steps, env, { signal: controller.signal, audit, concurrency: args.concurrency, onProgress: (e) => { const l = progressLine(e); if (l) log(l); } });
    const failed = result.outcomes.filter((o) => o.status === 'failed');
    for (const f of failed) if (f.error?.nextStep) log(`  next step for ${f.title}: ${f.error.nextStep}`);
    log(`${result.outcomes.filter((o) => o.status === 'succeeded').length} step(s) done (${result.outcomes.filter((o) => o.changed).length} changed something), ${failed.length} failed, ${result.outcomes.filter((o) => o.status === 'skipped' || o.status === 'cancelled').length} not run, in ${(result.elapsedMs / 1000).toFixed(1)} s; ARM calls: ${env.counter.arm.reads} reads, ${env.counter.arm.writes} writes, ${env.counter.arm.deletes} deletes`);
    ok = result.ok;
    if (controller.signal.aborted) return 130;
  }
  if (!args.cleanup) {
    const report = await validateEstate(env);
    log('\nValidation:');
    log(formatReport(report));
    if (args.report) {
      fs.mkdirSync(path.dirname(args.report), { recursive: true });
      fs.writeFileSync(args.report, JSON.stringify(report, null, 2));
    }
    ok = ok && report.ok;
  }
  if (args.auditExport) {
    const records = AuditTrail.read(args.audit);
    fs.writeFileSync(args.auditExport, args.auditExport.endsWith('.md') ? auditToMarkdown(records) : auditToCsv(records));
  }
  return ok ? 0 : 1;
}

/** `--check-quality`: each dataset with rules checked where it lies; prints Markdown; changes nothing. */
async function runQualityChecks(env: RecipeEnv): Promise<number> {
  const datasets = env.plan.share.datasets.map((d) => ({ d, rules: rulesFor(env, d) })).filter((x) => x.rules);
  if (!datasets.length) {
    log('The plan has no data-quality rules (governance.quality): nothing to check.');
    return 0;
  }
  const outcomes: Outcome[] = [];
  for (const { d, rules } of datasets) {
    const report = await checkQuality({
      clients: env.provider.clients,
      storageAccount: env.provider.plan.storageAccount,
      container: env.provider.plan.container,
      path: d.kind === 'Container' ? undefined : d.path,
      rules: rules!.rules,
      onProgress: (m) => process.stderr.write(`  … ${m}\n`),
    });
    outcomes.push(report.outcome);
    log(formatQualityReport(report, `Data quality of ${d.name} (${path.relative(env.baseDir, rules!.file)})`));
  }
  const overall = worst(outcomes);
  log(`Overall: ${overall}`);
  return overall === 'fail' || overall === 'error' ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      const d = describeError(e);
      process.stderr.write(`${d.message}${d.nextStep ? `\nNext step: ${d.nextStep}` : ''}\n`);
      process.exit(2);
    },
  );
}
