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
import { connectionIsConnected, type AzureClients, type ChannelApproval, type Workflow, type WorkflowRun } from '../azure';
import type { ApprovalPlan, TeamsChannelPlan } from './approvalPlan';
import { SCOPES } from '../azure/cloud';
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

/**
 * How the workflow waits for the answer:
 * - `connector` (plan names `logicApp.teams`): the Teams connector's "Post adaptive card and wait for
 *   a response" through an API connection (authorized once by a person, as every OAuth connector),
 *   and a second workflow `<name>-decisions` whose Request trigger takes Entra ID OAuth: the editor's
 *   approver calls it with their own token and the workflow records the token's verified claims.
 *   Needs nothing outside Azure.
 * - `service`: the card goes to `teamsWebhookUrl` and the wait subscribes (`HttpWebhook`) with an
 *   approval service (`approvalServiceUrl`; the sandbox serves one at `{arm}/teams/approvals`).
 */
export type ApprovalMode = 'connector' | 'service';

export function approvalMode(cfg: ApprovalPolicy): ApprovalMode {
  return cfg.logicApp?.teams ? 'connector' : 'service';
}

function approvalServiceUrl(env: RecipeEnv, cfg: ApprovalPolicy): string {
  if (cfg.logicApp?.approvalServiceUrl) return cfg.logicApp.approvalServiceUrl.replace(/\/+$/, '');
  if (env.plan.target === 'sandbox') return `${env.cloud.armEndpoint.replace(/\/+$/, '')}/teams/approvals`;
  throw new UserFacingError(
    'In Azure the approval workflow needs to know where the approver answers: a Teams channel, or an approval service.',
    'Name the channel under governance.approval.logicApp.teams {teamId, channelId} (the Teams connector waits for the answer there; authorize its API connection once in the portal), or set governance.approval.logicApp.approvalServiceUrl.',
  );
}

/** The second workflow of `connector` mode, which takes decisions made in the editor. */
export function decisionsWorkflowName(name: string): string {
  return `${name}-decisions`.slice(0, 80);
}

function connectionNameOf(la: NonNullable<ApprovalPolicy['logicApp']>): string {
  return la.teams?.connectionName ?? `${la.name}-teams`.slice(0, 80);
}

/**
 * The audiences an ARM token for this extension's scope carries, as the decisions trigger checks
 * them: Entra writes the resource as it was asked for, with or without the trailing slash, so both
 * forms get a policy (a token passes when it matches any one).
 */
export function armAudiences(): string[] {
  const withSlash = SCOPES.arm.replace(/\.default$/, '');
  return [withSlash, withSlash.replace(/\/+$/, '')];
}

const WORKFLOW_SCHEMA = 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#';

/** Both approval templates start from this trigger: the request and its card. */
const REQUEST_TRIGGER = { type: 'Request', kind: 'Http', inputs: { schema: { type: 'object', properties: { request: { type: 'object' }, card: { type: 'object' } }, required: ['request', 'card'] } } };

/** What follows the wait in both approval templates: the answer as the decision, or the timeout as the run's failure. */
function afterTheWait(timeoutMinutes: number): Record<string, unknown> {
  const answer = (k: string) => `@body('${APPROVAL_DEFAULTS.waitAction}')?['${k}']`;
  return {
    Decision: {
      type: 'Compose',
      runAfter: { [APPROVAL_DEFAULTS.waitAction]: ['Succeeded'] },
      inputs: { requestKey: "@triggerBody()?['request']?['key']", outcome: answer('submitActionId'), comment: `@body('${APPROVAL_DEFAULTS.waitAction}')?['data']?['comment']`, responder: answer('responder'), respondedAt: answer('responseTime') },
    },
    Timed_out: {
      type: 'Terminate',
      runAfter: { [APPROVAL_DEFAULTS.waitAction]: ['TimedOut'] },
      inputs: { runStatus: 'Failed', runError: { code: 'ApprovalTimedOut', message: `No approver answered within ${timeoutMinutes} minute(s).` } },
    },
  };
}

function waitTimeout(timeoutMinutes: number): string {
  return `PT${Math.max(1, Math.round(timeoutMinutes))}M`;
}

