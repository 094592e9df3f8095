/**
 * Approval by a second person, end to end over real HTTPS to a sandbox, with the real
 * @azure/arm-logic client: the extension provisions the approval Logic App, starts a run through
 * the signed trigger URL, the run posts an Adaptive Card to the Teams sink and waits; the approver
 * answers with their own token (Teams channel) or from the editor's workflows API; the gate passes
 * only on a recorded approval by someone else that has not expired.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox';
import { loadSandboxCloud, type CloudConfig } from '../../src/azure';
import { sandboxCredentials, type SandboxDescription } from '../../src/auth';
import { approvalWhere, decideApproval, listApprovalRequests, listPendingApprovals, type ApprovalRequest, type PendingApproval } from '../../src/workflows/approvals';
import { AuditTrail } from '../../src/workflows/audit';
import type { Step } from '../../src/workflows/engine';
import type { RecipeEnv } from '../../src/workflows/env';
import type { GdsEventType } from '../../src/workflows/eventTypes';
import { checkPlan, type RecipePlan } from '../../src/workflows/plan';
import { recipeSteps, runRecipeSteps, stepsFor } from '../../src/workflows/recipe';
import { approvalStep } from '../../src/workflows/steps/approval';
import { shareRef } from '../../src/workflows/steps/common';
import { APPROVAL_INFRA, datasetNames, gateSteps as gateStepsOn, personOf, shareEnv, stepFailure, type Person } from './support/approvals';
import { freshPlan, recipeEnv } from './support/recipe';
import { request, startTestSandbox, tokenFor, ARM_SCOPE } from './support/sandbox';


describe('approval by a second person (Logic App + Teams in the sandbox, HTTPS, real clients)', function () {
  this.timeout(180_000);
  let sandbox: RunningSandbox;
  let description: SandboxDescription;
  let cloud: CloudConfig;
  let base: RecipeEnv;
  let plan: RecipePlan;
  let audit: AuditTrail;
  let auditFile: string;
  let webhookId: string;
  let ava: Person;
  let spToken: string;
  const events: Array<{ type: GdsEventType; subject: string; data: Record<string, unknown> }> = [];
  const now = () => sandbox.core.context.clock.now();

  before(async () => {
    ({ sandbox } = await startTestSandbox('approval'));
    ({ cloud, description } = await loadSandboxCloud(sandbox.descriptionPath));
    const p = freshPlan('appr');
    const contoso = p.provider.tenantId;
    webhookId = `approvals-${Date.now()}`;
    delete p.provider.purviewAccount;
    delete p.consumer.purviewAccount;
    plan = checkPlan({
      ...p,
      governance: {
        policy: { blocked: [], requireJustification: [], unknown: 'allow' },
        approval: {
          required: { allowedConsumerTenants: [contoso], classifications: ['MICROSOFT.FINANCIAL.*'] },
          channel: 'logicApp',
          logicApp: { name: 'gds-approvals', teamsWebhookUrl: `${sandbox.armEndpoint}/teams/webhook/${webhookId}` },
          approverTimeoutMinutes: 30,
          decisionValidHours: 2,
          requestReason: 'Monthly sales for the joint forecast',
        },
      },
    }, 'approval test plan');
    base = await recipeEnv(sandbox, plan);
    base.events = { publish: async (type, subject, data) => void events.push({ type, subject, data }) };
    auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gds-approval-audit-')), 'audit.jsonl');
    audit = new AuditTrail(auditFile);
    const infra = await runRecipeSteps(stepsFor(APPROVAL_INFRA, recipeSteps(), { withDependencies: false }), base, { audit });
    assert.ok(infra.ok, JSON.stringify(infra.outcomes.filter((o) => o.status !== 'succeeded')));
    ava = await personOf(description, cloud, contoso);
    spToken = await tokenFor(sandboxCredentials(description, contoso, 'servicePrincipal', { caPem: cloud.caPem }), ARM_SCOPE);
  });
  after(async () => {
    await sandbox?.stop();
  });

  const envFor = (shareName: string, changes?: (p: RecipePlan) => void) => shareEnv(base, plan, shareName, changes);
  const gateSteps = (extra?: string[], step?: Step<RecipeEnv>) => gateStepsOn(now, extra, step);
  const failure = stepFailure;

  async function pendingFor(shareName: string): Promise<{ id: string; runName: string; request: ApprovalRequest }> {
    for (let i = 0; i < 400; i++) {
      const r = await request(sandbox, 'GET', '/teams/approvals?status=Pending', { token: ava.token });
      assert.equal(r.status, 200, r.text);
      const hit = (r.body.value as Array<{ id: string; runName: string; request: ApprovalRequest }>).find((a) => a.request?.share?.name === shareName);
      if (hit) return hit;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`no pending approval for ${shareName}`);
  }

  async function answer(id: string, token: string, action: 'Approve' | 'Reject', comment: string) {
    return request(sandbox, 'POST', `/teams/approvals/${id}/respond`, { token, body: { action, comment } });
  }

  it('approve: the card reaches Teams with the facts, the approver answers with their own token, the gate passes and the datasets are added', async () => {
    const env = envFor('appr-approve');
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingFor('appr-approve');
    const me = await env.provider.principal();
    assert.equal(pending.request.requester.objectId, me.objectId, 'the requester comes from the requester token');
    assert.equal(pending.request.consumer.tenantId, env.consumer.tenantId);
    assert.match(pending.request.reasons.join(';'), /not on the allow-list/);
    // A name in the body is ignored: the responder is the token's principal.
    const r = await request(sandbox, 'POST', `/teams/approvals/${pending.id}/respond`, { token: ava.token, body: { action: 'Approve', comment: 'ok for Q3', responder: { objectId: 'c0a70000-0000-4000-8000-000000000000', displayName: 'Mallory' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.responder.objectId, ava.principal.objectId);
    assert.equal(r.body.responder.displayName, 'Ava Provider');
    const result = await running;
    assert.ok(result.ok, JSON.stringify(result.outcomes));
    assert.match(result.outcomes.find((o) => o.id === 'governance.approval')!.summary, /Ava Provider approved request .*: "ok for Q3"/);
    assert.deepEqual(await datasetNames(env), plan.share.datasets.map((d) => d.name).sort());

    const cards = await request(sandbox, 'GET', `/teams/webhook/${webhookId}`, { token: ava.token });
    assert.equal(cards.status, 200);
    const card = (cards.body.value as Array<{ message: { type: string; attachments: Array<{ contentType: string; content: { type: string; body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> } }> } }>)
      .map((m) => m.message)
      .find((m) => JSON.stringify(m).includes(pending.request.key));
    assert.ok(card, 'the Teams sink received the card of this request');
    assert.equal(card.type, 'message');
    assert.equal(card.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.attachments[0].content.type, 'AdaptiveCard');
    const facts = Object.fromEntries(card.attachments[0].content.body.find((b) => b.type === 'FactSet')!.facts!.map((f) => [f.title, f.value]));
    assert.match(facts['Requested by'], new RegExp(me.name));
    assert.equal(facts['Consumer tenant'], env.consumer.tenantId);
    assert.equal(facts['Consumer identity'], 'ben@fabrikam.onmicrosoft.com');
    assert.match(facts.Assets, /sales-history/);
    assert.equal(facts['Why'], 'Monthly sales for the joint forecast');
    assert.equal(facts['Data quality'], 'not checked');

    // A re-run reuses the recorded approval: no new request, nothing changes.
    const again = await runRecipeSteps(gateSteps(), env, { audit });
    assert.ok(again.ok);
    assert.equal(again.outcomes.find((o) => o.id === 'governance.approval')!.changed, false);
    const types = events.filter((e) => e.subject.endsWith('/shares/appr-approve') && e.type.startsWith('GovernedDataShare.Approval')).map((e) => e.type);
    assert.deepEqual(types, ['GovernedDataShare.ApprovalRequested', 'GovernedDataShare.ApprovalDecided'], 'one event per action: the re-run decided nothing new');
  });

  it('reject: the gate fails with the approver and their comment, and no dataset is added', async () => {
    const env = envFor('appr-reject');
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingFor('appr-reject');
    assert.equal((await answer(pending.id, ava.token, 'Reject', 'contains customer emails')).status, 200);
    const result = await running;
    assert.match(failure(result), /Ava Provider rejected request .*"contains customer emails"/);
    assert.equal(result.outcomes.find((o) => o.id === 'share.datasets')?.status, 'skipped');
    assert.deepEqual(await datasetNames(env), []);
    const late = await answer(pending.id, ava.token, 'Approve', 'changed my mind');
    assert.equal(late.status, 409, 'a decided card takes no more answers');
  });

  it('timeout: with the sandbox clock past approverTimeoutMinutes the run fails, the gate says so and nothing is added', async () => {
    const env = envFor('appr-timeout');
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingFor('appr-timeout');
    await sandbox.advanceClock(29 * 60);
    const still = await request(sandbox, 'GET', '/teams/approvals?status=Pending', { token: ava.token });
    assert.ok((still.body.value as Array<{ id: string }>).some((a) => a.id === pending.id), 'still waiting before the timeout');
    await sandbox.advanceClock(2 * 60);
    const result = await running;
    assert.match(failure(result), /no approver answered request .* in time \(No approver answered within 30 minute\(s\)\.\)/);
    assert.deepEqual(await datasetNames(env), []);
    const late = await answer(pending.id, ava.token, 'Approve', 'too late');
    assert.equal(late.status, 409);
    // The run itself, through ARM with the real client: Failed with the template's code, the wait TimedOut.
    const where = approvalWhere(env);
    const logic = env.provider.clients.logic(where.subscriptionId);
    const runs = (await logic.runs.list(where.resourceGroup, where.name, { filter: `ClientTrackingId eq '${pending.request.key}'` }).collect()).items;
    assert.equal(runs.length, 1);
    const run = await logic.runs.get(where.resourceGroup, where.name, runs[0].name!);
    assert.equal(run.name, pending.runName);
    assert.equal(run.status, 'Failed');
    assert.equal((run.error as { code?: string }).code, 'ApprovalTimedOut');
    const actions = (await logic.runs.actions(where.resourceGroup, where.name, run.name!).collect()).items;
    assert.equal(actions.find((a) => a.name === 'Wait_for_response')?.status, 'TimedOut');
    assert.equal(actions.find((a) => a.name === 'Decision')?.status, 'Skipped');
  });

  it('self-approval: the requester answering with their own token is refused and recorded; nothing is added', async () => {
    const env = envFor('appr-self');
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingFor('appr-self');
    assert.equal((await answer(pending.id, spToken, 'Approve', 'looks fine to me')).status, 200);
    const result = await running;
    assert.match(failure(result), /contoso-automation asked for request .* and cannot decide it; a second person must/);
    assert.deepEqual(await datasetNames(env), []);
    const refused = AuditTrail.read(auditFile).find((r) => r.action === 'approval.refused' && r.details?.requestId === pending.runName);
    assert.ok(refused, 'the refusal is in the audit trail');
    assert.equal(refused.outcome, 'blocked');
    assert.equal(refused.actor?.name, 'contoso-automation');
  });

  it('expired approval: a decision older than decisionValidHours is not accepted and blocks the invitation', async () => {
    const env = envFor('appr-expired');
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingFor('appr-expired');
    assert.equal((await answer(pending.id, ava.token, 'Approve', 'for two hours')).status, 200);
    assert.ok((await running).ok);
    await sandbox.advanceClock(2 * 3600 + 60);
    const steps = stepsFor(['governance.approval', 'share.invite'], recipeSteps().map((s) => (s.id === 'governance.approval' ? approvalStep({ now }) : s)), { withDependencies: false });
    const result = await runRecipeSteps(steps, env, { audit });
    assert.match(failure(result), /Ava Provider approved request .* more than 2 hour\(s\) ago; the approval has expired/);
    assert.equal(result.outcomes.find((o) => o.id === 'share.invite')?.status, 'skipped');
    const invitations = (await env.provider.clients.dataShare.invitations.listByShare(shareRef(env)).collect()).items;
    assert.deepEqual(invitations, []);
    assert.ok(AuditTrail.read(auditFile).some((r) => r.action === 'approval.expired' && r.outcome === 'blocked'));
  });

  it('in the editor: the requester (service principal) asks, a second person (user) lists and approves with their own account', async () => {
    const env = envFor('appr-editor', (p) => {
      p.governance!.approval!.channel = 'editor';
    });
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const where = approvalWhere(env);
    let pending: PendingApproval | undefined;
    for (let i = 0; i < 400 && !pending; i++) {
      pending = (await listPendingApprovals(ava.clients, where)).find((x) => x.request?.share.name === 'appr-editor');
      if (!pending) await new Promise((res) => setTimeout(res, 25));
    }
    assert.ok(pending, 'the approver sees the request');
    assert.equal(pending.request?.requester.name, 'contoso-automation');
    assert.equal(pending.request?.channel, 'editor');
    // The requester cannot decide their own request from the editor either.
    const requester = await env.provider.principal();
    await assert.rejects(decideApproval(env.provider.clients, where, pending, requester, 'Approve', 'mine', (r) => audit.append({ runId: 'editor', resourceIds: [], ...r })), /You asked for request .* so you cannot decide it/);
    await assert.rejects(decideApproval(ava.clients, where, pending, ava.principal, 'Reject', ' '), /A rejection needs a comment/);
    const decided = await decideApproval(ava.clients, where, pending, ava.principal, 'Approve', 'approved in VS Code', (r) => audit.append({ runId: 'editor', resourceIds: [], ...r }));
    assert.equal(decided.approver.objectId, ava.principal.objectId);
    const result = await running;
    assert.ok(result.ok, JSON.stringify(result.outcomes));
    assert.deepEqual(await datasetNames(env), plan.share.datasets.map((d) => d.name).sort());
    const decidedRecord = AuditTrail.read(auditFile).filter((r) => r.action === 'approval.decided' && r.outcome === 'allowed').pop();
    assert.equal(decidedRecord?.actor?.objectId, ava.principal.objectId, 'the decision is recorded under the approver');
    assert.equal(decidedRecord?.details?.requester, 'contoso-automation');
  });

  it('the dashboard list shows every request with its outcome, requester and approver', async () => {
    const list = await listApprovalRequests(base.provider.clients, approvalWhere(base), { now: now() });
    const outcomes = list.map((x) => x.outcome).sort();
    // approve's and expired's approvals are older than 2 h on the sandbox clock by now; the editor's is fresh.
    assert.deepEqual(outcomes, ['approved', 'expired', 'expired', 'rejected', 'selfApproval', 'timedOut']);
    for (const item of list) {
      assert.equal(item.requester?.name, 'contoso-automation');
      assert.ok(item.requestedAt);
      if (item.outcome !== 'timedOut') assert.ok(item.decidedAt);
    }
    assert.equal(list.filter((x) => x.approver?.name === 'Ava Provider').length, 4);
  });

  it('the trigger URL checks its signature: wrong or missing sig → 401 in Logic Apps\' shape; right one → 202 with the run id', async () => {
    const where = approvalWhere(base);
    const logic = base.provider.clients.logic(where.subscriptionId);
    const cb = await logic.workflows.triggerCallbackUrl(where.resourceGroup, where.name, 'manual');
    assert.equal(cb.method, 'POST');
    assert.equal(cb.queries?.sv, '1.0');
    assert.equal(cb.queries?.sp, '/triggers/manual/run');
    assert.ok(cb.value?.startsWith(`${cb.basePath}?`));
    const wrong = new URL(cb.value!);
    wrong.searchParams.set('sig', 'A'.repeat(43));
    const bad = await request(sandbox, 'POST', wrong.toString(), { body: { request: {}, card: {} } });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'DirectApiInvalidAuthorizationSignature');
    assert.ok(!bad.text.includes(cb.queries!.sig!));
    const none = new URL(cb.value!);
    none.searchParams.delete('sig');
    const missing = await request(sandbox, 'POST', none.toString(), { body: {} });
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'DirectApiAuthorizationRequired');
    const ok = await request(sandbox, 'POST', cb.value!, { body: { request: { key: 'probe', share: { name: 'probe' } }, card: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'probe' }] } } });
    assert.equal(ok.status, 202);
    const runName = String(ok.headers['x-ms-workflow-run-id']);
    const run = await logic.runs.get(where.resourceGroup, where.name, runName);
    assert.equal(run.status, 'Running');
    await logic.runs.cancel(where.resourceGroup, where.name, runName);
    assert.equal((await logic.runs.get(where.resourceGroup, where.name, runName)).status, 'Cancelled');
    // The Teams sink takes Adaptive Card messages only.
    const legacy = await request(sandbox, 'POST', `/teams/webhook/${webhookId}`, { body: { '@type': 'MessageCard', text: 'hi' } });
    assert.equal(legacy.status, 400);
  });

  it('cancelling the wait changes nothing and leaves the request open; a re-run resumes the same request', async () => {
    const env = envFor('appr-cancel');
    const abort = new AbortController();
    const running = runRecipeSteps(gateSteps(), env, { audit, signal: abort.signal });
    const pending = await pendingFor('appr-cancel');
    abort.abort();
    const r = await running;
    assert.equal(r.outcomes.find((o) => o.id === 'governance.approval')?.status, 'cancelled', JSON.stringify(r.outcomes));
    assert.deepEqual(await datasetNames(env), []);
    const again = runRecipeSteps(gateSteps(), env, { audit });
    await new Promise((res) => setTimeout(res, 200));
    const still = await pendingFor('appr-cancel');
    assert.equal(still.runName, pending.runName, 'no second request: the re-run waits on the same one');
    assert.equal((await answer(still.id, ava.token, 'Approve', 'after the pause')).status, 200);
    const done = await again;
    assert.ok(done.ok, JSON.stringify(done.outcomes));
    assert.match(done.outcomes.find((o) => o.id === 'governance.approval')!.summary, new RegExp(`approved request ${pending.runName}`));
  });

  it('data-quality warnings under the plan\'s rules need approval; the request and the card carry the outcome', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-approval-dq-'));
    const rulesFile = path.join(dir, 'share.dq.json');
    fs.writeFileSync(rulesFile, JSON.stringify({ version: 1, rules: [{ kind: 'row_count', min: 1 }, { kind: 'row_count', id: 'big-enough', min: 1000, severity: 'warn' }] }));
    const env = envFor('appr-dq', (p) => {
      p.governance!.quality = { rules: rulesFile };
      p.governance!.approval!.required = { dataQualityWarnings: true };
    });
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingFor('appr-dq');
    assert.deepEqual(pending.request.reasons, ['data-quality rules warned (2 warning(s): warned: sales-history (big-enough); regions (big-enough))']);
    assert.deepEqual(pending.request.dataQuality, { outcome: 'warn', warnings: 2, failures: 0, summary: 'warned: sales-history (big-enough); regions (big-enough)' });
    assert.equal((await answer(pending.id, ava.token, 'Approve', 'small sample is fine')).status, 200);
    const result = await running;
    assert.ok(result.ok, JSON.stringify(result.outcomes));
    assert.deepEqual(await datasetNames(env), plan.share.datasets.map((d) => d.name).sort());
    // Without warnings nothing needs approval: the step passes at once and asks nobody.
    fs.writeFileSync(rulesFile, JSON.stringify({ version: 1, rules: [{ kind: 'row_count', min: 1 }] }));
    const clean = envFor('appr-dq-clean', (p) => {
      p.governance!.quality = { rules: rulesFile };
      p.governance!.approval!.required = { dataQualityWarnings: true };
    });
    const r = await runRecipeSteps(gateSteps(), clean, { audit });
    assert.ok(r.ok, JSON.stringify(r.outcomes));
    assert.equal(r.outcomes.find((o) => o.id === 'governance.approval')?.summary, 'no approval needed');
  });

  it('the audit trail holds every step of the journeys and no signature, token or callback URL', () => {
    const records = AuditTrail.read(auditFile);
    const actions = new Set(records.map((r) => r.action));
    for (const a of ['approval.requested', 'approval.decided', 'approval.refused', 'approval.expired', 'approval.answered', 'governance.approval']) assert.ok(actions.has(a), `audit has ${a}`);
    const text = fs.readFileSync(auditFile, 'utf8');
    assert.doesNotMatch(text, /sig=|[?&]sv=|paths\/invoke|\/actions\/[^/"]+\/run|eyJ[A-Za-z0-9_-]{10,}\./);
    assert.ok(!text.includes(ava.token) && !text.includes(spToken));
  });
});
