/**
 * The workflow commands' implementation, loaded on first use (its own bundle, dist/workflowHost.js,
 * so activation stays cheap): each command is a wizard of prompt steps over one context, a recipe
 * plan built from the answers, the plan shown for confirmation, then workflow steps run with
 * progress, cancel, the Activity view and the audit trail. Commands never call the clients to
 * change anything; every change goes through src/workflows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuditTrail, auditToCsv, auditToMarkdown } from '../../workflows/audit';
import { adjustExpiry, listConsumers, reinstateConsumer, revokeConsumer } from '../../workflows/control';
import type { PlannedChange, RunResult, Step } from '../../workflows/engine';
import { planSteps } from '../../workflows/engine';
import { createRecipeEnv, type RecipeEnv } from '../../workflows/env';
import { CancelledError, describeError, isCancellation, UserFacingError } from '../../workflows/errors';
import type { GovernancePolicy } from '../../workflows/governance';
import { acceptInvitation, listPendingInvitations, rejectInvitation } from '../../workflows/operations';
import { parsePlan, type DataSetPlan, type RecipePlan } from '../../workflows/plan';
import { checkApprovalPlan } from '../../workflows/approvalPlan';
import { checkNotificationsPlan } from '../../workflows/notificationsPlan';
import { checkQualityPlan } from '../../workflows/quality/planRules';
import { cleanupSteps, recipeSteps, runRecipeSteps, stepsFor } from '../../workflows/recipe';
import { gateDecision, runSnapshot } from '../../workflows/steps/sharing';
import { futureDate, rules } from '../../workflows/validate';
import { formatReport, validateEstate } from '../../workflows/validation';
import type { Activity } from '../activity';
import type { WorkflowCommandDeps } from '../workflowCommands';
import {
  choiceStep, clientsFor, containerStep, parseArmId, tenantOfSubscription, dataShareAccountStep, dateStep, key, locationStep, nameStep, purviewStep, receivedShareStep,
  resourceGroupStep, shareStep, SIDE_NAME, storageStep, str, subscriptionStep, tenantName, tenantSlug, tenantStep, textStep, type Ctx, type Side,
} from './prompts';
import { GoBackError, runWizard, WizardUi, type PickItem, type PromptStep } from './wizard';
import { governanceCommands } from '../governance';

/** What the workflow commands get from the extension (one definition, in workflowCommands.ts). */
export type HostDeps = WorkflowCommandDeps;

/** The test hook: pre-filled answers skip their prompts; `confirm: true` accepts the plan (test mode only). */
export interface CommandArgs {
  answers?: Record<string, unknown>;
  confirm?: boolean;
}

export interface CommandResult {
  ok: boolean;
  summary?: string;
  error?: string;
  [k: string]: unknown;
}

const ESTATE_KEY = 'governedDataShare.wizard.estate';

export interface Run {
  id: string;
  title: string;
  deps: HostDeps;
  ctx: Ctx;
  ui: WizardUi;
  autoConfirm: boolean;
  testMode: boolean;
  entry?: Activity;
  args: unknown[];
  steps: Map<string, StepHandleLike>;
}

// ---------------------------------------------------------------------------------------------
// Arguments: a tree node (prefills), a multi-selection, or { answers, confirm }
// ---------------------------------------------------------------------------------------------

function isCommandArgs(a: unknown): a is CommandArgs {
  return typeof a === 'object' && a !== null && ('answers' in a || 'confirm' in a) && !('kind' in a);
}