/**
 * The approval workflow of `connector` mode: Request trigger → the Teams connector posts the card
 * to the channel and waits for a person to press Approve or Reject (limit.timeout) → the decision,
 * with the responder Teams reports, as the run's outputs.
 */
export function connectorWorkflowDefinition(teams: TeamsChannelPlan, timeoutMinutes: number): Record<string, unknown> {
  return {
    $schema: WORKFLOW_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { $connections: { type: 'Object', defaultValue: {} } },
    triggers: { [APPROVAL_DEFAULTS.trigger]: REQUEST_TRIGGER },
    actions: {
      [APPROVAL_DEFAULTS.waitAction]: {
        type: 'ApiConnectionWebhook',
        runAfter: {},
        inputs: {
          host: { connection: { name: "@parameters('$connections')['teams']['connectionId']" } },
          body: {
            notificationUrl: '@{listCallbackUrl()}',
            body: { messageBody: "@{string(triggerBody()?['card'])}", updateMessage: 'Thanks, your answer was recorded.', shouldUpdateCard: true, recipient: { groupId: teams.teamId, channelId: teams.channelId } },
          },
          path: "/v1.0/teams/conversation/gatherinput/poster/@{encodeURIComponent('Flow bot')}/location/@{encodeURIComponent('Channel')}/$subscriptions",
        },
        limit: { timeout: waitTimeout(timeoutMinutes) },
      },
      ...afterTheWait(timeoutMinutes),
    },
    outputs: { decision: { type: 'Object', value: "@outputs('Decision')" } },
  };
}

/**
 * The decisions workflow of `connector` mode. Its Request trigger accepts only Entra ID OAuth
 * tokens of the provider tenant for ARM (the authorization policy checks `iss` and `aud`), keeps the
 * Authorization header in its outputs for the claims (IncludeAuthorizationHeadersInOutputs) and hides
 * those outputs from run history (secure outputs: the approver's token is never readable there).
 * The run's outputs are the decision with the responder taken from the verified token.
 */
export function decisionsWorkflowDefinition(): Record<string, unknown> {
  const auth = "triggerOutputs()?['headers']?['Authorization']";
  const payload = `split(split(${auth}, ' ')[1], '.')[1]`;
  const claims = `@json(base64ToString(concat(replace(replace(${payload}, '-', '+'), '_', '/'), substring('==', 0, mod(sub(4, mod(length(${payload}), 4)), 4)))))`;
  const c = (k: string) => `outputs('Caller')?['${k}']`;
  return {
    $schema: WORKFLOW_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {},
    triggers: {
      [APPROVAL_DEFAULTS.trigger]: {
        type: 'Request',
        kind: 'Http',
        inputs: { schema: { type: 'object', properties: { requestKey: { type: 'string' }, requestId: { type: 'string' }, decision: { type: 'string', enum: ['Approve', 'Reject'] }, comment: { type: 'string' } }, required: ['requestKey', 'requestId', 'decision'] } },
        operationOptions: 'IncludeAuthorizationHeadersInOutputs',
        runtimeConfiguration: { secureData: { properties: ['inputs', 'outputs'] } },
      },
    },
    actions: {
      Caller: { type: 'Compose', runAfter: {}, inputs: claims, runtimeConfiguration: { secureData: { properties: ['inputs'] } } },
      Decision: {
        type: 'Compose',
        runAfter: { Caller: ['Succeeded'] },
        inputs: {
          requestKey: "@triggerBody()?['requestKey']",
          requestId: "@triggerBody()?['requestId']",
          outcome: "@triggerBody()?['decision']",
          comment: "@coalesce(triggerBody()?['comment'], '')",
          responder: { objectId: `@${c('oid')}`, tenantId: `@${c('tid')}`, displayName: `@coalesce(${c('name')}, ${c('upn')}, ${c('oid')})`, email: `@${c('upn')}` },
          respondedAt: '@{utcNow()}',
        },
      },
    },
    outputs: { decision: { type: 'Object', value: "@outputs('Decision')" } },
  };
}

