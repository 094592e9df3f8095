/**
 * Approval by a second person before sensitive data leaves.
 *
 * - The policy (`governance.approval` of the plan) says what needs approval: classifications by
 *   pattern, data-quality warnings, consumer tenants outside an allow-list, expiries longer than N
 *   days. `approvalReasons(policy, facts)` is pure and lists why a share needs approval (none: no
 *   approval needed).
 * - Where a request lives: **the Logic App run is the request record.** The extension provisions
 *   the approval workflow from a template (idempotent) and starts a run through the Request trigger's
 *   signed callback URL; the trigger body is the request (who asks, from the requester's own token;
 *   what; for whom; until when; why) and the run's `clientTrackingId` is the request key (a hash of
 *   what, for whom and until when), so both people find it through ARM (`runs?$filter=
 *   ClientTrackingId eq '…'`). The run posts an Adaptive Card to Teams, then waits (`HttpWebhook`
 *   with `limit.timeout`) for an answer from the approval channel; the channel records who answered
 *   from the answering person's own token (Teams' "responder"; in the sandbox, the channel at
 *   `{arm}/teams/approvals`), and the run's outputs carry the decision. The extension follows the run
 *   through ARM to its status and outputs and maps the responder to the approver.
 * - Two channels answer the same wait: Teams (`channel: 'logicApp'`) or the editor (`'editor'`), where
 *   an approver signed in with their own account lists the waiting requests and answers through the
 *   channel with their own bearer token. Either way the approver's identity is the verified one.
 * - The gate passes only with a recorded approval that is not the requester's own and not older than
 *   `decisionValidHours`; every step goes to the audit trail and to `env.events`.
 */
import { classificationMatches } from './governance';
import { createHash } from 'node:crypto';
import type { AzureClients, ChannelApproval, Workflow, WorkflowRun } from '../azure';
import type { ApprovalPlan } from './approvalPlan';
import type { AuditActor } from './audit';
import type { StepContext } from './engine';
import { actorOf, type Principal, type RecipeEnv } from './env';
import { CancelledError, UserFacingError } from './errors';
import { shareRef } from './steps/common';
import { checkQuality, rulesFor } from './quality';
import { gateDecision } from './steps/sharing';

/** The plan's `governance.approval` (see approvalPlan.ts for each field). */
export type ApprovalPolicy = ApprovalPlan;

export interface DataQualityFacts {
  outcome: 'pass' | 'warn' | 'fail' | 'error';
  warnings: number;
  failures: number;
  summary?: string;
}

export interface ApprovalFacts {
  /** Qualified names (or names) of the assets shared. */
  assets: string[];
  classifications: string[];
  /** Undefined: not checked. */
  dataQuality?: DataQualityFacts;
  consumerTenantId: string;
  /** Email, or tenant/object id of the consumer identity. */
  consumerIdentity: string;
  /** ISO date the access ends (invitation expiry); undefined: no end. */
  expiresOn?: string;
}

/** Why these facts need approval under the policy; empty when they do not. Pure. */
export function approvalReasons(policy: ApprovalPolicy | undefined, facts: ApprovalFacts, now: Date = new Date()): string[] {
  const r = policy?.required;
  if (!r) return [];
  const out: string[] = [];
  const patterns = r.classifications ?? [];
  const hit = facts.classifications.filter((c) => patterns.some((p) => classificationMatches(p, c)));
  if (hit.length) out.push(`the data is classified ${[...new Set(hit)].sort().join(', ')}`);
  if (r.dataQualityWarnings && facts.dataQuality && (facts.dataQuality.outcome === 'warn' || facts.dataQuality.warnings > 0)) {
    out.push(`data-quality rules warned (${facts.dataQuality.warnings} warning(s)${facts.dataQuality.summary ? `: ${facts.dataQuality.summary}` : ''})`);
  }
  if (r.allowedConsumerTenants && !r.allowedConsumerTenants.some((t) => t.toLowerCase() === facts.consumerTenantId.toLowerCase())) {
    out.push(`the consumer tenant ${facts.consumerTenantId} is not on the allow-list`);
  }
  if (r.maxExpiryDays !== undefined) {
    if (!facts.expiresOn) out.push(`the access has no expiry (the policy allows at most ${r.maxExpiryDays} day(s) without approval)`);
    else {
      const days = (Date.parse(facts.expiresOn) - now.getTime()) / 86_400_000;
      if (days > r.maxExpiryDays) out.push(`the access lasts ${Math.ceil(days)} day(s), longer than ${r.maxExpiryDays}`);
    }
  }
  return out;
}