/** What a tree node tells: which side it belongs to and the keys it fills. */
function prefillFromNode(deps: HostDeps, commandSide: Side, node: unknown): Ctx {
  const n = (node ?? {}) as Record<string, unknown> & { kind?: string; tenant?: { tenantId?: string }; data?: Record<string, string> };
  const out: Ctx = {};
  const set = (side: Side, name: string, v: unknown) => { if (typeof v === 'string' && v) out[key(side, name)] = v; };
  const tenantId = n.tenant?.tenantId ?? (typeof n.tenantId === 'string' ? n.tenantId : undefined) ?? n.data?.tenantId;
  switch (n.kind) {
    case 'tenant': case 'invitations':
      set(commandSide, 'Tenant', tenantId);
      break;
    case 'subscription':
      set(commandSide, 'Tenant', tenantId);
      set(commandSide, 'Sub', n.subscriptionId);
      break;
    case 'account': {
      set(commandSide, 'Tenant', tenantId);
      set(commandSide, 'Sub', n.subscriptionId);
      set(commandSide, 'Rg', n.resourceGroup);
      // Shares view: a Data Share account; Catalog view: a Purview account.
      if (typeof n.id === 'string' && /Microsoft\.DataShare/i.test(n.id)) set(commandSide, 'DsAccount', n.name);
      else if (!n.id) set(commandSide, 'Purview', n.name);
      break;
    }
    case 'group':
      set(commandSide, 'Tenant', tenantId);
      set(commandSide, 'Sub', n.subscriptionId);
      set(commandSide, 'Rg', n.resourceGroup);
      set(commandSide, 'DsAccount', n.account);
      break;
    case 'share': case 'received': {
      const id = parseArmId(n.id as string);
      const side: Side = n.kind === 'share' ? 'p' : 'c';
      set(side, 'Tenant', tenantId ?? tenantOfSubscription(deps, id.subscriptions));
      set(side, 'Sub', id.subscriptions);
      set(side, 'Rg', id.resourcegroups);
      set(side, 'DsAccount', id.accounts);
      if (n.kind === 'share') out.shareName = id.shares ?? n.name;
      else out.subscriptionName = id.sharesubscriptions ?? n.name;
      break;
    }
    case 'leaf': {
      // A consumer of a sent share: its id is the provider share subscription's.
      const id = parseArmId(n.id as string);
      if (!id.providersharesubscriptions) break;
      set('p', 'Tenant', tenantId ?? tenantOfSubscription(deps, id.subscriptions));
      set('p', 'Sub', id.subscriptions);
      set('p', 'Rg', id.resourcegroups);
      set('p', 'DsAccount', id.accounts);
      out.shareName = id.shares;
      out.consumerId = id.providersharesubscriptions;
      break;
    }
    case 'invitation': {
      const id = parseArmId(n.id as string);
      if (typeof n.invitationId === 'string') out.invitationId = n.invitationId;
      else if (id.consumerinvitations) out.invitationId = id.consumerinvitations;
      else if (typeof n.id === 'string' && !rules.guid(n.id)) out.invitationId = n.id;
      if (typeof n.location === 'string') out.invitationLocation = n.location;
      else if (id.locations) out.invitationLocation = id.locations;
      set('c', 'Tenant', tenantId);
      break;
    }
    default:
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Plan, env, confirmation, progress, results
// ---------------------------------------------------------------------------------------------

const PLACEHOLDER = { resourceGroup: 'unused-rg', storageAccount: 'unusedstorage', container: 'unused', dataShareAccount: 'unused-account' };

/** The governance policy file (setting governedDataShare.governance.policyFile), read and checked; undefined when unset. */
function governanceFile(): { full: string; json: Record<string, unknown> } | undefined {
  const file = vscode.workspace.getConfiguration('governedDataShare').get<string>('governance.policyFile');
  if (!file) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const full = path.isAbsolute(file) ? file : path.join(folder ?? process.cwd(), file);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(full, 'utf8'));
  } catch (e) {
    throw new UserFacingError(`Cannot read the governance policy ${full}: ${(e as Error).message}`, 'Fix governedDataShare.governance.policyFile (a JSON file {blocked, requireJustification, unknown, quality?, approval?}).');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserFacingError(`The governance policy ${full} is not a JSON object.`, 'Use {"blocked": [...], "requireJustification": [...], "unknown": "allow"|"block"|"justify"}.');
  return { full, json: json as Record<string, unknown> };
}

function policyFromSettings(): GovernancePolicy | undefined {
  const f = governanceFile();
  if (!f) return undefined;
  const p = f.json as GovernancePolicy;
  const list = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  if (!list(p.blocked) || !list(p.requireJustification) || (p.unknown !== undefined && !['allow', 'block', 'justify'].includes(p.unknown))) {
    throw new UserFacingError(`The governance policy ${f.full} is not valid.`, "Use {\"blocked\": [...], \"requireJustification\": [...], \"unknown\": \"allow\"|\"block\"|\"justify\"}.");
  }
  return { ...(p.blocked ? { blocked: p.blocked } : {}), ...(p.requireJustification ? { requireJustification: p.requireJustification } : {}), ...(p.unknown ? { unknown: p.unknown } : {}) };
}

/**
 * The policy file's data-quality rules and approval settings (the same shapes as a plan's
 * governance.quality and governance.approval, paths relative to the policy file), so wizard
 * commands pass the same gate as plan files. Every problem is reported at once.
 */
function gateSettingsFor(plan: RecipePlan): Pick<NonNullable<RecipePlan['governance']>, 'quality' | 'approval'> & { baseDir?: string } {
  const f = governanceFile();
  if (!f || (f.json.quality === undefined && f.json.approval === undefined)) return {};
  const baseDir = path.dirname(f.full);
  const problems: Array<[string, string]> = [];
  if (f.json.approval !== undefined) problems.push(...checkApprovalPlan(f.json.approval, 'approval'));
  if (f.json.quality !== undefined) problems.push(...checkQualityPlan(plan, f.json.quality, plan.share.datasets.map((d) => d.name), baseDir).map(([k, m]) => [k.replace(/^governance\./, ''), m] as [string, string]));
  if (problems.length) throw new UserFacingError(`The governance policy ${f.full} has problems:\n${problems.map(([k, m]) => `  ${k} ${m}`).join('\n')}`, 'Fix the policy file (its quality and approval sections use the shapes of a plan\'s governance.quality and governance.approval).');
  return {
    ...(f.json.quality !== undefined ? { quality: f.json.quality as NonNullable<RecipePlan['governance']>['quality'] } : {}),
    ...(f.json.approval !== undefined ? { approval: f.json.approval as NonNullable<RecipePlan['governance']>['approval'] } : {}),
    baseDir,
  };
}

/** A recipe plan from the wizard's answers; the side a command does not touch mirrors the other. */
function planFromCtx(deps: HostDeps, ctx: Ctx): RecipePlan {
  const side = (s: Side) => {
    const tenantId = str(ctx, key(s, 'Tenant'));
    if (!tenantId) return undefined;
    return {
      tenantId,
      subscriptionId: str(ctx, key(s, 'Sub')) ?? '00000000-0000-0000-0000-000000000000',
      resourceGroup: str(ctx, key(s, 'Rg')) ?? PLACEHOLDER.resourceGroup,
      storageAccount: str(ctx, key(s, 'Storage')) ?? PLACEHOLDER.storageAccount,
      container: str(ctx, key(s, 'Container')) ?? PLACEHOLDER.container,
      dataShareAccount: str(ctx, key(s, 'DsAccount')) ?? PLACEHOLDER.dataShareAccount,
      ...(str(ctx, key(s, 'Purview')) ? { purviewAccount: str(ctx, key(s, 'Purview')) } : {}),
    };
  };
  const provider = side('p') ?? side('c');
  const consumer = side('c') ?? side('p');
  if (!provider || !consumer) throw new UserFacingError('No tenant chosen.');
  const target = str(ctx, 'target');
  const policy = (ctx.policy as GovernancePolicy | undefined) ?? policyFromSettings();
  const plan: RecipePlan = {
    version: 1,
    target: deps.connection.info?.kind === 'sandbox' ? 'sandbox' : 'azure',
    location: str(ctx, 'location') ?? (vscode.workspace.getConfiguration('governedDataShare').get<string>('defaultLocation') || 'westeurope'),
    provider,
    consumer,
    share: {
      name: str(ctx, 'shareName') ?? 'unused-share',
      ...(str(ctx, 'description') ? { description: str(ctx, 'description') } : {}),
      ...(str(ctx, 'terms') ? { terms: str(ctx, 'terms') } : {}),
      ...(ctx.sampleData === true ? { sampleData: true } : {}),
      ...(ctx.files && typeof ctx.files === 'object' ? { files: ctx.files as Record<string, string> } : {}),
      datasets: (ctx.datasets as DataSetPlan[] | undefined) ?? [],
      ...(ctx.schedule && typeof ctx.schedule === 'object' ? { schedule: ctx.schedule as { recurrence: 'Day' | 'Hour'; time: string } } : {}),
    },
    invitation: {
      name: str(ctx, 'invitationName') ?? 'unused-invitation',
      ...(target && target !== 'me' ? { targetEmail: target } : {}),
      ...(str(ctx, 'expiresOn') ? { expiresOn: str(ctx, 'expiresOn') } : {}),
    },
    subscription: { name: str(ctx, 'subscriptionName') ?? 'unused-subscription', ...(ctx.mode === 'Incremental' || ctx.mode === 'FullSync' ? { mode: ctx.mode } : {}) },
    ...(policy || str(ctx, 'justification') ? { governance: { ...(policy ? { policy } : {}), ...(str(ctx, 'justification') ? { justification: str(ctx, 'justification') } : {}) } } : {}),
    ...(ctx.readiness && typeof ctx.readiness === 'object' ? { readiness: ctx.readiness as RecipePlan['readiness'] } : {}),
  };
  // Events go to the provider's Event Grid topic named in the settings (created by Create Event Topic…).
  const topic = (vscode.workspace.getConfiguration('governedDataShare').get<string>('notifications.eventGridTopic') ?? '').trim();
  if (topic) {
    const [rg, name] = topic.includes('/') ? topic.split('/', 2) : [undefined, topic];
    const problems = checkNotificationsPlan({ eventGrid: { topic: name, ...(rg ? { resourceGroup: rg } : {}) } });
    if (problems.length) throw new UserFacingError(`The setting governedDataShare.notifications.eventGridTopic ('${topic}') is not valid: ${problems.map(([, m]) => m).join(' ')}`, "Use a topic name, or 'resourceGroup/topicName' when it is not in the provider's resource group.");
    plan.notifications = { eventGrid: { topic: name, ...(rg ? { resourceGroup: rg } : {}) } };
  }
  // The policy file's data-quality rules and approval apply to wizard commands as to plan files.
  const { quality, approval } = gateSettingsFor(plan);
  if (quality || approval) plan.governance = { ...(plan.governance ?? {}), ...(quality ? { quality } : {}), ...(approval ? { approval } : {}) };
  return plan;
}

async function envFor(deps: HostDeps, plan: RecipePlan): Promise<RecipeEnv> {
  const azure = deps.connection.azure();
  const ids = [...new Set([plan.provider.tenantId, plan.consumer.tenantId])];
  const clients = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await azure.clients(id)] as const)));
  const tenantNames = Object.fromEntries(ids.map((id) => [id, tenantName(deps, id)]));
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return createRecipeEnv(plan, { clients, tenantNames, baseDir: folder });
}

function auditTrail(deps: HostDeps): AuditTrail {
  return new AuditTrail(path.join(deps.context.globalStorageUri.fsPath, 'audit.jsonl'));
}

function describeChange(deps: HostDeps, c: PlannedChange): string {
  return `${c.action.toUpperCase()} ${c.resource}${c.detail ? ` — ${c.detail}` : ''}${c.cost ? ` [cost: ${c.cost}]` : ''} (${tenantName(deps, c.tenantId)})`;
}

/** Shows what would change (action, tenant, resource, cost) and asks; false when the person declines. */
async function confirmPlan(run: Run, changes: PlannedChange[], verb: string, heading?: string): Promise<void> {
  const lines = changes.filter((c) => c.action !== 'check').map((c) => describeChange(run.deps, c));
  run.deps.log.info(`${run.title}: plan\n  ${lines.join('\n  ') || '(checks only)'}`);
  if (run.autoConfirm) return;
  const byTenant = new Map<string, string[]>();
  for (const c of changes) {
    const t = tenantName(run.deps, c.tenantId);
    byTenant.set(t, [...(byTenant.get(t) ?? []), `• ${c.action} ${c.resource}${c.detail ? ` — ${c.detail}` : ''}${c.cost ? `\n   cost: ${c.cost}` : ''}`]);
  }
  const detail = [...byTenant.entries()].map(([t, l]) => `${t}:\n${l.join('\n')}`).join('\n\n');
  const choice = await vscode.window.showWarningMessage(heading ?? `${run.title}: this will make these changes.`, { modal: true, detail }, verb);
  if (choice !== verb) throw new CancelledError();
}