/** The decisions trigger's authorization policy: tokens for ARM issued by the provider tenant. */
export function decisionsAccessControl(providerTenantId: string): Record<string, unknown> {
  return {
    triggers: {
      openAuthenticationPolicies: {
        policies: Object.fromEntries(armAudiences().map((aud, i) => [`ProviderTenantApprovers${i ? i + 1 : ''}`, { type: 'AAD', claims: [{ name: 'iss', value: `https://sts.windows.net/${providerTenantId}/` }, { name: 'aud', value: aud }] }])),
      },
    },
  };
}

/** The approval workflow: Request trigger → card to Teams → wait (timeout) → decision as outputs. */
export function approvalWorkflowDefinition(teamsWebhookUrl: string, serviceUrl: string, timeoutMinutes: number): Record<string, unknown> {
  return {
    $schema: WORKFLOW_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {},
    triggers: { [APPROVAL_DEFAULTS.trigger]: REQUEST_TRIGGER },
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
        limit: { timeout: waitTimeout(timeoutMinutes) },
      },
      ...afterTheWait(timeoutMinutes),
    },
    outputs: { decision: { type: 'Object', value: "@outputs('Decision')" } },
  };
}

/** Creates or updates one workflow so it matches; false when it already did. */
async function ensureWorkflow(env: RecipeEnv, subscriptionId: string, resourceGroup: string, name: string, want: { definition: Record<string, unknown>; parameters?: Workflow['parameters']; accessControl?: Record<string, unknown> }, signal?: AbortSignal): Promise<{ changed: boolean; id: string }> {
  const logic = env.provider.clients.logic(subscriptionId);
  const existing = await logic.workflows.get(resourceGroup, name, { abortSignal: signal }).catch((e: { statusCode?: number }) => {
    if (e?.statusCode === 404) return undefined;
    throw e;
  });
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
  if (existing && existing.state === 'Enabled' && same(existing.definition, want.definition) && same(existing.parameters, want.parameters) && (!want.accessControl || same(existing.accessControl, want.accessControl))) {
    return { changed: false, id: existing.id ?? '' };
  }
  const wf: Workflow = { location: existing?.location ?? env.plan.location, state: 'Enabled', definition: want.definition, parameters: want.parameters ?? {}, ...(want.accessControl ? { accessControl: want.accessControl as Workflow['accessControl'] } : {}), tags: { 'governed-data-share': 'approvals' } };
  const r = await logic.workflows.createOrUpdate(resourceGroup, name, wf, { abortSignal: signal });
  return { changed: true, id: r.id ?? '' };
}

/** What provisioning found about the Teams API connection (`connector` mode). */
export interface ConnectionState {
  id: string;
  name: string;
  connected: boolean;
  /** Who authorized it, when it is. */
  authenticatedUser?: string;
  /** Azure's own words when it is not. */
  status?: string;
}

function portalLink(env: RecipeEnv, resourceId: string): string {
  return `https://portal.azure.com/#@${env.provider.tenantId}/resource${resourceId}`;
}

function connectionState(c: import('../azure').ApiConnection, name: string): ConnectionState {
  const err = (c.properties.statuses ?? []).find((s) => s.error)?.error;
  return { id: c.id, name, connected: connectionIsConnected(c), ...(c.properties.authenticatedUser?.name ? { authenticatedUser: c.properties.authenticatedUser.name } : {}), ...(err ? { status: `${err.code ?? 'Error'}: ${err.message ?? ''}`.trim() } : {}) };
}

/** The Teams API connection of `connector` mode, created when missing (a new one waits for a person to authorize it). */
async function ensureTeamsConnection(env: RecipeEnv, cfg: ApprovalPolicy, signal?: AbortSignal): Promise<{ changed: boolean; state: ConnectionState }> {
  const la = requireLogicApp(cfg);
  const loc = workflowLocation(env, cfg);
  const logic = env.provider.clients.logic(loc.subscriptionId);
  const name = connectionNameOf(la);
  const existing = await logic.connections.get(loc.resourceGroup, name, { abortSignal: signal });
  const apiId = logic.managedApiId(existing?.location ?? env.plan.location, 'teams');
  if (existing && existing.properties.api.id.toLowerCase() === apiId.toLowerCase()) return { changed: false, state: connectionState(existing, name) };
  const created = await logic.connections.createOrUpdate(loc.resourceGroup, name, { location: existing?.location ?? env.plan.location, tags: { 'governed-data-share': 'approvals' }, properties: { api: { id: apiId }, displayName: `Governed Data Share approvals (${la.name})` } }, { abortSignal: signal });
  return { changed: true, state: connectionState(created, name) };
}