export const APPROVAL_DEFAULTS = { approverTimeoutMinutes: 1440, decisionValidHours: 24, trigger: 'manual', waitAction: 'Wait_for_response' } as const;

/** Who asks, what, for whom, until when and why: the trigger body of the approval run. */
export interface ApprovalRequest {
  key: string;
  requestedAt: string;
  requester: AuditActor & { kind: Principal['kind'] };
  share: { tenantId: string; id: string; name: string };
  assets: string[];
  classifications: string[];
  dataQuality: DataQualityFacts | 'not checked';
  consumer: { tenantId: string; identity: string };
  expiresOn: string | null;
  reason: string;
  reasons: string[];
  channel: 'logicApp' | 'editor';
  decisionValidHours: number;
}

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected' | 'timedOut' | 'cancelled' | 'selfApproval' | 'expired' | 'failed';

export interface ApprovalDecision {
  requestId: string;
  outcome: ApprovalOutcome;
  requestedAt?: string;
  decidedAt?: string;
  requester?: AuditActor;
  approver?: AuditActor;
  comment?: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Template and provisioning
// ---------------------------------------------------------------------------------------------

export function approvalConfig(env: RecipeEnv): ApprovalPolicy | undefined {
  return env.plan.governance?.approval;
}

function requireLogicApp(cfg: ApprovalPolicy): NonNullable<ApprovalPolicy['logicApp']> {
  if (!cfg.logicApp) throw new UserFacingError('Approvals need governance.approval.logicApp (the workflow that holds the requests).', 'Add {"name": "...", "teamsWebhookUrl": "https://..."} under governance.approval.logicApp.');
  return cfg.logicApp;
}

export function workflowLocation(env: RecipeEnv, cfg: ApprovalPolicy) {
  const la = requireLogicApp(cfg);
  return { subscriptionId: env.provider.subscriptionId, resourceGroup: la.resourceGroup ?? env.provider.plan.resourceGroup, name: la.name };
}

function approvalServiceUrl(env: RecipeEnv, cfg: ApprovalPolicy): string {
  if (cfg.logicApp?.approvalServiceUrl) return cfg.logicApp.approvalServiceUrl.replace(/\/+$/, '');
  if (env.plan.target === 'sandbox') return `${env.cloud.armEndpoint.replace(/\/+$/, '')}/teams/approvals`;
  throw new UserFacingError(
    'In Azure the approval workflow needs an approval channel that records who answered from their own token.',
    'Set governance.approval.logicApp.approvalServiceUrl to your approval service (an Entra-authenticated endpoint that takes HttpWebhook subscriptions), or replace the wait action with the Teams connector\'s "Post adaptive card and wait for a response" in the portal.',
  );
}

/** The approval workflow: Request trigger → card to Teams → wait (timeout) → decision as outputs. */
export function approvalWorkflowDefinition(teamsWebhookUrl: string, serviceUrl: string, timeoutMinutes: number): Record<string, unknown> {
  const timeout = `PT${Math.max(1, Math.round(timeoutMinutes))}M`;
  const reply = (k: string) => `@body('${APPROVAL_DEFAULTS.waitAction}')?['${k}']`;
  return {
    $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
    contentVersion: '1.0.0.0',
    parameters: {},
    triggers: {
      [APPROVAL_DEFAULTS.trigger]: { type: 'Request', kind: 'Http', inputs: { schema: { type: 'object', properties: { request: { type: 'object' }, card: { type: 'object' } }, required: ['request', 'card'] } } },
    },
    actions: {
      Post_card_to_Teams: {
        type: 'Http',
        runAfter: {},
        inputs: { method: 'POST', uri: teamsWebhookUrl, body: { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: "@triggerBody()?['card']" }] } },
      },
      [APPROVAL_DEFAULTS.waitAction]: {
        type: 'HttpWebhook',
        runAfter: { Post_card_to_Teams: ['Succeeded'] },
        inputs: { subscribe: { method: 'POST', uri: `${serviceUrl}/subscribe`, body: { callbackUrl: '@{listCallbackUrl()}', request: "@triggerBody()?['request']", card: "@triggerBody()?['card']" } } },
        limit: { timeout },
      },
      Decision: {
        type: 'Compose',
        runAfter: { [APPROVAL_DEFAULTS.waitAction]: ['Succeeded'] },
        inputs: { requestKey: "@triggerBody()?['request']?['key']", outcome: reply('submitActionId'), comment: `@body('${APPROVAL_DEFAULTS.waitAction}')?['data']?['comment']`, responder: reply('responder'), respondedAt: reply('responseTime') },
      },
      Timed_out: {
        type: 'Terminate',
        runAfter: { [APPROVAL_DEFAULTS.waitAction]: ['TimedOut'] },
        inputs: { runStatus: 'Failed', runError: { code: 'ApprovalTimedOut', message: `No approver answered within ${timeoutMinutes} minute(s).` } },
      },
    },
    outputs: { decision: { type: 'Object', value: "@outputs('Decision')" } },
  };
}