function startActivity(run: Run, title: string): void {
  if (run.entry) return;
  run.title = title;
  // Retry (from the Activity view) runs the command again with what was answered.
  const retry = () => vscode.commands.executeCommand(`governedDataShare.${run.id}`, { answers: answersOf(run.ctx) });
  run.entry = (run.deps.activity as unknown as { start(t: string, o?: unknown): Activity }).start(title, { retry });
}

function answersOf(ctx: Ctx): Record<string, unknown> {
  return Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined));
}

interface StepHandleLike { succeed(m?: string): void; fail(e: unknown): void; cancel(): void; report(m: string): void }

/** Mirrors a workflow step as a child of the activity row, when the Activity view offers step children (its API may grow). */
function activityStep(run: Run, stepId: string, title: string, status: string, message?: string): void {
  const entry = run.entry as unknown as { step?: (id: string, title: string) => StepHandleLike; report?: (m: string) => void } | undefined;
  if (!entry) return;
  try {
    if (status === 'progress' || status === 'started') entry.report?.(`${title}${message ? `: ${message}` : ''}`);
    if (typeof entry.step !== 'function') return;
    let handle = run.steps.get(stepId);
    if (status === 'started' || !handle) {
      handle = entry.step.call(entry, stepId, title);
      run.steps.set(stepId, handle);
    }
    if (status === 'progress' && message) handle.report(message);
    else if (status === 'succeeded') handle.succeed(message);
    else if (status === 'failed') handle.fail(new UserFacingError(message ?? 'failed'));
    else if (status === 'cancelled' || status === 'skipped') handle.cancel();
  } catch {
    /* the Activity view only mirrors the run */
  }
}

async function withProgress<T>(run: Run, title: string, task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      return await task((message) => progress.report({ message }), abort.signal);
    } finally {
      sub.dispose();
    }
  });
}

/** Runs workflow steps with progress "(n/total)", each step mirrored in the Activity view; throws the first failure. */
async function runSteps(run: Run, steps: Step<RecipeEnv>[], env: RecipeEnv): Promise<RunResult> {
  const total = steps.length;
  let finished = 0;
  const result = await withProgress(run, run.title, (report, signal) =>
    runRecipeSteps(steps, env, {
      signal,
      audit: auditTrail(run.deps),
      onProgress: (e) => {
        if (e.status !== 'started' && e.status !== 'progress') finished++;
        report(`(${Math.min(finished + (e.status === 'started' ? 1 : 0), total)}/${total}) ${e.title}${e.message ? `: ${e.message}` : ''}`);
        run.deps.log.info(`${run.title}: ${e.stepId} ${e.status}${e.message ? `: ${e.message}` : ''}`);
        activityStep(run, e.stepId, e.title, e.status, e.message);
      },
    }),
  );
  const failed = result.outcomes.find((o) => o.status === 'failed');
  if (failed) throw new UserFacingError(`${failed.title}: ${failed.error?.message ?? failed.summary}`, failed.error?.nextStep);
  if (result.outcomes.some((o) => o.status === 'cancelled')) throw new CancelledError();
  return result;
}

function portalUrl(tenantId: string, resourceId: string): string {
  return `https://portal.azure.com/#@${tenantId}/resource${resourceId}`;
}

export interface Outcome {
  summary: string;
  tenantId?: string;
  resourceId?: string;
  /** A share for "Show Lineage". */
  lineage?: unknown;
  extra?: Record<string, unknown>;
  /** No result notification (the command showed its own). */
  quiet?: boolean;
}

function offerResult(run: Run, o: Outcome): void {
  const buttons = ['Reveal', ...(o.lineage ? ['Show Lineage'] : []), ...(o.resourceId && o.tenantId && run.deps.connection.info?.kind !== 'sandbox' ? ['Open in Portal'] : [])];
  void vscode.window.showInformationMessage(o.summary, ...buttons).then(async (choice) => {
    if (choice === 'Reveal') {
      await vscode.commands.executeCommand('governedDataShare.shares.focus');
      if (!o.resourceId || !run.deps.reveal || !(await run.deps.reveal(o.resourceId))) run.deps.refreshViews();
    } else if (choice === 'Show Lineage') {
      const all = await vscode.commands.getCommands(true);
      if (all.includes('governedDataShare.showLineage')) await vscode.commands.executeCommand('governedDataShare.showLineage', o.lineage);
    } else if (choice === 'Open in Portal' && o.tenantId && o.resourceId) {
      await vscode.env.openExternal(vscode.Uri.parse(portalUrl(o.tenantId, o.resourceId)));
    }
  });
}