/** The Teams connection's state now (`connector` mode), or undefined in `service` mode. */
export async function teamsConnectionState(env: RecipeEnv, signal?: AbortSignal): Promise<ConnectionState | undefined> {
  const cfg = approvalConfig(env);
  if (!cfg || approvalMode(cfg) !== 'connector') return undefined;
  const loc = workflowLocation(env, cfg);
  const name = connectionNameOf(requireLogicApp(cfg));
  const c = await env.provider.clients.logic(loc.subscriptionId).connections.get(loc.resourceGroup, name, { abortSignal: signal });
  return c ? connectionState(c, name) : undefined;
}

function notAuthorized(env: RecipeEnv, state: ConnectionState): UserFacingError {
  return new UserFacingError(
    `The Teams API connection ${state.name} is not authorized yet${state.status ? ` (${state.status})` : ''}, so the approval workflow cannot post the card to Teams.`,
    `Authorize it once: open ${portalLink(env, state.id)} → Edit API connection → Authorize, sign in with the account that posts the cards, Save; then run again.`,
  );
}

/**
 * Creates or updates the approval workflow(s) so they match the plan; `changed` false when they
 * already did. In `connector` mode also the Teams API connection (`connection` says whether a person
 * has authorized it yet) and the decisions workflow.
 */