/** Creates or updates the approval workflow so it matches the plan; false when it already did. */
export async function provisionApprovalWorkflow(env: RecipeEnv, cfg: ApprovalPolicy, signal?: AbortSignal): Promise<{ changed: boolean; id: string }> {
  const la = requireLogicApp(cfg);
  const loc = workflowLocation(env, cfg);
  const logic = env.provider.clients.logic(loc.subscriptionId);
  const definition = approvalWorkflowDefinition(la.teamsWebhookUrl, approvalServiceUrl(env, cfg), cfg.approverTimeoutMinutes ?? APPROVAL_DEFAULTS.approverTimeoutMinutes);
  const existing = await logic.workflows.get(loc.resourceGroup, loc.name, { abortSignal: signal }).catch((e: { statusCode?: number }) => {
    if (e?.statusCode === 404) return undefined;
    throw e;
  });
  if (existing && existing.state === 'Enabled' && JSON.stringify(existing.definition) === JSON.stringify(definition)) return { changed: false, id: existing.id ?? '' };
  const wf: Workflow = { location: existing?.location ?? env.plan.location, state: 'Enabled', definition, parameters: {}, tags: { 'governed-data-share': 'approvals' } };
  const r = await logic.workflows.createOrUpdate(loc.resourceGroup, loc.name, wf, { abortSignal: signal });
  return { changed: true, id: r.id ?? '' };
}

// ---------------------------------------------------------------------------------------------
// Facts, request, card
// ---------------------------------------------------------------------------------------------

/** The facts of the plan's share: classifications through the gate's own lookup, consumer, expiry. */
export async function approvalFacts(env: RecipeEnv, signal?: AbortSignal, dataQuality?: DataQualityFacts): Promise<ApprovalFacts> {
  const gate = await gateDecision(env, signal);
  const inv = env.plan.invitation;
  const consumerIdentity = inv.targetEmail ?? (inv.targetObjectId ? `${inv.targetTenantId}/${inv.targetObjectId}` : `the signed-in identity of ${env.consumer.tenantName}`);
  return {
    assets: env.plan.share.datasets.map((d) => `${env.provider.plan.storageAccount}/${env.provider.plan.container}${d.path ? `/${d.path}` : ''} (${d.name})`),
    classifications: gate.classifications,
    ...(dataQuality ? { dataQuality } : {}),
    consumerTenantId: env.consumer.tenantId,
    consumerIdentity,
    ...(inv.expiresOn ? { expiresOn: new Date(inv.expiresOn).toISOString() } : {}),
  };
}

const qualityOfRun = new WeakMap<RecipeEnv, Promise<DataQualityFacts | undefined>>();

/**
 * The data-quality outcome of the plan's datasets under their rules files (governance.quality), for
 * the approval policy's `dataQualityWarnings`; undefined when the plan has no rules. Checked once per
 * env (the data is read again after the gate's own check only when the policy asks about warnings).
 */
export function dataQualityFacts(env: RecipeEnv, signal?: AbortSignal): Promise<DataQualityFacts | undefined> {
  let p = qualityOfRun.get(env);
  if (!p) {
    p = (async () => {
      if (!env.plan.governance?.quality) return undefined;
      let warnings = 0;
      let failures = 0;
      const warned: string[] = [];
      let checked = 0;
      for (const d of env.plan.share.datasets) {
        const rules = rulesFor(env, d);
        if (!rules) continue;
        checked++;
        const report = await checkQuality({ clients: env.provider.clients, storageAccount: env.provider.plan.storageAccount, container: env.provider.plan.container, path: d.kind === 'Container' ? undefined : d.path, rules: rules.rules, signal });
        const w = report.results.filter((r) => r.outcome === 'warn');
        warnings += w.length;
        failures += report.results.filter((r) => r.outcome === 'fail' || r.outcome === 'error').length;
        if (w.length) warned.push(`${d.name} (${w.map((r) => r.ruleId).join(', ')})`);
      }
      if (!checked) return undefined;
      return { outcome: failures ? 'fail' : warnings ? 'warn' : 'pass', warnings, failures, ...(warned.length ? { summary: `warned: ${warned.join('; ')}` } : {}) };
    })();
    p.catch(() => qualityOfRun.delete(env));
    qualityOfRun.set(env, p);
  }
  return p;
}