function remember(deps: HostDeps, ctx: Ctx): void {
  const keep = ['pTenant', 'pSub', 'pRg', 'pStorage', 'pContainer', 'pDsAccount', 'pPurview', 'cTenant', 'cSub', 'cRg', 'cStorage', 'cContainer', 'cDsAccount', 'cPurview', 'location', 'shareName', 'subscriptionName', 'invitationName', 'datasets'];
  const before = deps.context.globalState.get<Ctx>(ESTATE_KEY) ?? {};
  const next: Ctx = { ...before };
  for (const k of keep) if (ctx[k] !== undefined && ctx[k] !== null && !String(ctx[k]).startsWith('unused')) next[k] = ctx[k];
  void deps.context.globalState.update(ESTATE_KEY, next);
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

export type Impl = (run: Run) => Promise<Outcome>;

const providerSteps = (deps: HostDeps, allowNew: boolean, side: Side = 'p'): PromptStep[] => [
  tenantStep(deps, side, { exclude: side === 'p' ? 'c' : 'p' }),
  subscriptionStep(deps, side),
  ...(allowNew ? [resourceGroupStep(deps, side, true), { ...locationStep(), shouldPrompt: (ctx: Ctx) => ctx[key(side, 'RgNew')] === true }] : []),
];

const accountSteps = (deps: HostDeps, side: Side): PromptStep[] => [tenantStep(deps, side), subscriptionStep(deps, side), dataShareAccountStep(deps, side, false)];

function provision(side: Side): Impl {
  return async (run) => {
    const { deps, ctx, ui } = run;
    await runWizard(ctx, [
      ...providerSteps(deps, true, side),
      storageStep(deps, side, true),
      containerStep(deps, side, true),
      dataShareAccountStep(deps, side, true),
      purviewStep(deps, side, true),
      ...(side === 'p' ? [choiceStep('sampleData', 'Upload sample data (small sales CSVs) to the container?', [{ label: 'No sample data', value: false }, { label: 'Upload sample data', value: true }])] : []),
    ], ui);
    const which = SIDE_NAME[side];
    startActivity(run, `Provision ${which} in ${tenantName(deps, str(ctx, key(side, 'Tenant')))}`);
    const ids = [`${which}.register`, `${which}.storage`, `${which}.dataRole`, `${which}.dataShareAccount`, `${which}.purview`, ...(side === 'p' && (ctx.sampleData === true || ctx.files) ? ['provider.upload'] : [])];
    const env = await envFor(deps, planFromCtx(deps, ctx));
    const steps = stepsFor(ids, recipeSteps(), { withDependencies: false });
    await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Provision');
    await runSteps(run, steps, env);
    const s = env[which];
    return { summary: `${which === 'provider' ? 'Provider' : 'Consumer'} ready in ${s.tenantName}: storage ${s.plan.storageAccount}/${s.plan.container}, Data Share account ${s.plan.dataShareAccount}${s.plan.purviewAccount ? `, Purview ${s.plan.purviewAccount}` : ''}.`, tenantId: s.tenantId, resourceId: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.plan.resourceGroup}` };
  };
}

/**
 * What the governance commands (src/ui/governance: data quality, approvals, notifications, dashboard,
 * customer-managed keys) use from this host, so they run with the same wizard, plan confirmation,
 * progress with cancel, Activity rows and audit trail as every other workflow command.
 */
export interface HostToolkit {
  envFor: typeof envFor;
  planFromCtx: typeof planFromCtx;
  planFromSource: typeof planFromSource;
  fullPlanContext: typeof fullPlanContext;
  confirmPlan: typeof confirmPlan;
  runSteps: typeof runSteps;
  withProgress: typeof withProgress;
  startActivity: typeof startActivity;
  auditTrail: typeof auditTrail;
  showReport: typeof showReport;
  policyFromSettings: typeof policyFromSettings;
  providerSteps: typeof providerSteps;
  accountSteps: typeof accountSteps;
}

export type CommandDef = { title: string; side: Side; impl: Impl };

const toolkit: HostToolkit = {
  envFor, planFromCtx, planFromSource, fullPlanContext, confirmPlan, runSteps, withProgress, startActivity, auditTrail, showReport, policyFromSettings, providerSteps, accountSteps,
};

const COMMANDS: Record<string, CommandDef> = {
  ...governanceCommands(toolkit),
  provisionProvider: { title: 'Provision provider', side: 'p', impl: provision('p') },
  provisionConsumer: { title: 'Provision consumer', side: 'c', impl: provision('c') },

  checkReadiness: {
    title: 'Check cross-tenant readiness', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [
        tenantStep(deps, 'p'), subscriptionStep(deps, 'p'), tenantStep(deps, 'c', { exclude: 'p' }), subscriptionStep(deps, 'c'),
        { key: 'target', validate: (v) => (v === 'me' ? undefined : rules.email(String(v))), prompt: async (c, u) => {
          const how = await u.pick([{ label: `The signed-in identity of ${tenantName(deps, str(c, 'cTenant'))}`, value: 'me' }, { label: 'An email address…', value: 'email' }], 'How will the consumer be invited?');
          return how === 'me' ? 'me' : u.input({ prompt: "Consumer's email address", validate: rules.email });
        } },
        choiceStep('setUp', 'Only check, or also set up what the signed-in identities may (partner policies, guest invitation)?', [{ label: 'Check only', value: false }, { label: 'Check and set up', description: 'through Microsoft Graph where allowed; the rest becomes a checklist', value: true }]),
      ], ui);
      if (str(ctx, 'pTenant') === str(ctx, 'cTenant')) throw new UserFacingError('The provider and the consumer are the same tenant.', 'Choose two different tenants.');
      ctx.readiness = ctx.setUp === true ? { partnerPolicy: true, guestInvite: str(ctx, 'target') !== 'me' } : {};
      startActivity(run, `Check readiness ${tenantName(deps, str(ctx, 'pTenant'))} → ${tenantName(deps, str(ctx, 'cTenant'))}`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const steps = stepsFor(['readiness'], recipeSteps(), { withDependencies: false });
      if (ctx.setUp === true) await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Check and Set Up');
      const r = await runSteps(run, steps, env);
      const summary = r.outcomes[0]?.summary ?? 'ready';
      deps.log.info(`Readiness: ${summary}`);
      return { summary: `Readiness: ${summary}` };
    },
  },

  createShare: {
    title: 'Create share', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [
        ...accountSteps(deps, 'p'), storageStep(deps, 'p', false), shareStep(deps, 'new'),
        textStep('description', 'Description (optional)'),
        textStep('terms', 'Terms of use the consumer accepts (optional)'),
      ], ui);
      startActivity(run, `Create share ${str(ctx, 'shareName')}`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const steps = stepsFor(['share.create'], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Create');
      await runSteps(run, steps, env);
      return shareOutcome(env, `Share ${env.plan.share.name} created in ${env.provider.plan.dataShareAccount}.`);
    },
  },

  addDatasets: {
    title: 'Add datasets', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [
        ...accountSteps(deps, 'p'), shareStep(deps, 'existing'), storageStep(deps, 'p', false), containerStep(deps, 'p', false),
        { key: 'datasets', validate: (v) => validateDatasets(v), prompt: (c, u) => pickDatasets(deps, c, u) },
        purviewStep(deps, 'p', false),
      ], ui);
      startActivity(run, `Add ${(ctx.datasets as DataSetPlan[]).length} dataset(s) to ${str(ctx, 'shareName')}`);
      let env = await envFor(deps, planFromCtx(deps, ctx));
      // The gate reads Purview first: ask for a justification only where the policy wants one.
      if (ctx.justification === undefined && !run.testMode) {
        const preview = await gateDecision(env);
        if (preview.decision === 'block' && preview.reasons.every((r) => /none was given/.test(r))) {
          await runWizard(ctx, [textStep('justification', `Justification (the policy asks for one: ${preview.reasons.join('; ')})`, { required: 'A justification is required to share this data.' })], ui);
          env = await envFor(deps, planFromCtx(deps, ctx));
        }
      }
      const steps = stepsFor(['governance.gate', 'share.datasets'], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Add');
      await runSteps(run, steps, env);
      return shareOutcome(env, `Added ${env.plan.share.datasets.map((d) => d.name).join(', ')} to ${env.plan.share.name} (governance gate passed).`);
    },
  },

  setSchedule: {
    title: 'Set snapshot schedule', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [
        ...accountSteps(deps, 'p'), shareStep(deps, 'existing'), storageStep(deps, 'p', false),
        choiceStep('recurrence', 'How often?', [{ label: 'Daily', value: 'Day' }, { label: 'Hourly', value: 'Hour' }]),
        nameStep('time', 'Time of day (HH:MM, UTC)', rules.timeOfDay, () => '02:00'),
      ], ui);
      if (ctx.recurrence !== 'Day' && ctx.recurrence !== 'Hour') throw new UserFacingError(`'${String(ctx.recurrence)}' is not a recurrence: use Day or Hour.`);
      ctx.schedule = { recurrence: ctx.recurrence, time: str(ctx, 'time') };
      // share.create rewrites description and terms: keep the share's own.
      const clients = await clientsFor(deps, str(ctx, 'pTenant')!);
      const share = await clients.dataShare.shares.get({ subscriptionId: str(ctx, 'pSub')!, resourceGroupName: str(ctx, 'pRg')!, accountName: str(ctx, 'pDsAccount')!, shareName: str(ctx, 'shareName')! });
      ctx.description = share.properties?.description ?? '';
      ctx.terms = share.properties?.terms ?? '';
      startActivity(run, `Set snapshot schedule of ${str(ctx, 'shareName')}`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const steps = stepsFor(['share.create'], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Set Schedule');
      await runSteps(run, steps, env);
      return shareOutcome(env, `${env.plan.share.name} snapshots ${ctx.recurrence === 'Day' ? `daily at ${str(ctx, 'time')} UTC` : 'hourly'}.`);
    },
  },

  inviteConsumer: {
    title: 'Invite consumer', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [
        ...accountSteps(deps, 'p'), shareStep(deps, 'existing'),
        { key: 'target', validate: (v) => (v === 'me' ? undefined : rules.email(String(v))), prompt: async (c, u) => {
          const discovery = await deps.connection.discovery();
          const others = discovery.tenants.filter((t) => t.state === 'signedIn' && t.tenant.tenantId !== str(c, 'pTenant'));
          const picked = await u.pick<string>([...others.map((t) => ({ label: `The signed-in identity of ${t.tenant.displayName}`, description: t.account.label, value: t.tenant.tenantId })), { label: 'An email address…', value: '@' }], 'Whom to invite?');
          if (picked === '@') return u.input({ prompt: "Consumer's email address", validate: rules.email });
          c.cTenant = picked;
          return 'me';
        } },
        { ...tenantStep(deps, 'c', { exclude: 'p', label: 'The consumer tenant' }), shouldPrompt: (c: Ctx) => c.target === 'me' },
        nameStep('invitationName', 'Name of the invitation', rules.dataShareName, (c) => `to-${tenantSlug(deps, str(c, 'cTenant'))}`),
        dateStep('expiresOn', 'Invitation expires on (optional)', false),
      ], ui);
      startActivity(run, `Invite ${str(ctx, 'target') === 'me' ? tenantName(deps, str(ctx, 'cTenant')) : str(ctx, 'target')} to ${str(ctx, 'shareName')}`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const steps = stepsFor(['share.invite'], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Invite');
      await runSteps(run, steps, env);
      return shareOutcome(env, `Invitation ${env.plan.invitation.name} sent for ${env.plan.share.name}.`);
    },
  },

  acceptInvitation: {
    title: 'Accept invitation', side: 'c',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [tenantStep(deps, 'c'), invitationStep(deps), subscriptionStep(deps, 'c'), dataShareAccountStep(deps, 'c', false),
        nameStep('subscriptionName', 'Name of the received share (share subscription)', rules.dataShareName, (c) => String(c.invitationShareName ?? 'received-share').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 90))], ui);
      const clients = await clientsFor(deps, str(ctx, 'cTenant')!);
      const inv = (await listPendingInvitations(clients)).find((i) => i.invitationId === str(ctx, 'invitationId'));
      if (!inv) throw new UserFacingError(`No pending invitation ${str(ctx, 'invitationId')} for ${tenantName(deps, str(ctx, 'cTenant'))}.`, 'Refresh the Pending invitations list; it may have been accepted, rejected or withdrawn.');
      startActivity(run, `Accept ${inv.shareName ?? 'invitation'} into ${str(ctx, 'cDsAccount')}`);
      if (!run.autoConfirm) {
        const choice = await vscode.window.showWarningMessage(`Accept the share ${inv.shareName ?? ''} from ${inv.providerName ?? inv.providerEmail ?? '?'} (${inv.providerTenantName ?? ''})?`, { modal: true, detail: `Terms of use:\n${inv.termsOfUse || '(none)'}\n\n${inv.dataSetCount ?? '?'} dataset(s). Creates share subscription ${str(ctx, 'subscriptionName')} in ${str(ctx, 'cDsAccount')} (${tenantName(deps, str(ctx, 'cTenant'))}).` }, 'Accept Terms and Receive');
        if (choice !== 'Accept Terms and Receive') throw new CancelledError();
      }
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const me = await env.consumer.principal();
      const sub = await withProgress(run, run.title, (report, signal) => {
        report('accepting');
        return acceptInvitation(clients, { invitationId: inv.invitationId, location: inv.location, subscriptionId: str(ctx, 'cSub')!, resourceGroupName: str(ctx, 'cRg')!, accountName: str(ctx, 'cDsAccount')!, shareSubscriptionName: str(ctx, 'subscriptionName')!, termsAccepted: true }, me, auditTrail(deps), signal);
      });
      return { summary: `Accepted ${inv.shareName ?? ''} into ${sub.name}. Next: Map Datasets…`, tenantId: env.consumer.tenantId, resourceId: sub.id, lineage: { kind: 'received', id: sub.id, name: sub.name } };
    },
  },

  rejectInvitation: {
    title: 'Reject invitation', side: 'c',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [tenantStep(deps, 'c'), invitationStep(deps)], ui);
      const clients = await clientsFor(deps, str(ctx, 'cTenant')!);
      const inv = (await listPendingInvitations(clients)).find((i) => i.invitationId === str(ctx, 'invitationId'));
      const location = inv?.location ?? str(ctx, 'invitationLocation');
      if (!location) throw new UserFacingError(`No pending invitation ${str(ctx, 'invitationId')}.`, 'Refresh the Pending invitations list.');
      startActivity(run, `Reject ${inv?.shareName ?? 'invitation'}`);
      if (!run.autoConfirm) {
        const choice = await vscode.window.showWarningMessage(`Reject the invitation to ${inv?.shareName ?? '?'} from ${inv?.providerName ?? '?'}?`, { modal: true, detail: 'The provider has to send a new invitation if you change your mind.' }, 'Reject');
        if (choice !== 'Reject') throw new CancelledError();
      }
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const me = await env.consumer.principal();
      await withProgress(run, run.title, (_r, signal) => rejectInvitation(clients, location, str(ctx, 'invitationId')!, me, auditTrail(deps), signal));
      return { summary: `Rejected the invitation to ${inv?.shareName ?? str(ctx, 'invitationId')}.` };
    },
  },

  mapDatasets: {
    title: 'Map datasets', side: 'c',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [...accountSteps(deps, 'c'), receivedShareStep(deps), storageStep(deps, 'c', false), containerStep(deps, 'c', false)], ui);
      const clients = await clientsFor(deps, str(ctx, 'cTenant')!);
      const ref = { subscriptionId: str(ctx, 'cSub')!, resourceGroupName: str(ctx, 'cRg')!, accountName: str(ctx, 'cDsAccount')!, shareSubscriptionName: str(ctx, 'subscriptionName')! };
      const sources = (await clients.dataShare.consumerSourceDataSets.listByShareSubscription(ref).collect()).items;
      if (sources.length === 0) throw new UserFacingError(`${ref.shareSubscriptionName} has no datasets to map.`, 'Ask the provider to add datasets to the share.');
      ctx.datasets = sources.map((s) => {
        const p = s.properties ?? {};
        const inner = (p.dataSetPath ?? '').split('/').slice(1).join('/');
        return { name: p.dataSetName ?? '', kind: p.dataSetType === 'BlobFolder' ? 'Folder' : p.dataSetType === 'Blob' ? 'File' : 'Container', ...(p.dataSetType === 'BlobFolder' || p.dataSetType === 'Blob' ? { path: inner } : {}) } as DataSetPlan;
      });
      startActivity(run, `Map ${sources.length} dataset(s) of ${ref.shareSubscriptionName} to ${str(ctx, 'cStorage')}/${str(ctx, 'cContainer')}`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const steps = stepsFor(['consumer.map'], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Map');
      await runSteps(run, steps, env);
      return receivedOutcome(env, `Mapped ${sources.length} dataset(s) to ${env.consumer.plan.storageAccount}/${env.consumer.plan.container}. Next: Snapshot Now…`);
    },
  },

  snapshotNow: {
    title: 'Snapshot now', side: 'c',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [...accountSteps(deps, 'c'), receivedShareStep(deps), choiceStep('mode', 'Snapshot type', [{ label: 'Full copy', description: 'FullSync', value: 'FullSync' }, { label: 'Incremental', description: 'only what changed', value: 'Incremental' }])], ui);
      startActivity(run, `Snapshot ${str(ctx, 'subscriptionName')} (${String(ctx.mode)})`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const mode = ctx.mode === 'Incremental' ? 'Incremental' : 'FullSync';
      const step: Step<RecipeEnv> = {
        id: 'consumer.snapshotNow', title: `Snapshot (${mode})`, dependsOn: [], side: 'consumer',
        plan: (e) => [{ action: 'run', tenantId: e.consumer.tenantId, resource: `${e.consumer.plan.resourceGroup}/${e.consumer.plan.dataShareAccount}/${e.plan.subscription.name}`, detail: `${mode} snapshot`, cost: 'one snapshot execution and the data moved' }],
        async execute(e, c) {
          const r = await runSnapshot(e, mode, c);
          if (r.sync.status !== 'Succeeded') throw new UserFacingError(`The snapshot ended ${r.sync.status}: ${r.sync.message ?? 'no details'}.`, 'Check the roles of both Data Share identities on their storage accounts (Map Datasets… sets the consumer one), then try again.');
          c.audit({ action: 'snapshot.completed', tenantId: e.consumer.tenantId, outcome: 'succeeded', message: `${r.files} file(s), ${r.bytes} byte(s)`, details: { files: r.files, bytes: r.bytes, synchronizationId: r.sync.synchronizationId } });
          return { changed: true, summary: `snapshot Succeeded: ${r.files} file(s), ${r.bytes} byte(s)` };
        },
      };
      await confirmPlan(run, await step.plan(env), 'Run Snapshot');
      const r = await runSteps(run, [step], env);
      // The snapshot recorded its lineage in both catalogs: open lineage panels show it.
      await deps.refreshLineage?.().catch(() => undefined);
      return receivedOutcome(env, `${env.plan.subscription.name}: ${r.outcomes[0]?.summary}; lineage updated in both Purview accounts.`);
    },
  },

  revokeConsumer: controlCommand('revoke'),
  reinstateConsumer: controlCommand('reinstate'),
  adjustExpiry: controlCommand('adjust'),

  registerAndScan: {
    title: 'Register and scan', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [choiceStep('side', 'Which side’s storage?', [{ label: 'Provider (the data to share)', value: 'provider' }, { label: 'Consumer (the received data)', value: 'consumer' }])], ui);
      const side: Side = ctx.side === 'consumer' ? 'c' : 'p';
      // A node prefills the other side's keys when the command's default side differs.
      if (side === 'c' && !ctx.cTenant && ctx.pTenant) for (const k of ['Tenant', 'Sub', 'Rg', 'Purview']) if (ctx[`p${k}`] !== undefined) { ctx[`c${k}`] = ctx[`p${k}`]; delete ctx[`p${k}`]; }
      await runWizard(ctx, [tenantStep(deps, side), subscriptionStep(deps, side), purviewStep(deps, side, false), storageStep(deps, side, false), containerStep(deps, side, false)], ui);
      if (!str(ctx, key(side, 'Purview'))) throw new UserFacingError('Scanning needs a Purview account.', `Run "Provision ${side === 'p' ? 'Provider' : 'Consumer'}…" with a Purview account first.`);
      const which = SIDE_NAME[side];
      startActivity(run, `Register and scan ${str(ctx, key(side, 'Storage'))} in ${str(ctx, key(side, 'Purview'))}`);
      const env = await envFor(deps, planFromCtx(deps, ctx));
      const steps = stepsFor([`${which}.scan`], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Scan');
      const r = await runSteps(run, steps, env);
      return { summary: `${env[which].plan.storageAccount} in ${env[which].plan.purviewAccount}: ${r.outcomes[0]?.summary}.` };
    },
  },

  linkLineage: {
    title: 'Link lineage', side: 'p',
    impl: async (run) => {
      const { deps, ctx } = run;
      await fullPlanContext(run, true);
      startActivity(run, `Link lineage ${str(ctx, 'shareName')} → ${str(ctx, 'subscriptionName')}`);
      const env = await envFor(deps, (ctx.plan as RecipePlan | undefined) ?? planFromCtx(deps, ctx));
      const steps = stepsFor(['lineage.link'], recipeSteps(), { withDependencies: false });
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Record Lineage');
      const r = await runSteps(run, steps, env);
      await deps.refreshLineage?.().catch(() => undefined);
      return shareOutcome(env, `Lineage: ${r.outcomes[0]?.summary}.`);
    },
  },

  validate: {
    title: 'Validate', side: 'p',
    impl: async (run) => {
      const { deps } = run;
      const plan = await planFromSource(run, 'Validate which setup?');
      startActivity(run, `Validate ${plan.share.name}`);
      const env = await envFor(deps, plan);
      const report = await withProgress(run, run.title, (r) => { r('checking both tenants'); return validateEstate(env); });
      const text = formatReport(report);
      await showReport(run, `# Validation: ${plan.share.name}\n\n${text}`);
      return { summary: report.failed ? `Validation: ${report.passed} check(s) passed, ${report.failed} failed; see the report for what to do.` : `Validation passed (${report.passed} checks).`, extra: { report } };
    },
  },

  cleanUp: {
    title: 'Clean up', side: 'p',
    impl: async (run) => {
      const { deps } = run;
      const plan = await planFromSource(run, 'Clean up which setup?');
      startActivity(run, `Clean up ${plan.share.name}`);
      const env = await envFor(deps, plan);
      const steps = cleanupSteps();
      const changes = (await planSteps(steps, env)).flatMap((s) => s.changes);
      await confirmPlan(run, changes, 'Delete Everything Listed', `Clean up deletes ${changes.filter((c) => c.action === 'delete').length} resource(s) in ${new Set(changes.map((c) => c.tenantId)).size} tenant(s). This cannot be undone.`);
      await runSteps(run, steps, env);
      return { summary: `Cleaned up ${plan.share.name} in ${env.provider.tenantName} and ${env.consumer.tenantName}.` };
    },
  },

  exportAudit: {
    title: 'Export audit trail', side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      await runWizard(ctx, [choiceStep('format', 'Export as', [{ label: 'CSV', description: 'for spreadsheets', value: 'csv' }, { label: 'Markdown', description: 'for reading and reports', value: 'md' }])], ui);
      const format = ctx.format === 'md' || ctx.format === 'markdown' ? 'md' : 'csv';
      const trail = auditTrail(deps);
      const records = AuditTrail.read(trail.file!);
      let target = str(ctx, 'saveTo');
      if (!target) {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const picked = await vscode.window.showSaveDialog({ title: 'Export the audit trail', saveLabel: 'Export', filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] }, defaultUri: folder ? vscode.Uri.joinPath(folder, `audit-trail.${format}`) : undefined });
        if (!picked) throw new CancelledError();
        target = picked.fsPath;
      }
      startActivity(run, `Export audit trail (${records.length} record(s))`);
      await vscode.workspace.fs.writeFile(vscode.Uri.file(target), Buffer.from(format === 'csv' ? auditToCsv(records) : auditToMarkdown(records), 'utf8'));
      if (!run.testMode) {
        void vscode.window.showInformationMessage(`Exported ${records.length} audit record(s) to ${path.basename(target)}.`, 'Open').then((c) => {
          if (c === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(target));
        });
      }
      return { summary: `Exported ${records.length} audit record(s) to ${target}.`, quiet: true, extra: { file: target, records: records.length } };
    },
  },

  runRecipe: {
    title: 'Run recipe from plan file', side: 'p',
    impl: async (run) => {
      const { deps, ctx } = run;
      const file = str(ctx, 'planFile') ?? await pickPlanFile(run);
      const plan = parsePlan(fs.readFileSync(file, 'utf8'), path.basename(file), Date.now(), path.dirname(file));
      // The plan's own policy wins; else the one in governedDataShare.governance.policyFile.
      const policy = plan.governance?.policy ? undefined : policyFromSettings();
      if (policy) plan.governance = { ...(plan.governance ?? {}), policy };
      // Likewise its data-quality rules and approval, when the plan has none of its own.
      if (!plan.governance?.quality && !plan.governance?.approval) {
        const { quality, approval } = gateSettingsFor(plan);
        if (quality || approval) plan.governance = { ...(plan.governance ?? {}), ...(quality ? { quality } : {}), ...(approval ? { approval } : {}) };
      }
      ctx.plan = plan;
      const known = new Set((deps.connection.info?.tenants ?? []).map((t) => t.tenantId.toLowerCase()));
      for (const s of ['provider', 'consumer'] as const) {
        if (known.size && !known.has(plan[s].tenantId.toLowerCase())) throw new UserFacingError(`${s}.tenantId ${plan[s].tenantId} is not a tenant of this connection (${[...(deps.connection.info?.tenants ?? [])].map((t) => `${t.displayName} ${t.tenantId}`).join(', ')}).`, 'Sign in to that tenant, or use its id in the plan.');
      }
      startActivity(run, `Run recipe ${path.basename(file)}`);
      const env = await envFor(deps, plan);
      env.baseDir = path.dirname(file);
      const steps = recipeSteps();
      await confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Run Recipe');
      const result = await runSteps(run, steps, env);
      remember(deps, ctxFromPlan(plan));
      const report = await validateEstate(env);
      await showReport(run, `# Recipe ${path.basename(file)}\n\n${result.outcomes.map((o) => `- ${o.status === 'succeeded' ? '✅' : '❌'} ${o.title}: ${o.summary}`).join('\n')}\n\n## Validation\n\n${formatReport(report)}`);
      return shareOutcome(env, `Recipe ${path.basename(file)} finished: ${result.outcomes.filter((o) => o.changed).length} step(s) changed something.`);
    },
  },
};