export async function provisionApprovalWorkflow(env: RecipeEnv, cfg: ApprovalPolicy, signal?: AbortSignal): Promise<{ changed: boolean; id: string; connection?: ConnectionState; decisionsId?: string }> {
  const la = requireLogicApp(cfg);
  const loc = workflowLocation(env, cfg);
  const timeout = cfg.approverTimeoutMinutes ?? APPROVAL_DEFAULTS.approverTimeoutMinutes;
  if (approvalMode(cfg) === 'service') {
    if (!la.teamsWebhookUrl) throw new UserFacingError('governance.approval.logicApp needs teamsWebhookUrl or teams.', 'Name the Teams channel under logicApp.teams {teamId, channelId}, or give a Teams Workflows webhook URL in logicApp.teamsWebhookUrl.');
    return ensureWorkflow(env, loc.subscriptionId, loc.resourceGroup, loc.name, { definition: approvalWorkflowDefinition(la.teamsWebhookUrl, approvalServiceUrl(env, cfg), timeout) }, signal);
  }
  const conn = await ensureTeamsConnection(env, cfg, signal);
  const parameters = { $connections: { value: { teams: { connectionId: conn.state.id, connectionName: conn.state.name, id: env.provider.clients.logic(loc.subscriptionId).managedApiId(env.plan.location, 'teams') } } } };
  const main = await ensureWorkflow(env, loc.subscriptionId, loc.resourceGroup, loc.name, { definition: connectorWorkflowDefinition(la.teams!, timeout), parameters }, signal);
  const decisions = await ensureWorkflow(env, loc.subscriptionId, loc.resourceGroup, decisionsWorkflowName(loc.name), { definition: decisionsWorkflowDefinition(), accessControl: decisionsAccessControl(env.provider.tenantId) }, signal);
  return { changed: conn.changed || main.changed || decisions.changed, id: main.id, connection: conn.state, decisionsId: decisions.id };
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

/** The card; `answerable` adds the comment box and the Approve / Reject buttons the Teams connector waits on. */
export function adaptiveCard(req: ApprovalRequest, options: { answerable?: boolean } = {}): Record<string, unknown> {
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
      ...(options.answerable ? [{ type: 'Input.Text', id: 'comment', isMultiline: true, label: 'Comment (required to reject)', placeholder: 'Why you approve or reject' }] : []),
    ],
    ...(options.answerable
      ? { actions: [{ type: 'Action.Submit', id: 'Approve', title: 'Approve', style: 'positive', data: { action: 'Approve' } }, { type: 'Action.Submit', id: 'Reject', title: 'Reject', style: 'destructive', data: { action: 'Reject' } }] }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading runs
// ---------------------------------------------------------------------------------------------

interface DecisionOutputs {
  requestKey?: string;
  /** Decisions made in the editor: the request run they answer. */
  requestId?: string;
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
  const connector = approvalMode(cfg) === 'connector';
  if (connector) {
    const state = await teamsConnectionState(env, ctx.signal);
    if (!state) throw new UserFacingError(`The Teams API connection of ${loc.name} is missing.`, 'Run Provision Approval Logic App… (or the recipe) to create it, then authorize it once in the portal.');
    if (!state.connected) throw notAuthorized(env, state);
  }
  const callback = await logic.workflows.triggerCallbackUrl(loc.resourceGroup, loc.name, APPROVAL_DEFAULTS.trigger, { abortSignal: ctx.signal });
  if (!callback.value) throw new UserFacingError(`The approval workflow ${loc.name} gave no trigger URL.`, 'Check that it has a Request trigger named manual (Provision Approval Logic App… recreates it).');
  const { runName } = await logic.invokeTrigger(callback.value, { request, card: adaptiveCard(request, { answerable: connector }) }, { clientTrackingId: request.key, abortSignal: ctx.signal });
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

/**
 * `connector` mode: a decision made in the editor for this request (a succeeded run of the decisions
 * workflow with the request's key, started after the request) stands in for the Teams answer: the
 * request run with the decision's outputs. A request run still waiting for Teams is cancelled (the
 * card stops waiting); `fresh` says this call saw the decision first.
 */
async function withEditorDecision(env: RecipeEnv, cfg: ApprovalPolicy, run: WorkflowRun, key: string, signal?: AbortSignal): Promise<{ run: WorkflowRun; fresh: boolean } | undefined> {
  if (approvalMode(cfg) !== 'connector') return undefined;
  const loc = workflowLocation(env, cfg);
  const logic = env.provider.clients.logic(loc.subscriptionId);
  const since = run.startTime?.getTime() ?? 0;
  let decision: WorkflowRun | undefined;
  for await (const d of logic.runs.list(loc.resourceGroup, decisionsWorkflowName(loc.name), { filter: `ClientTrackingId eq '${key}'`, top: 20, abortSignal: signal })) {
    if (d.status !== 'Succeeded' || (d.startTime?.getTime() ?? 0) < since) continue;
    const out = decisionOf(d);
    if (out?.requestId !== undefined && out.requestId !== run.name) continue;
    if (!decision || (d.startTime?.getTime() ?? 0) < (decision.startTime?.getTime() ?? 0)) decision = d;
  }
  if (!decision) return undefined;
  const waiting = run.status === 'Running' || run.status === 'Waiting';
  if (waiting) await logic.runs.cancel(loc.resourceGroup, loc.name, run.name ?? '', { abortSignal: signal }).catch(() => undefined);
  return { run: answeredBy(run, decision), fresh: waiting };
}

/** A request run as answered by a decisions-workflow run: succeeded, with the decision's outputs. */
function answeredBy(run: WorkflowRun, decision: WorkflowRun): WorkflowRun {
  return { ...run, status: 'Succeeded', error: undefined, code: undefined, outputs: decision.outputs, endTime: decision.endTime };
}

/** `connector` mode: the succeeded editor decisions of a workflow, by the request run they answer (the newest listed first wins). */
async function editorDecisions(clients: AzureClients, where: { subscriptionId: string; resourceGroup: string; name: string }, signal?: AbortSignal): Promise<Map<string, WorkflowRun>> {
  const out = new Map<string, WorkflowRun>();
  for await (const d of clients.logic(where.subscriptionId).runs.list(where.resourceGroup, decisionsWorkflowName(where.name), { filter: "status eq 'Succeeded'", top: 250, abortSignal: signal })) {
    const id = decisionOf(d)?.requestId;
    if (id && !out.has(id)) out.set(id, d);
  }
  return out;
}

async function waitForRun(env: RecipeEnv, cfg: ApprovalPolicy, runName: string, key: string, signal: AbortSignal): Promise<WorkflowRun> {
  const loc = workflowLocation(env, cfg);
  const logic = env.provider.clients.logic(loc.subscriptionId);
  for (;;) {
    if (signal.aborted) throw new CancelledError();
    const run = await logic.runs.get(loc.resourceGroup, loc.name, runName, { abortSignal: signal });
    const edited = await withEditorDecision(env, cfg, run, key, signal);
    if (edited) return edited.run;
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
  const edited = run ? await withEditorDecision(env, cfg, run, key, ctx.signal) : undefined;
  if (edited) {
    run = edited.run;
    observed = edited.fresh;
  }
  const timedOut = run?.status === 'Failed' && (run.error as { code?: string } | undefined)?.code === 'ApprovalTimedOut';
  if (!run || run.status === 'Cancelled' || (timedOut && options.askAgainAfterTimeout !== false)) {
    const started = await startApprovalRequest(env, cfg, facts, reasons, ctx);
    request = started;
    changed = true;
    run = await waitForRun(env, cfg, started.id, key, ctx.signal);
    observed = true;
  } else if (run.status === 'Running' || run.status === 'Waiting') {
    ctx.report(`request ${run.name} is waiting for an approver`);
    run = await waitForRun(env, cfg, run.name ?? '', key, ctx.signal);
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

/** Where the approver's editor finds the approval workflow(s) and how they answer. */
export interface ApprovalWhere {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** `service` mode: the approval service's URL. */
  serviceUrl: string;
  /** Default `service`. */
  mode?: ApprovalMode;
}

/** `connector` mode: requests whose run waits (for Teams) and that no editor decision answered yet. */
async function pendingFromRuns(clients: AzureClients, where: ApprovalWhere, signal?: AbortSignal): Promise<PendingApproval[]> {
  const logic = clients.logic(where.subscriptionId);
  const out: PendingApproval[] = [];
  const decided = await editorDecisions(clients, where, signal);
  for await (const run of logic.runs.list(where.resourceGroup, where.name, { filter: "status eq 'Running'", top: 100, abortSignal: signal })) {
    if (!run.name || decided.has(run.name)) continue;
    const request = await requestOf(clients, where.subscriptionId, run, signal).catch(() => undefined);
    out.push({ id: run.name, requestId: run.name, createdAt: run.startTime ? new Date(run.startTime).toISOString() : '', request });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Requests waiting in the approver's tenant for this workflow, through the approver's own clients. */
export async function listPendingApprovals(clients: AzureClients, where: ApprovalWhere, signal?: AbortSignal): Promise<PendingApproval[]> {
  if (where.mode === 'connector') return pendingFromRuns(clients, where, signal);
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
  where: Pick<ApprovalWhere, 'subscriptionId' | 'serviceUrl' | 'mode'> & Partial<ApprovalWhere>,
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
  const r = where.mode === 'connector' ? await decideThroughWorkflow(clients, where as ApprovalWhere, pending, decision, comment, signal) : await channelFor(clients, where.subscriptionId, where.serviceUrl).respond(pending.id, decision, comment, { abortSignal: signal });
  const who = { tenantId: r.responder.tenantId, objectId: r.responder.objectId, name: r.responder.displayName };
  audit?.({ action: 'approval.answered', actor: who, tenantId: who.tenantId, outcome: decision === 'Approve' ? 'allowed' : 'blocked', message: `${who.name} answered ${decision} to request ${pending.requestId}${comment ? `: "${comment}"` : ''}`, details: { requestId: pending.requestId, decision } });
  return { approver: who };
}

/**
 * `connector` mode: the approver's decision is a run of the decisions workflow, started with the
 * approver's own token (the trigger's OAuth policy checks it; the workflow records its claims), whose
 * outputs say who decided. The request's run stops waiting for Teams.
 */
async function decideThroughWorkflow(clients: AzureClients, where: ApprovalWhere, pending: PendingApproval, decision: 'Approve' | 'Reject', comment: string, signal?: AbortSignal): Promise<{ responder: { tenantId: string; objectId: string; displayName: string } }> {
  const logic = clients.logic(where.subscriptionId);
  const name = decisionsWorkflowName(where.name);
  const key = pending.request?.key;
  if (!key) throw new UserFacingError(`The facts of request ${pending.requestId} could not be read, so it cannot be decided here.`, 'Check that you can read the approval workflow runs (Logic App Operator on the workflow), then try again.');
  const callback = await logic.workflows.triggerCallbackUrl(where.resourceGroup, name, APPROVAL_DEFAULTS.trigger, { abortSignal: signal });
  if (!callback.value) throw new UserFacingError(`The decisions workflow ${name} gave no trigger URL.`, 'Run Provision Approval Logic App… to recreate it.');
  const { runName } = await logic.invokeTriggerAsCaller(callback.value, { requestKey: key, requestId: pending.requestId, decision, comment }, { clientTrackingId: key, abortSignal: signal });
  let run: WorkflowRun | undefined;
  for (let i = 0; ; i++) {
    run = await logic.runs.get(where.resourceGroup, name, runName, { abortSignal: signal });
    if (run.status !== 'Running' && run.status !== 'Waiting') break;
    if (i > 600) throw new UserFacingError(`The decision run ${runName} did not finish.`, 'Look at the decisions workflow run history in the portal.');
    await new Promise((res) => setTimeout(res, Math.min(1000, 50 * (i + 1))));
  }
  const out = decisionOf(run);
  if (run.status !== 'Succeeded' || !out?.responder?.objectId) {
    throw new UserFacingError(`Your decision was not recorded: the decisions workflow run ${runName} ended ${run.status ?? 'unknown'}${(run.error as { message?: string } | undefined)?.message ? ` (${(run.error as { message?: string }).message})` : ''}.`, 'Look at its run history in the portal, then decide again.');
  }
  await logic.runs.cancel(where.resourceGroup, where.name, pending.requestId, { abortSignal: signal }).catch(() => undefined);
  const r = out.responder;
  return { responder: { tenantId: String(r.tenantId ?? ''), objectId: r.objectId!, displayName: String(r.displayName ?? r.email ?? r.objectId) } };
}

/** Where the approver's editor finds the plan's approval workflow and channel. */
export function approvalWhere(env: RecipeEnv): ApprovalWhere {
  const cfg = approvalConfig(env);
  if (!cfg) throw new UserFacingError('The plan has no governance.approval section.', 'Add one with logicApp {name, teams: {teamId, channelId}} or {name, teamsWebhookUrl}.');
  const mode = approvalMode(cfg);
  return { ...workflowLocation(env, cfg), serviceUrl: mode === 'service' ? approvalServiceUrl(env, cfg) : '', mode };
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
export async function listApprovalRequests(clients: AzureClients, where: { subscriptionId: string; resourceGroup: string; name: string; mode?: ApprovalMode }, options: { top?: number; signal?: AbortSignal; now?: Date } = {}): Promise<ApprovalListItem[]> {
  const logic = clients.logic(where.subscriptionId);
  const out: ApprovalListItem[] = [];
  const top = options.top ?? 50;
  // `connector` mode: decisions made in the editor answer their request run (which was then cancelled).
  const decisions = where.mode === 'connector' ? await editorDecisions(clients, where, options.signal) : new Map<string, WorkflowRun>();
  for await (const listed of logic.runs.list(where.resourceGroup, where.name, { top, abortSignal: options.signal })) {
    const decided = listed.name ? decisions.get(listed.name) : undefined;
    const run = decided ? answeredBy(listed, decided) : listed;
    const request = await requestOf(clients, where.subscriptionId, run, options.signal).catch(() => undefined);
    const d = judgeRun(run, request, options.now ?? new Date());
    out.push({ id: d.requestId, requestedAt: request?.requestedAt ?? d.requestedAt ?? '', ...(d.decidedAt ? { decidedAt: d.decidedAt } : {}), outcome: d.outcome, requester: d.requester, ...(d.approver ? { approver: d.approver } : {}) });
    if (out.length >= top) break;
  }
  return out;
}