/** Same share, assets, consumer and expiry → same key (the run's clientTrackingId). */
export function requestKey(env: RecipeEnv, facts: ApprovalFacts): string {
  const h = createHash('sha256').update(JSON.stringify([env.provider.tenantId, shareId(env), facts.assets, facts.consumerTenantId, facts.consumerIdentity, facts.expiresOn ?? null])).digest('hex');
  return `gds-approval-${h.slice(0, 32)}`;
}

function shareId(env: RecipeEnv): string {
  const r = shareRef(env);
  return `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroupName}/providers/Microsoft.DataShare/accounts/${r.accountName}/shares/${r.shareName}`;
}

export function adaptiveCard(req: ApprovalRequest): Record<string, unknown> {
  const list = (xs: string[], n = 10) => (xs.length ? xs.slice(0, n).join(', ') + (xs.length > n ? ` and ${xs.length - n} more` : '') : 'none');
  const dq = req.dataQuality === 'not checked' ? 'not checked' : `${req.dataQuality.outcome} (${req.dataQuality.warnings} warning(s), ${req.dataQuality.failures} failure(s))`;
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: `Approval needed: share '${req.share.name}' → tenant ${req.consumer.tenantId}` },
      { type: 'TextBlock', wrap: true, text: `Needs approval because ${req.reasons.join('; ')}.` },
      {
        type: 'FactSet',
        facts: [
          { title: 'Requested by', value: `${req.requester.name} (${req.requester.objectId})` },
          { title: 'Share', value: req.share.id },
          { title: 'Assets', value: list(req.assets) },
          { title: 'Classifications', value: list(req.classifications) },
          { title: 'Data quality', value: dq },
          { title: 'Consumer tenant', value: req.consumer.tenantId },
          { title: 'Consumer identity', value: req.consumer.identity },
          { title: 'Until', value: req.expiresOn ?? 'no expiry' },
          { title: 'Why', value: req.reason },
          { title: 'Request', value: req.key },
        ],
      },
      { type: 'TextBlock', wrap: true, isSubtle: true, text: req.channel === 'editor' ? 'Decide in VS Code: Governed Data Share: Review Approval Requests… (signed in with your own account).' : 'Answer this card to approve or reject; the requester cannot approve their own request.' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Reading runs
// ---------------------------------------------------------------------------------------------

interface DecisionOutputs {
  requestKey?: string;
  outcome?: string;
  comment?: string;
  responder?: { tenantId?: string; objectId?: string; displayName?: string; email?: string };
  respondedAt?: string;
}

function decisionOf(run: WorkflowRun): DecisionOutputs | undefined {
  const v = (run.outputs as Record<string, { value?: unknown }> | undefined)?.decision?.value;
  return v && typeof v === 'object' ? (v as DecisionOutputs) : undefined;
}

/** The run's request (its trigger outputs' body), through the signed outputsLink. */
async function requestOf(clients: AzureClients, subscriptionId: string, run: WorkflowRun, signal?: AbortSignal): Promise<ApprovalRequest | undefined> {
  const uri = run.trigger?.outputsLink?.uri;
  if (!uri) return undefined;
  const content = await clients.logic(subscriptionId).readContent<{ body?: { request?: ApprovalRequest } }>(uri, { abortSignal: signal });
  return content?.body?.request;
}

/** What a finished (or running) run means for the gate, at `now`. */
export function judgeRun(run: WorkflowRun, request: Pick<ApprovalRequest, 'requester' | 'decisionValidHours' | 'share'> | undefined, now: Date): ApprovalDecision {
  const id = run.name ?? '';
  const requester = request?.requester ? { tenantId: request.requester.tenantId, objectId: request.requester.objectId, name: request.requester.name } : undefined;
  const base = { requestId: id, requestedAt: run.startTime ? new Date(run.startTime).toISOString() : undefined, requester };
  const status = run.status ?? 'Running';
  if (status === 'Running' || status === 'Waiting') return { ...base, outcome: 'pending', message: `request ${id} waits for an approver` };
  if (status === 'Cancelled') return { ...base, outcome: 'cancelled', message: `request ${id} was cancelled` };
  if (status !== 'Succeeded') {
    const code = (run.error as { code?: string } | undefined)?.code ?? run.code;
    if (code === 'ApprovalTimedOut') return { ...base, outcome: 'timedOut', message: `no approver answered request ${id} in time (${(run.error as { message?: string } | undefined)?.message ?? code})` };
    return { ...base, outcome: 'failed', message: `the approval run ${id} ended ${status}: ${(run.error as { message?: string } | undefined)?.message ?? code ?? 'no details'}` };
  }
  const d = decisionOf(run) ?? {};
  const r = d.responder ?? {};
  const approver = r.objectId ? { tenantId: String(r.tenantId ?? ''), objectId: r.objectId, name: String(r.displayName ?? r.email ?? r.objectId) } : undefined;
  const decidedAt = d.respondedAt ?? (run.endTime ? new Date(run.endTime).toISOString() : undefined);
  const common = { ...base, decidedAt, approver, comment: d.comment ?? '' };
  if (!approver) return { ...common, outcome: 'failed', message: `the answer to request ${id} does not say who gave it, so it does not count` };
  if (requester && approver.objectId.toLowerCase() === requester.objectId.toLowerCase() && approver.tenantId.toLowerCase() === requester.tenantId.toLowerCase()) {
    return { ...common, outcome: 'selfApproval', message: `${approver.name} asked for request ${id} and cannot decide it; a second person must` };
  }
  if (request && approver.tenantId.toLowerCase() !== request.share.tenantId.toLowerCase()) {
    return { ...common, outcome: 'failed', message: `request ${id} was answered from tenant ${approver.tenantId}, not the provider's` };
  }
  if (String(d.outcome).toLowerCase() !== 'approve') return { ...common, outcome: 'rejected', message: `${approver.name} rejected request ${id}${d.comment ? `: "${d.comment}"` : ''}` };
  const validHours = request?.decisionValidHours ?? APPROVAL_DEFAULTS.decisionValidHours;
  if (decidedAt && now.getTime() - Date.parse(decidedAt) > validHours * 3_600_000) {
    return { ...common, outcome: 'expired', message: `${approver.name} approved request ${id} at ${decidedAt}, more than ${validHours} hour(s) ago; the approval has expired` };
  }
  return { ...common, outcome: 'approved', message: `${approver.name} approved request ${id}${d.comment ? `: "${d.comment}"` : ''}` };
}

// ---------------------------------------------------------------------------------------------
// Requesting, waiting, deciding
// ---------------------------------------------------------------------------------------------

export interface ApprovalRunOptions {
  /** Where to get the data-quality outcome of the plan's datasets (default: dataQualityFacts, the plan's rules files). */
  dataQuality?: (env: RecipeEnv, signal?: AbortSignal) => Promise<DataQualityFacts | undefined>;
  /** The clock decisions are aged against (default: this machine's). */
  now?: () => Date;
  /** A request that timed out is asked again on the next run (default true). */
  askAgainAfterTimeout?: boolean;
}

async function publish(env: RecipeEnv, type: 'GovernedDataShare.ApprovalRequested' | 'GovernedDataShare.ApprovalDecided', data: Record<string, unknown>): Promise<void> {
  try {
    await env.events?.publish(type, shareId(env), data);
  } catch {
    /* a notification that cannot be sent never fails the gate */
  }
}

type Ctx = Pick<StepContext, 'signal' | 'report' | 'audit'>;

/** Starts a new approval run for the plan's share (whatever earlier runs said); returns the request. */
export async function startApprovalRequest(env: RecipeEnv, cfg: ApprovalPolicy, facts: ApprovalFacts, reasons: string[], ctx: Ctx): Promise<ApprovalRequest & { id: string }> {
  const loc = workflowLocation(env, cfg);
  const logic = env.provider.clients.logic(loc.subscriptionId);
  const me = await env.provider.principal();
  const request: ApprovalRequest = {
    key: requestKey(env, facts),
    requestedAt: new Date().toISOString(),
    requester: { ...actorOf(me), kind: me.kind },
    share: { tenantId: env.provider.tenantId, id: shareId(env), name: env.plan.share.name },
    assets: facts.assets,
    classifications: facts.classifications,
    dataQuality: facts.dataQuality ?? 'not checked',
    consumer: { tenantId: facts.consumerTenantId, identity: facts.consumerIdentity },
    expiresOn: facts.expiresOn ?? null,
    reason: cfg.requestReason ?? env.plan.governance?.justification ?? env.plan.share.description ?? 'no reason given',
    reasons,
    channel: cfg.channel ?? 'logicApp',
    decisionValidHours: cfg.decisionValidHours ?? APPROVAL_DEFAULTS.decisionValidHours,
  };
  const callback = await logic.workflows.triggerCallbackUrl(loc.resourceGroup, loc.name, APPROVAL_DEFAULTS.trigger, { abortSignal: ctx.signal });
  if (!callback.value) throw new UserFacingError(`The approval workflow ${loc.name} gave no trigger URL.`, 'Check that it has a Request trigger named manual (Provision Approval Logic App… recreates it).');
  const { runName } = await logic.invokeTrigger(callback.value, { request, card: adaptiveCard(request) }, { clientTrackingId: request.key, abortSignal: ctx.signal });
  ctx.audit({ action: 'approval.requested', tenantId: env.provider.tenantId, outcome: 'succeeded', resourceIds: [shareId(env)], message: `approval requested (${runName}) because ${reasons.join('; ')}`, details: { requestId: runName, requestKey: request.key, channel: request.channel, consumerTenantId: request.consumer.tenantId, workflow: loc.name } });
  await publish(env, 'GovernedDataShare.ApprovalRequested', { requestId: runName, requester: request.requester, reasons, consumerTenantId: request.consumer.tenantId, expiresOn: request.expiresOn, channel: request.channel });
  ctx.report(`approval requested (${runName}); waiting for ${request.channel === 'editor' ? 'an approver in VS Code (Review Approval Requests…)' : 'an answer in Teams'}`);
  return { ...request, id: runName };
}

/** The latest run for this request key, if any. */
async function latestRun(env: RecipeEnv, cfg: ApprovalPolicy, key: string, signal?: AbortSignal): Promise<WorkflowRun | undefined> {
  const loc = workflowLocation(env, cfg);
  for await (const page of env.provider.clients.logic(loc.subscriptionId).runs.list(loc.resourceGroup, loc.name, { filter: `ClientTrackingId eq '${key}'`, top: 5, abortSignal: signal }).byPage()) {
    const runs = [...page].sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));
    return runs[0];
  }
  return undefined;
}