function shareOutcome(env: RecipeEnv, summary: string): Outcome {
  const id = `/subscriptions/${env.provider.subscriptionId}/resourceGroups/${env.provider.plan.resourceGroup}/providers/Microsoft.DataShare/accounts/${env.provider.plan.dataShareAccount}/shares/${env.plan.share.name}`;
  return { summary, tenantId: env.provider.tenantId, resourceId: id, lineage: { kind: 'share', id, name: env.plan.share.name, tenantId: env.provider.tenantId } };
}

function receivedOutcome(env: RecipeEnv, summary: string): Outcome {
  const id = `/subscriptions/${env.consumer.subscriptionId}/resourceGroups/${env.consumer.plan.resourceGroup}/providers/Microsoft.DataShare/accounts/${env.consumer.plan.dataShareAccount}/shareSubscriptions/${env.plan.subscription.name}`;
  return { summary, tenantId: env.consumer.tenantId, resourceId: id, lineage: { kind: 'received', id, name: env.plan.subscription.name, tenantId: env.consumer.tenantId } };
}

function validateDatasets(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length === 0) return 'Choose at least one dataset.';
  for (const d of v as DataSetPlan[]) {
    const bad = rules.dataShareName(String(d?.name)) ?? (d?.kind !== 'Container' && d?.kind !== 'Folder' && d?.kind !== 'File' ? `Dataset kind '${String(d?.kind)}' must be Container, Folder or File.` : undefined) ?? (d.kind !== 'Container' ? rules.blobPath(String(d.path)) : undefined);
    if (bad) return bad;
  }
  return undefined;
}

