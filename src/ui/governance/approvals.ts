/**
 * Approvals in the editor: Provision Approval Logic App… (the workflow that holds the requests),
 * Request Approval… (the requester asks; the run posts the card to Teams and waits) and Review
 * Approval Requests… (an approver signed in with their own account sees what waits in their tenant,
 * with the request's facts, and approves or rejects with a comment). Every command reads the plan's
 * `governance.approval`; the approver's identity is the signed-in account's, never typed in.
 */
import * as vscode from 'vscode';
import { approvalConfig, approvalWhere, decideApproval, listPendingApprovals, provisionApprovalWorkflow, requestApproval, type PendingApproval } from '../../workflows/approvals';
import type { StepContext } from '../../workflows/engine';
import { actorOf, type RecipeEnv } from '../../workflows/env';
import { UserFacingError } from '../../workflows/errors';
import { approvalStep } from '../../workflows/steps/approval';
import type { CommandDef, HostToolkit, Outcome, Run } from '../wizard/host';
import { str } from '../wizard/prompts';
import { runWizard } from '../wizard/wizard';

async function approvalEnv(tk: HostToolkit, run: Run, verb: string): Promise<RecipeEnv> {
  const plan = await tk.planFromSource(run, `${verb}: which plan's approval policy?`);
  if (!plan.governance?.approval) {
    throw new UserFacingError('This plan has no governance.approval section.', 'Pick a plan file with governance.approval {required, logicApp {name, teams {teamId, channelId}}} (the recipe plan schema completes it).');
  }
  return tk.envFor(run.deps, plan);
}

/** The step context's audit and report for work done outside a step run (one record per action, under the signed-in actor). */
async function commandCtx(tk: HostToolkit, run: Run, env: RecipeEnv, signal: AbortSignal, report: (m: string) => void): Promise<Pick<StepContext, 'signal' | 'report' | 'audit'>> {
  const trail = tk.auditTrail(run.deps);
  const runId = `${run.id}-${Date.now().toString(36)}`;
  const actor = actorOf(await env.provider.principal());
  return { signal, report, audit: (r) => trail.append({ runId, actor, resourceIds: [], ...r }) };
}

function factsText(p: PendingApproval): string {
  const r = p.request;
  if (!r) return `Request ${p.requestId} (its facts could not be read).`;
  const dq = r.dataQuality === 'not checked' ? 'not checked' : `${r.dataQuality.outcome} (${r.dataQuality.warnings} warning(s), ${r.dataQuality.failures} failure(s))`;
  return [
    `Requested by: ${r.requester.name} (${r.requester.objectId}) at ${r.requestedAt}`,
    `Share: ${r.share.id}`,
    `Assets: ${r.assets.join(', ') || 'none'}`,
    `Classifications: ${r.classifications.join(', ') || 'none'}`,
    `Data quality: ${dq}`,
    `For: ${r.consumer.identity} in tenant ${r.consumer.tenantId}`,
    `Until: ${r.expiresOn ?? 'no expiry'}`,
    `Why: ${r.reason}`,
    `Needs approval because: ${r.reasons.join('; ')}`,
  ].join('\n');
}