async function waitForRun(env: RecipeEnv, cfg: ApprovalPolicy, runName: string, signal: AbortSignal): Promise<WorkflowRun> {
  const loc = workflowLocation(env, cfg);
  const logic = env.provider.clients.logic(loc.subscriptionId);
  for (;;) {
    if (signal.aborted) throw new CancelledError();
    const run = await logic.runs.get(loc.resourceGroup, loc.name, runName, { abortSignal: signal });
    if (run.status !== 'Running' && run.status !== 'Waiting') return run;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(env.pollIntervalMs, 20));
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}

/**
 * The gate: passes when nothing needs approval, otherwise finds (or starts) the request for the
 * plan's share, waits for the decision (cancellable: the request stays open, a re-run resumes the
 * wait) and passes only on a recorded approval by someone else that has not expired. Throws a
 * UserFacingError (rejected, timed out, expired, self-approval) having changed nothing.
 */
export async function approvalGate(env: RecipeEnv, ctx: Ctx, options: ApprovalRunOptions = {}): Promise<{ changed: boolean; summary: string; decision?: ApprovalDecision }> {
  const cfg = approvalConfig(env);
  if (!cfg?.required) return { changed: false, summary: 'no approval policy' };
  const dq = cfg.required.dataQualityWarnings ? await (options.dataQuality ?? dataQualityFacts)(env, ctx.signal) : undefined;
  const facts = await approvalFacts(env, ctx.signal, dq);
  const now = options.now ?? (() => new Date());
  const reasons = approvalReasons(cfg, facts, now());
  if (!reasons.length) {
    ctx.audit({ action: 'approval.notRequired', tenantId: env.provider.tenantId, outcome: 'allowed', resourceIds: [shareId(env)], message: 'the approval policy asks for no approval for this share' });
    return { changed: false, summary: 'no approval needed' };
  }
  const prov = await provisionApprovalWorkflow(env, cfg, ctx.signal);
  const key = requestKey(env, facts);
  let run = await latestRun(env, cfg, key, ctx.signal);
  let changed = prov.changed;
  let observed = false;
  let request: ApprovalRequest | undefined;
  const timedOut = run?.status === 'Failed' && (run.error as { code?: string } | undefined)?.code === 'ApprovalTimedOut';
  if (!run || run.status === 'Cancelled' || (timedOut && options.askAgainAfterTimeout !== false)) {
    const started = await startApprovalRequest(env, cfg, facts, reasons, ctx);
    request = started;
    changed = true;
    run = await waitForRun(env, cfg, started.id, ctx.signal);
    observed = true;
  } else if (run.status === 'Running' || run.status === 'Waiting') {
    ctx.report(`request ${run.name} is waiting for an approver`);
    run = await waitForRun(env, cfg, run.name ?? '', ctx.signal);
    observed = true;
  }
  request ??= await requestOf(env.provider.clients, workflowLocation(env, cfg).subscriptionId, run, ctx.signal);
  const decision = judgeRun(run, request, now());
  const approved = decision.outcome === 'approved';
  const record = decision.outcome === 'selfApproval' ? 'approval.refused' : decision.outcome === 'expired' ? 'approval.expired' : 'approval.decided';
  ctx.audit({
    action: record,
    ...(decision.approver ? { actor: decision.approver } : {}),
    tenantId: env.provider.tenantId,
    outcome: approved ? 'allowed' : 'blocked',
    resourceIds: [shareId(env)],
    message: decision.message,
    governance: { decision: approved ? 'allow' : 'block', classifications: facts.classifications, reasons, ...(decision.comment ? { justification: decision.comment } : {}) },
    details: { requestId: decision.requestId, outcome: decision.outcome, ...(decision.decidedAt ? { decidedAt: decision.decidedAt } : {}), ...(decision.requester ? { requester: decision.requester.name, requesterObjectId: decision.requester.objectId } : {}), ...(decision.approver ? { approver: decision.approver.name, approverObjectId: decision.approver.objectId } : {}) },
  });
  // One event per decision: announced by the run that saw it arrive, not by every later evaluation.
  if (observed) await publish(env, 'GovernedDataShare.ApprovalDecided', { requestId: decision.requestId, outcome: decision.outcome, approver: decision.approver ?? null, requester: decision.requester ?? null, decidedAt: decision.decidedAt ?? null });
  if (!approved) {
    const next: Record<ApprovalOutcome, string> = {
      pending: 'Run again to keep waiting.',
      approved: '',
      rejected: 'Change what is shared (or talk to the approver), then ask again with Request Approval….',
      timedOut: 'Ask again with Request Approval… (or run again) when an approver is available.',
      cancelled: 'Run again to ask again.',
      selfApproval: 'Ask a second person to decide (Review Approval Requests… signed in with their own account), then run again.',
      expired: 'Ask again with Request Approval…; decisions count for governance.approval.decisionValidHours hour(s).',
      failed: 'Check the approval workflow in the Logic App run history, then ask again with Request Approval….',
    };
    throw new UserFacingError(`Sharing needs approval and has none: ${decision.message}.`, next[decision.outcome]);
  }
  return { changed, summary: decision.message, decision };
}