function datasetName(p: string): string {
  const base = p.split('/').filter(Boolean).pop() ?? p;
  return (base.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_-]/g, '-') || 'dataset').slice(0, 90).padEnd(2, '-');
}

/** The container itself, its top folders and its files, several at once. */
async function pickDatasets(deps: HostDeps, ctx: Ctx, ui: WizardUi): Promise<DataSetPlan[]> {
  if (ui.options.noPrompts) throw new UserFacingError("No answer given for 'datasets' and prompting is off.");
  const clients = await clientsFor(deps, str(ctx, 'pTenant')!);
  const container = str(ctx, 'pContainer')!;
  const folders = new Set<string>();
  const files: string[] = [];
  for await (const b of clients.blobForAccount(str(ctx, 'pStorage')!).list(container)) {
    files.push(b.name);
    const parts = b.name.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
    if (files.length >= 1000) break;
  }
  const items: Array<PickItem<DataSetPlan>> = [
    { label: `$(archive) ${container}`, description: 'the whole container', value: { name: datasetName(container), kind: 'Container' } },
    ...[...folders].sort().map((f) => ({ label: `$(folder) ${f}/`, value: { name: datasetName(f), kind: 'Folder' as const, path: f } })),
    ...files.sort().map((f) => ({ label: `$(file) ${f}`, value: { name: datasetName(f), kind: 'File' as const, path: f } })),
  ];
  const qp = vscode.window.createQuickPick<PickItem<DataSetPlan>>();
  qp.title = ui.options.title;
  qp.step = ui.step;
  qp.totalSteps = ui.total;
  qp.canSelectMany = true;
  qp.placeholder = 'Datasets to add (the governance gate checks their classifications first)';
  qp.items = items;
  qp.ignoreFocusOut = true;
  qp.buttons = ui.canGoBack ? [vscode.QuickInputButtons.Back] : [];
  qp.show();
  return new Promise((resolve, reject) => {
    let done = false;
    qp.onDidTriggerButton(() => { done = true; reject(new GoBackError()); qp.hide(); });
    qp.onDidAccept(() => {
      if (!qp.selectedItems.length) return;
      done = true;
      const chosen = qp.selectedItems.map((i) => i.value);
      const seen = new Map<string, number>();
      resolve(chosen.map((d) => { const n = seen.get(d.name) ?? 0; seen.set(d.name, n + 1); return n ? { ...d, name: `${d.name}-${n + 1}` } : d; }));
      qp.hide();
    });
    qp.onDidHide(() => { qp.dispose(); if (!done) reject(new CancelledError()); });
  });
}

