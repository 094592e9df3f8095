/**
 * Approvals that work in Azure with nothing outside it (`governance.approval.logicApp.teams`), end to
 * end over real HTTPS to a sandbox with the real @azure/arm-logic client: the extension provisions the
 * Teams API connection, the approval workflow (the Teams connector's "Post adaptive card and wait for
 * a response") and the decisions workflow (Request trigger with Entra ID OAuth). A new connection is
 * not authorized, so the gate stops with the portal step to take; once a person authorizes it the card
 * waits in the channel and a second person answers there, or decides from the editor with their own
 * token, which the decisions workflow checks and records.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox';
import { loadSandboxCloud, type AzureClients, type CloudConfig } from '../../src/azure';
import type { SandboxDescription } from '../../src/auth';
import { approvalWhere, decideApproval, decisionsWorkflowName, listApprovalRequests, listPendingApprovals, provisionApprovalWorkflow, type PendingApproval } from '../../src/workflows/approvals';
import { AuditTrail } from '../../src/workflows/audit';
import type { RecipeEnv } from '../../src/workflows/env';
import { checkPlan, type RecipePlan } from '../../src/workflows/plan';
import { recipeSteps, runRecipeSteps, stepsFor } from '../../src/workflows/recipe';
import { APPROVAL_INFRA, datasetNames, gateSteps as gateStepsOn, personOf, shareEnv, stepFailure, type Person } from './support/approvals';
import { freshPlan, recipeEnv } from './support/recipe';
import { request, startTestSandbox } from './support/sandbox';

const TEAM = '3f0c9a4e-1b2d-4c5e-8f70-9a1b2c3d4e5f';
const CHANNEL = '19:a1b2c3d4e5f60718293a4b5c6d7e8f90@thread.tacv2';

describe('approvals with the Teams connector and Entra ID OAuth decisions (sandbox, HTTPS, real clients)', function () {
  this.timeout(180_000);
  let sandbox: RunningSandbox;
  let description: SandboxDescription;
  let cloud: CloudConfig;
  let base: RecipeEnv;
  let plan: RecipePlan;
  let audit: AuditTrail;
  let auditFile: string;
  let ava: Person;
  let ben: Person;
  const now = () => sandbox.core.context.clock.now();

  before(async () => {
    ({ sandbox } = await startTestSandbox('approval-connector'));
    ({ cloud, description } = await loadSandboxCloud(sandbox.descriptionPath));
    const p = freshPlan('apcn');
    const contoso = p.provider.tenantId;
    delete p.provider.purviewAccount;
    delete p.consumer.purviewAccount;
    plan = checkPlan({
      ...p,
      governance: {
        policy: { blocked: [], requireJustification: [], unknown: 'allow' },
        approval: {
          required: { allowedConsumerTenants: [contoso] },
          logicApp: { name: 'gds-approvals-teams', teams: { teamId: TEAM, channelId: CHANNEL } },
          approverTimeoutMinutes: 30,
          decisionValidHours: 2,
          requestReason: 'Quarterly sales for the partner forecast',
        },
      },
    }, 'connector approval test plan');
    base = await recipeEnv(sandbox, plan);
    auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gds-approval-connector-')), 'audit.jsonl');
    audit = new AuditTrail(auditFile);
    const infra = await runRecipeSteps(stepsFor(APPROVAL_INFRA, recipeSteps(), { withDependencies: false }), base, { audit });
    assert.ok(infra.ok, JSON.stringify(infra.outcomes.filter((o) => o.status !== 'succeeded')));
    ava = await personOf(description, cloud, contoso);
    ben = await personOf(description, cloud, description.tenants.find((t) => t.tenantId !== contoso)!.tenantId);
  });
  after(async () => {
    await sandbox?.stop();
  });

  const envFor = (shareName: string, changes?: (p: RecipePlan) => void) => shareEnv(base, plan, shareName, changes);
  const gateSteps = (extra?: string[]) => gateStepsOn(now, extra);
  const failure = stepFailure;

  async function cardFor(shareName: string): Promise<{ id: string; runName: string; card?: { body?: Array<{ text?: string; facts?: Array<{ title: string; value: string }> }>; actions?: Array<{ id?: string; title?: string }> }; recipient?: { groupId?: string; channelId?: string } }> {
    for (let i = 0; i < 400; i++) {
      const r = await request(sandbox, 'GET', '/teams/approvals?status=Pending', { token: ava.token });
      assert.equal(r.status, 200, r.text);
      // Teams shows the card only: find it by the share it names.
      const hit = (r.body.value as Array<{ id: string; runName: string; card?: { body?: Array<{ text?: string }> } }>).find((a) => a.card?.body?.[0]?.text?.includes(`share '${shareName}'`));
      if (hit) return hit;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`no card waits for ${shareName}`);
  }

  async function pendingInEditor(clients: AzureClients, env: RecipeEnv, shareName: string): Promise<PendingApproval> {
    for (let i = 0; i < 400; i++) {
      const hit = (await listPendingApprovals(clients, approvalWhere(env))).find((x) => x.request?.share.name === shareName);
      if (hit) return hit;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`${shareName} is not pending in the editor`);
  }

  it('a new Teams connection is not authorized: the gate stops with the portal step, adds nothing, and the workflows are in place', async () => {
    const env = envFor('apcn-first');
    const r = await runRecipeSteps(gateSteps(), env, { audit });
    const msg = failure(r);
    assert.match(msg, /The Teams API connection gds-approvals-teams-teams is not authorized yet \(Unauthenticated/);
    assert.match(msg, /Next: Authorize it once: open https:\/\/portal\.azure\.com\/#@.*\/providers\/Microsoft\.Web\/connections\/gds-approvals-teams-teams → Edit API connection → Authorize/);
    assert.equal(r.outcomes.find((o) => o.id === 'share.datasets')?.status, 'skipped');
    assert.deepEqual(await datasetNames(env), []);
    const where = approvalWhere(env);
    assert.equal(where.mode, 'connector');
    const logic = env.provider.clients.logic(where.subscriptionId);
    const wf = await logic.workflows.get(where.resourceGroup, where.name);
    const wait = (wf.definition as { actions: Record<string, { type: string; inputs: { path: string; body: { body: { recipient: unknown } } } }> }).actions.Wait_for_response;
    assert.equal(wait.type, 'ApiConnectionWebhook');
    assert.match(wait.inputs.path, /gatherinput/);
    assert.deepEqual(wait.inputs.body.body.recipient, { groupId: TEAM, channelId: CHANNEL });
    const dec = await logic.workflows.get(where.resourceGroup, decisionsWorkflowName(where.name));
    const policy = (dec.accessControl as { triggers: { openAuthenticationPolicies: { policies: Record<string, { type: string; claims: Array<{ name: string; value: string }> }> } } }).triggers.openAuthenticationPolicies.policies;
    const claims = Object.values(policy)[0].claims;
    assert.deepEqual(claims.find((c) => c.name === 'iss')?.value, `https://sts.windows.net/${env.provider.tenantId}/`);
    // Nothing runs before the connection is authorized: no request was started.
    assert.deepEqual((await logic.runs.list(where.resourceGroup, where.name).collect()).items, []);
    // Provisioning again changes nothing.
    const again = await provisionApprovalWorkflow(env, env.plan.governance!.approval!);
    assert.equal(again.changed, false);
    assert.equal(again.connection?.connected, false);
  });

  it('once a person authorizes the connection, the card waits in the channel with Approve / Reject and a second person approves there', async () => {
    const env = envFor('apcn-teams');
    const where = approvalWhere(env);
    const connPath = `/subscriptions/${where.subscriptionId}/resourceGroups/${where.resourceGroup}/providers/Microsoft.Web/connections/gds-approvals-teams-teams`;
    const links = await request(sandbox, 'POST', `${connPath}/listConsentLinks?api-version=2016-06-01`, { token: ava.token, body: { parameters: [{ parameterName: 'token', redirectUrl: 'https://portal.azure.com/' }] } });
    assert.equal(links.status, 200, links.text);
    const consent = await request(sandbox, 'POST', String(links.body.value[0].link), { token: ava.token, body: {} });
    assert.ok(consent.status < 300, consent.text);
    const prov = await provisionApprovalWorkflow(env, env.plan.governance!.approval!);
    assert.equal(prov.connection?.connected, true);

    const running = runRecipeSteps(gateSteps(), env, { audit });
    const card = await Promise.race([cardFor('apcn-teams'), running.then((r) => Promise.reject(new Error(`the gate ended before a card was posted: ${JSON.stringify(r.outcomes)}`)))]);
    const facts = Object.fromEntries((card.card?.body?.find((b) => b.facts)?.facts ?? []).map((f) => [f.title, f.value]));
    assert.match(facts['Requested by'], /contoso-automation/);
    assert.equal(facts['Why'], 'Quarterly sales for the partner forecast');
    assert.deepEqual(card.recipient, { groupId: TEAM, channelId: CHANNEL });
    assert.deepEqual(card.card?.actions?.map((a) => a.id), ['Approve', 'Reject']);
    const r = await request(sandbox, 'POST', `/teams/approvals/${card.id}/respond`, { token: ava.token, body: { action: 'Approve', comment: 'fine for Q4' } });
    assert.equal(r.status, 200, r.text);
    const result = await running;
    assert.ok(result.ok, JSON.stringify(result.outcomes));
    assert.match(result.outcomes.find((o) => o.id === 'governance.approval')!.summary, /Ava Provider approved request .*: "fine for Q4"/);
    assert.deepEqual(await datasetNames(env), plan.share.datasets.map((d) => d.name).sort());
    const again = await runRecipeSteps(gateSteps(), env, { audit });
    assert.equal(again.outcomes.find((o) => o.id === 'governance.approval')!.changed, false, 'a re-run reuses the recorded approval');
  });

  it('in the editor: the approver decides with their own token through the OAuth trigger; the requester cannot; the card stops waiting', async () => {
    const env = envFor('apcn-editor', (p) => {
      p.governance!.approval!.channel = 'editor';
    });
    const where = approvalWhere(env);
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingInEditor(ava.clients, env, 'apcn-editor');
    assert.equal(pending.request?.requester.name, 'contoso-automation');
    const requester = await env.provider.principal();
    await assert.rejects(decideApproval(env.provider.clients, where, pending, requester, 'Approve', 'mine'), /You asked for request .* so you cannot decide it/);
    const decided = await decideApproval(ava.clients, where, pending, ava.principal, 'Approve', 'approved in VS Code', (r) => audit.append({ runId: 'editor', resourceIds: [], ...r }));
    assert.equal(decided.approver.objectId, ava.principal.objectId, 'the approver comes from the token the workflow checked');
    assert.equal(decided.approver.name, 'Ava Provider');
    const result = await running;
    assert.ok(result.ok, JSON.stringify(result.outcomes));
    assert.match(result.outcomes.find((o) => o.id === 'governance.approval')!.summary, /Ava Provider approved request .*: "approved in VS Code"/);
    assert.deepEqual(await datasetNames(env), plan.share.datasets.map((d) => d.name).sort());
    const logic = env.provider.clients.logic(where.subscriptionId);
    assert.equal((await logic.runs.get(where.resourceGroup, where.name, pending.requestId)).status, 'Cancelled', 'the Teams wait ended');
    assert.ok(!(await listPendingApprovals(ava.clients, where)).some((x) => x.requestId === pending.requestId), 'no longer pending');
    // The decision's run history keeps the verified approver but never the token it came with.
    const runs = (await logic.runs.list(where.resourceGroup, decisionsWorkflowName(where.name), { filter: `ClientTrackingId eq '${pending.request!.key}'` }).collect()).items;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].trigger?.outputsLink, undefined, 'the trigger outputs (with the Authorization header) are secured');
    assert.ok(!JSON.stringify(runs[0]).includes(ava.token.split('.')[1]));
    const decision = (runs[0].outputs as Record<string, { value: { responder: { objectId: string; tenantId: string } } }>).decision.value;
    assert.equal(decision.responder.objectId, ava.principal.objectId);
    assert.equal(decision.responder.tenantId, ava.principal.tenantId);
    // The list the dashboard reads shows the request as approved by Ava, not as the cancelled wait.
    const listed = (await listApprovalRequests(env.provider.clients, where, { now: now() })).find((x) => x.id === pending.requestId);
    assert.equal(listed?.outcome, 'approved');
    assert.equal(listed?.approver?.objectId, ava.principal.objectId);
    // A re-run reuses the decision.
    const again = await runRecipeSteps(gateSteps(), env, { audit });
    assert.ok(again.ok);
    assert.equal(again.outcomes.find((o) => o.id === 'governance.approval')!.changed, false);
  });

  it('in the editor: a rejection blocks the share with the approver and comment; a token of another tenant is refused by the trigger', async () => {
    const env = envFor('apcn-reject', (p) => {
      p.governance!.approval!.channel = 'editor';
    });
    const where = approvalWhere(env);
    const running = runRecipeSteps(gateSteps(), env, { audit });
    const pending = await pendingInEditor(ava.clients, env, 'apcn-reject');
    // Someone of the consumer tenant who can read the runs still cannot decide: the OAuth policy checks the issuer.
    await assert.rejects(decideApproval(ben.clients, where, pending, ben.principal, 'Approve', 'from fabrikam'), (e: { statusCode?: number }) => e.statusCode === 403, 'no rights on the provider\'s workflow');
    const url = (await ava.clients.logic(where.subscriptionId).workflows.triggerCallbackUrl(where.resourceGroup, decisionsWorkflowName(where.name), 'manual')).value!;
    await assert.rejects(
      ben.clients.logic(where.subscriptionId).invokeTriggerAsCaller(url, { requestKey: pending.request!.key, requestId: pending.requestId, decision: 'Approve', comment: 'from fabrikam' }, { clientTrackingId: pending.request!.key }),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 401 && e.code === 'MisMatchingOAuthClaims',
      'even with the trigger URL, a token of another tenant does not pass the OAuth policy',
    );
    await decideApproval(ava.clients, where, pending, ava.principal, 'Reject', 'contains customer emails');
    const result = await running;
    assert.match(failure(result), /Ava Provider rejected request .*"contains customer emails"/);
    assert.deepEqual(await datasetNames(env), []);
  });

  it('the audit trail has the decisions and no token or signed URL', () => {
    const text = fs.readFileSync(auditFile, 'utf8');
    const actions = new Set(AuditTrail.read(auditFile).map((r) => r.action));
    for (const a of ['approval.requested', 'approval.decided', 'approval.answered']) assert.ok(actions.has(a), `audit has ${a}`);
    assert.doesNotMatch(text, /sig=|[?&]sv=|paths\/invoke|eyJ[A-Za-z0-9_-]{10,}\./);
    assert.ok(!text.includes(ava.token));
  });
});