/** The requester asks anew (the "Request Approval…" command): a new run whatever earlier ones said. */
export async function requestApproval(env: RecipeEnv, ctx: Ctx, options: ApprovalRunOptions = {}): Promise<{ requestId?: string; reasons: string[] }> {
  const cfg = approvalConfig(env);
  if (!cfg?.required) throw new UserFacingError('The plan has no approval policy (governance.approval.required).', 'Add one to the plan, or nothing needs approval.');
  const dq = cfg.required.dataQualityWarnings ? await (options.dataQuality ?? dataQualityFacts)(env, ctx.signal) : undefined;
  const facts = await approvalFacts(env, ctx.signal, dq);
  const reasons = approvalReasons(cfg, facts, (options.now ?? (() => new Date()))());
  if (!reasons.length) return { reasons };
  await provisionApprovalWorkflow(env, cfg, ctx.signal);
  const r = await startApprovalRequest(env, cfg, facts, reasons, ctx);
  return { requestId: r.id, reasons };
}

/** A waiting request as the approver sees it. */
export interface PendingApproval {
  /** The channel's id for the waiting card (answer with this). */
  id: string;
  requestId: string;
  createdAt: string;
  request: ApprovalRequest | undefined;
}

function channelFor(clients: AzureClients, subscriptionId: string, serviceUrl: string) {
  return clients.logic(subscriptionId).approvalChannel(serviceUrl);
}