function invitationStep(deps: HostDeps): PromptStep {
  return {
    key: 'invitationId',
    validate: (v) => rules.guid(String(v)),
    prompt: async (ctx, ui) => {
      const load = async () => {
        const pending = await listPendingInvitations(await clientsFor(deps, str(ctx, 'cTenant')!));
        if (pending.length === 0) throw new UserFacingError(`No pending invitations for ${tenantName(deps, str(ctx, 'cTenant'))}.`, 'Ask the provider to invite this identity (Invite Consumer…).');
        return pending.map((i) => ({ label: i.shareName ?? i.invitationId, description: `from ${i.providerName ?? i.providerEmail ?? '?'} (${i.providerTenantName ?? '?'})`, detail: `${i.dataSetCount ?? '?'} dataset(s) · terms: ${i.termsOfUse || 'none'}${i.expirationDate ? ` · expires ${i.expirationDate}` : ''}`, value: i }));
      };
      const inv = await ui.pick(load(), 'Pending invitation');
      ctx.invitationLocation = inv.location;
      ctx.invitationShareName = inv.shareName;
      return inv.invitationId;
    },
  };
}

function controlCommand(action: 'revoke' | 'reinstate' | 'adjust'): { title: string; side: Side; impl: Impl } {
  const title = action === 'revoke' ? 'Revoke consumer' : action === 'reinstate' ? 'Reinstate consumer' : 'Adjust expiry';
  return {
    title, side: 'p',
    impl: async (run) => {
      const { deps, ctx, ui } = run;
      let env: RecipeEnv | undefined;
      const envNow = async () => (env ??= await envFor(deps, planFromCtx(deps, ctx)));
      await runWizard(ctx, [
        ...accountSteps(deps, 'p'), shareStep(deps, 'existing'),
        { key: 'consumerId', prompt: async (c, u) => {
          const consumers = await listConsumers(await envNow());
          const wanted = action === 'revoke' ? consumers.filter((x) => x.status !== 'Revoked') : action === 'reinstate' ? consumers.filter((x) => x.status !== 'Active') : consumers;
          if (wanted.length === 0) throw new UserFacingError(`No consumer of ${str(c, 'shareName')} to ${action === 'adjust' ? 'adjust' : action}.`, consumers.length ? `Consumers: ${consumers.map((x) => `${x.consumerEmail ?? x.consumerName ?? x.id} (${x.status})`).join(', ')}.` : 'Nobody has accepted an invitation yet.');
          return u.pick(wanted.map((x) => ({ label: x.consumerEmail ?? x.consumerName ?? x.id, description: `${x.consumerTenantName ?? ''} · ${x.status ?? ''}`, detail: x.expirationDate ? `expires ${x.expirationDate}` : 'no expiry', value: x.id })), 'Consumer');
        } },
        ...(action === 'adjust' ? [dateStep('expiresOn', 'New expiry date', true)] : action === 'reinstate' ? [dateStep('expiresOn', 'Expiry date (optional)', false)] : []),
      ], ui);
      const e = await envNow();
      startActivity(run, `${title} of ${str(ctx, 'shareName')}`);
      if (!run.autoConfirm && action === 'revoke') {
        const choice = await vscode.window.showWarningMessage(`Revoke this consumer's access to ${e.plan.share.name}?`, { modal: true, detail: 'No further snapshots reach them; data already received stays in their storage. Reinstate Consumer… undoes it.' }, 'Revoke');
        if (choice !== 'Revoke') throw new CancelledError();
      }
      const id = str(ctx, 'consumerId') ?? '';
      const expires = str(ctx, 'expiresOn');
      if (expires) { const bad = futureDate(expires); if (bad) throw new UserFacingError(bad); }
      const r = await withProgress(run, run.title, (_rep, signal) =>
        action === 'revoke' ? revokeConsumer(e, id, auditTrail(deps), signal)
          : action === 'reinstate' ? reinstateConsumer(e, id, expires, auditTrail(deps), signal)
            : adjustExpiry(e, id, expires!, auditTrail(deps), signal));
      const state = 'status' in r ? r.status : (r as { expirationDate?: string }).expirationDate;
      return { ...shareOutcome(e, `${title}: ${r.changed ? 'done' : 'nothing to change'}${state ? ` (${state})` : ''}.`), extra: { result: r } };
    },
  };
}

function ctxFromPlan(plan: RecipePlan): Ctx {
  const c: Ctx = { location: plan.location, shareName: plan.share.name, subscriptionName: plan.subscription.name, invitationName: plan.invitation.name, datasets: plan.share.datasets };
  for (const [s, p] of [['p', plan.provider], ['c', plan.consumer]] as const) {
    Object.assign(c, { [`${s}Tenant`]: p.tenantId, [`${s}Sub`]: p.subscriptionId, [`${s}Rg`]: p.resourceGroup, [`${s}Storage`]: p.storageAccount, [`${s}Container`]: p.container, [`${s}DsAccount`]: p.dataShareAccount, [`${s}Purview`]: p.purviewAccount ?? null });
  }
  return c;
}