export function approvalCommands(tk: HostToolkit): Record<string, CommandDef> {
  return {
    provisionApprovalLogicApp: {
      title: 'Provision approval Logic App', side: 'p',
      impl: async (run): Promise<Outcome> => {
        const env = await approvalEnv(tk, run, 'Provision Approval Logic App');
        const cfg = approvalConfig(env)!;
        const where = approvalWhere(env);
        tk.startActivity(run, `Provision approval Logic App ${where.name}`);
        await tk.confirmPlan(run, await approvalStep().plan(env), 'Provision');
        const r = await tk.withProgress(run, run.title, (report, signal) => {
          report(`${where.resourceGroup}/${where.name}`);
          return provisionApprovalWorkflow(env, cfg, signal);
        });
        const ctx = await commandCtx(tk, run, env, new AbortController().signal, () => undefined);
        ctx.audit({ action: 'approval.provision', tenantId: env.provider.tenantId, outcome: r.changed ? 'succeeded' : 'skipped', resourceIds: [r.id], message: r.changed ? `approval workflow ${where.name} created or updated` : `approval workflow ${where.name} already as planned` });
        const base = r.changed ? `Approval Logic App ${where.name} is ready in ${where.resourceGroup}.` : `Approval Logic App ${where.name} was already in place.`;
        if (r.connection && !r.connection.connected) {
          // OAuth connectors need a person to sign in once; "Open in Portal" goes straight to it.
          return { summary: `${base} Before the first request, authorize the Teams API connection ${r.connection.name} once: Open in Portal → Edit API connection → Authorize → Save.`, tenantId: env.provider.tenantId, resourceId: r.connection.id, extra: { connection: r.connection } };
        }
        return { summary: r.connection ? `${base} Its Teams connection ${r.connection.name} is authorized${r.connection.authenticatedUser ? ` (${r.connection.authenticatedUser})` : ''}.` : base, tenantId: env.provider.tenantId, resourceId: r.id, ...(r.connection ? { extra: { connection: r.connection } } : {}) };
      },
    },

    requestApproval: {
      title: 'Request approval', side: 'p',
      impl: async (run): Promise<Outcome> => {
        const env = await approvalEnv(tk, run, 'Request Approval');
        tk.startActivity(run, `Request approval for ${env.plan.share.name}`);
        const r = await tk.withProgress(run, run.title, async (report, signal) => requestApproval(env, await commandCtx(tk, run, env, signal, report)));
        if (!r.requestId) return { summary: `Sharing ${env.plan.share.name} needs no approval under the plan's policy.` };
        const where = approvalWhere(env);
        const how = approvalConfig(env)?.channel === 'editor' ? 'an approver decides with Review Approval Requests… signed in with their own account' : 'the card was posted to Teams';
        return { summary: `Approval requested (${r.requestId}) because ${r.reasons.join('; ')}; ${how}.`, tenantId: env.provider.tenantId, resourceId: `/subscriptions/${where.subscriptionId}/resourceGroups/${where.resourceGroup}/providers/Microsoft.Logic/workflows/${where.name}/runs/${r.requestId}`, extra: { requestId: r.requestId } };
      },
    },

    reviewApprovalRequests: {
      title: 'Review approval requests', side: 'p',
      impl: async (run): Promise<Outcome> => {
        const { ctx, ui } = run;
        const env = await approvalEnv(tk, run, 'Review Approval Requests');
        const where = approvalWhere(env);
        const me = await env.provider.principal();
        tk.startActivity(run, `Review approval requests in ${env.provider.tenantName}`);
        const pending = await tk.withProgress(run, 'Reading approval requests…', (_report, signal) => listPendingApprovals(env.provider.clients, where, signal));
        if (!pending.length) return { summary: `No approval request waits in ${where.name} for ${env.provider.tenantName}.` };
        await runWizard(ctx, [
          {
            key: 'requestId',
            validate: (v) => (pending.some((p) => p.requestId === v || p.id === v) ? undefined : `No pending request ${String(v)}.`),
            prompt: (_c, u) => u.pick(pending.map((p) => ({
              label: `${p.request?.share.name ?? '?'} → ${p.request?.consumer.identity ?? '?'}`,
              description: `asked by ${p.request?.requester.name ?? '?'} ${p.createdAt}`,
              detail: p.request ? `Needs approval because ${p.request.reasons.join('; ')}. Why: ${p.request.reason}` : p.requestId,
              value: p.requestId,
            })), `Pending approval requests (you are ${me.name})`, { matchOnDetail: true }),
          },
          {
            key: 'decision',
            validate: (v) => (v === 'Approve' || v === 'Reject' ? undefined : "Answer 'Approve' or 'Reject'."),
            prompt: async (c) => {
              const p = pending.find((x) => x.requestId === str(c, 'requestId') || x.id === str(c, 'requestId'))!;
              const choice = await vscode.window.showWarningMessage(`Approve sharing ${p.request?.share.name ?? p.requestId}?`, { modal: true, detail: factsText(p) }, 'Approve', 'Reject');
              if (!choice) throw new UserFacingError('No decision was made.', 'Run Review Approval Requests… again when ready.');
              return choice;
            },
          },
          {
            key: 'comment',
            validate: (v, c) => (c.decision === 'Reject' && !String(v ?? '').trim() ? 'A rejection needs a comment.' : undefined),
            prompt: (c, u) => u.input({ prompt: c.decision === 'Reject' ? 'Why do you reject it? (the requester sees this)' : 'Comment for the audit trail (optional)', validate: (v) => (c.decision === 'Reject' && !v.trim() ? 'A rejection needs a comment.' : undefined) }),
          },
        ], ui);
        const chosen = pending.find((x) => x.requestId === str(ctx, 'requestId') || x.id === str(ctx, 'requestId'))!;
        const decision = ctx.decision as 'Approve' | 'Reject';
        const r = await tk.withProgress(run, `${decision === 'Approve' ? 'Approving' : 'Rejecting'} ${chosen.requestId}…`, async (report, signal) =>
          decideApproval(env.provider.clients, where, chosen, me, decision, str(ctx, 'comment') ?? '', (await commandCtx(tk, run, env, signal, report)).audit, signal),
        );
        return { summary: `${r.approver.name} ${decision === 'Approve' ? 'approved' : 'rejected'} request ${chosen.requestId} (${chosen.request?.share.name ?? ''}).`, tenantId: env.provider.tenantId, extra: { requestId: chosen.requestId, approver: r.approver } };
      },
    },
  };
}