/** Requests waiting in the approver's tenant for this workflow, through the approver's own clients. */
export async function listPendingApprovals(clients: AzureClients, where: { subscriptionId: string; resourceGroup: string; name: string; serviceUrl: string }, signal?: AbortSignal): Promise<PendingApproval[]> {
  const wfId = `/subscriptions/${where.subscriptionId}/resourceGroups/${where.resourceGroup}/providers/Microsoft.Logic/workflows/${where.name}`.toLowerCase();
  const all: ChannelApproval[] = await channelFor(clients, where.subscriptionId, where.serviceUrl).list({ status: 'Pending', abortSignal: signal });
  return all.filter((a) => a.workflowId.toLowerCase() === wfId).map((a) => ({ id: a.id, requestId: a.runName, createdAt: a.createdAt, request: a.request as ApprovalRequest | undefined }));
}

/**
 * The approver decides in the editor: answers the waiting card through the channel with their own
 * token (the channel records the verified principal). Refuses early when the signed-in approver is
 * the requester (the requester's gate would refuse it anyway).
 */
export async function decideApproval(
  clients: AzureClients,
  where: { subscriptionId: string; serviceUrl: string },
  pending: PendingApproval,
  approver: Principal,
  decision: 'Approve' | 'Reject',
  comment: string,
  audit?: (r: Parameters<StepContext['audit']>[0]) => void,
  signal?: AbortSignal,
): Promise<{ approver: AuditActor }> {
  const requester = pending.request?.requester;
  if (requester && requester.objectId.toLowerCase() === approver.objectId.toLowerCase() && requester.tenantId.toLowerCase() === approver.tenantId.toLowerCase()) {
    audit?.({ action: 'approval.refused', actor: actorOf(approver), tenantId: approver.tenantId, outcome: 'blocked', message: `${approver.name} asked for request ${pending.requestId} and cannot decide it`, details: { requestId: pending.requestId } });
    throw new UserFacingError(`You asked for request ${pending.requestId}, so you cannot decide it.`, 'A second person signed in with their own account must approve or reject it.');
  }
  if (decision === 'Reject' && !comment.trim()) throw new UserFacingError('A rejection needs a comment.', 'Say why, so the requester knows what to change.');
  const r = await channelFor(clients, where.subscriptionId, where.serviceUrl).respond(pending.id, decision, comment, { abortSignal: signal });
  const who = { tenantId: r.responder.tenantId, objectId: r.responder.objectId, name: r.responder.displayName };
  audit?.({ action: 'approval.answered', actor: who, tenantId: who.tenantId, outcome: decision === 'Approve' ? 'allowed' : 'blocked', message: `${who.name} answered ${decision} to request ${pending.requestId}${comment ? `: "${comment}"` : ''}`, details: { requestId: pending.requestId, decision } });
  return { approver: who };
}