async function pickPlanFile(run: Run): Promise<string> {
  if (run.ui.options.noPrompts) throw new UserFacingError("No answer given for 'planFile' and prompting is off.");
  const found = await vscode.workspace.findFiles('**/*.recipe.json', '**/node_modules/**', 50);
  const browse = '\u0000browse';
  const picked = found.length ? await run.ui.pick([...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), value: u.fsPath })), { label: '$(folder-opened) Browse…', value: browse }], 'Recipe plan file (*.recipe.json)') : browse;
  if (picked !== browse) return picked;
  const chosen = await vscode.window.showOpenDialog({ title: 'Choose a recipe plan', canSelectMany: false, filters: { 'Recipe plan': ['json'] }, openLabel: 'Use Plan' });
  if (!chosen?.[0]) throw new CancelledError();
  return chosen[0].fsPath;
}

/** A whole plan: answers.plan, a plan file, or the resources set up from this editor. */
async function planFromSource(run: Run, placeholder: string): Promise<RecipePlan> {
  const { ctx, deps, ui } = run;
  if (ctx.plan && typeof ctx.plan === 'object') return ctx.plan as RecipePlan;
  if (str(ctx, 'planFile')) return parsePlan(fs.readFileSync(str(ctx, 'planFile')!, 'utf8'), path.basename(str(ctx, 'planFile')!), Date.now(), path.dirname(str(ctx, 'planFile')!));
  const estate = deps.context.globalState.get<Ctx>(ESTATE_KEY);
  const source = estate?.pTenant && estate.cTenant && estate.shareName
    ? await ui.pick<'estate' | 'file'>([{ label: `Set up from this editor: ${String(estate.shareName)}`, description: `${tenantName(deps, estate.pTenant as string)} → ${tenantName(deps, estate.cTenant as string)}`, value: 'estate' }, { label: 'From a plan file…', value: 'file' }], placeholder)
    : 'file';
  if (source === 'estate') return planFromCtx(deps, { ...estate });
  const file = await pickPlanFile(run);
  return parsePlan(fs.readFileSync(file, 'utf8'), path.basename(file), Date.now(), path.dirname(file));
}

/** Link Lineage needs both sides: from answers, a node, a plan, or the wizard (datasets and storage read from the share). */
async function fullPlanContext(run: Run, needPurview: boolean): Promise<void> {
  const { deps, ctx, ui } = run;
  if (ctx.plan || str(ctx, 'planFile')) { ctx.plan = await planFromSource(run, ''); return; }
  await runWizard(ctx, [
    ...accountSteps(deps, 'p'), shareStep(deps, 'existing'),
    tenantStep(deps, 'c', { exclude: 'p' }), subscriptionStep(deps, 'c'), dataShareAccountStep(deps, 'c', false), receivedShareStep(deps),
    ...(needPurview ? [purviewStep(deps, 'p', false), purviewStep(deps, 'c', false)] : []),
  ], ui);
  const p = await clientsFor(deps, str(ctx, 'pTenant')!);
  const sets = (await p.dataShare.dataSets.listByShare({ subscriptionId: str(ctx, 'pSub')!, resourceGroupName: str(ctx, 'pRg')!, accountName: str(ctx, 'pDsAccount')!, shareName: str(ctx, 'shareName')! }).collect()).items;
  if (sets.length === 0) throw new UserFacingError(`${str(ctx, 'shareName')} has no datasets.`, 'Add Datasets… first.');
  const props = (d: unknown) => ((d as { properties?: Record<string, string> }).properties ?? {});
  ctx.datasets ??= sets.map((d) => ({ name: d.name ?? '', kind: d.kind === 'BlobFolder' ? 'Folder' : d.kind === 'Blob' ? 'File' : 'Container', ...(d.kind === 'BlobFolder' ? { path: props(d).prefix } : d.kind === 'Blob' ? { path: props(d).filePath } : {}) }));
  ctx.pStorage ??= props(sets[0]).storageAccountName;
  ctx.pContainer ??= props(sets[0]).containerName;
  const c = await clientsFor(deps, str(ctx, 'cTenant')!);
  const maps = (await c.dataShare.dataSetMappings.listByShareSubscription({ subscriptionId: str(ctx, 'cSub')!, resourceGroupName: str(ctx, 'cRg')!, accountName: str(ctx, 'cDsAccount')!, shareSubscriptionName: str(ctx, 'subscriptionName')! }).collect()).items;
  if (maps.length === 0) throw new UserFacingError(`${str(ctx, 'subscriptionName')} has no dataset mappings.`, 'Map Datasets… first.');
  ctx.cStorage ??= props(maps[0]).storageAccountName;
  ctx.cContainer ??= props(maps[0]).containerName;
}

async function showReport(run: Run, markdown: string): Promise<void> {
  run.deps.log.info(markdown);
  if (run.testMode) return;
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { preview: false });
}

// ---------------------------------------------------------------------------------------------
// The one entry: wizard, activity, errors with Show Log / Retry
// ---------------------------------------------------------------------------------------------

export async function runWorkflowCommand(id: string, deps: HostDeps, args: unknown[]): Promise<CommandResult | undefined> {
  const command = COMMANDS[id];
  if (!command) throw new Error(`Unknown workflow command ${id}.`);
  // A multi-selection in a tree (node, selected nodes): the command runs once per node, in order.
  const selection = Array.isArray(args[1]) ? (args[1] as unknown[]).filter((n) => typeof n === 'object' && n !== null && 'kind' in n) : [];
  if (selection.length > 1) {
    const rest = args.slice(2);
    const results: Array<CommandResult | undefined> = [];
    for (const node of selection) results.push(await runOne(id, command, deps, [node, ...rest]));
    return { ok: results.every((r) => r?.ok), summary: `${results.filter((r) => r?.ok).length} of ${selection.length} done`, results };
  }
  return runOne(id, command, deps, args);
}

async function runOne(id: string, command: (typeof COMMANDS)[string], deps: HostDeps, args: unknown[]): Promise<CommandResult | undefined> {
  const testMode = deps.context.extensionMode === vscode.ExtensionMode.Test;
  const given = args.find(isCommandArgs);
  const node = args.find((a) => a !== given && typeof a === 'object' && a !== null && 'kind' in a);
  const ctx: Ctx = { ...(node ? prefillFromNode(deps, command.side, node) : {}), ...(given?.answers ?? {}) };
  const run: Run = {
    id, title: command.title, deps, ctx, args, testMode, steps: new Map(),
    autoConfirm: testMode && given?.confirm === true,
    ui: new WizardUi({ title: command.title, noPrompts: testMode && given !== undefined }),
  };
  deps.log.info(`${command.title}: started${node ? ' from a tree node' : ''}${given?.answers ? ` with answers for ${Object.keys(given.answers).join(', ')}` : ''}`);
  try {
    deps.connection.azure(); // says how to connect when not connected
    const outcome = await command.impl(run);
    startActivity(run, command.title);
    deps.activity.finish(run.entry!, 'succeeded', outcome.summary);
    deps.log.info(`${run.title}: ${outcome.summary}`);
    remember(deps, ctx);
    deps.refreshViews();
    if (!outcome.quiet && !testMode) offerResult(run, outcome);
    return { ok: true, summary: outcome.summary, ...(outcome.extra ?? {}) };
  } catch (error) {
    if (isCancellation(error)) {
      if (run.entry) deps.activity.finish(run.entry, 'cancelled');
      deps.log.info(`${run.title}: cancelled`);
      return undefined;
    }
    const { message, nextStep } = describeError(error);
    startActivity(run, command.title);
    deps.activity.finish(run.entry!, 'failed', nextStep ? `${message} ${nextStep}` : message);
    deps.log.error(`${run.title} failed: ${message}${nextStep ? ` Next step: ${nextStep}` : ''}`);
    if (error instanceof Error && error.stack && !(error instanceof UserFacingError)) deps.log.error(error.stack);
    void vscode.window.showErrorMessage(nextStep ? `${message} ${nextStep}` : message, 'Show Log', 'Retry').then((choice) => {
      if (choice === 'Show Log') deps.log.show();
      // Retry keeps what was answered (a fresh run asks only what is missing).
      if (choice === 'Retry') void vscode.commands.executeCommand(`governedDataShare.${id}`, { answers: answersOf(ctx) });
    });
    return { ok: false, error: nextStep ? `${message} ${nextStep}` : message };
  }
}