/** Where the approver's editor finds the plan's approval workflow and channel. */
export function approvalWhere(env: RecipeEnv): { subscriptionId: string; resourceGroup: string; name: string; serviceUrl: string } {
  const cfg = approvalConfig(env);
  if (!cfg) throw new UserFacingError('The plan has no governance.approval section.', 'Add one with logicApp {name, teamsWebhookUrl}.');
  return { ...workflowLocation(env, cfg), serviceUrl: approvalServiceUrl(env, cfg) };
}

/** One request for the dashboard. */
export interface ApprovalListItem {
  id: string;
  requestedAt: string;
  decidedAt?: string;
  outcome: ApprovalOutcome;
  requester: AuditActor | undefined;
  approver?: AuditActor;
}

/** The approval requests of a workflow (newest first), read through ARM: runs, their request and decision. */
export async function listApprovalRequests(clients: AzureClients, where: { subscriptionId: string; resourceGroup: string; name: string }, options: { top?: number; signal?: AbortSignal; now?: Date } = {}): Promise<ApprovalListItem[]> {
  const logic = clients.logic(where.subscriptionId);
  const out: ApprovalListItem[] = [];
  const top = options.top ?? 50;
  for await (const run of logic.runs.list(where.resourceGroup, where.name, { top, abortSignal: options.signal })) {
    const request = await requestOf(clients, where.subscriptionId, run, options.signal).catch(() => undefined);
    const d = judgeRun(run, request, options.now ?? new Date());
    out.push({ id: d.requestId, requestedAt: request?.requestedAt ?? d.requestedAt ?? '', ...(d.decidedAt ? { decidedAt: d.decidedAt } : {}), outcome: d.outcome, requester: d.requester, ...(d.approver ? { approver: d.approver } : {}) });
    if (out.length >= top) break;
  }
  return out;
}
