/**
 * The sandbox's Microsoft.Logic/workflows and Teams surfaces on their own, over HTTPS with the real
 * @azure/arm-logic client: both api-versions, the definition subset it runs (and a clear 400 for the
 * rest), the Teams sink's Adaptive-Card-only rule, answers taken from the token, and a waiting run
 * that survives a restart of the sandbox.
 */
import * as assert from 'node:assert/strict';
import { LogicManagementClient } from '@azure/arm-logic';
import type { RunningSandbox } from '../../src/sandbox';
import { DEMO } from '../../src/sandbox/core/seed';
import { approvalWorkflowDefinition } from '../../src/workflows/approvals';
import { armOptions, request, spCredential, startTestSandbox, tenantOf, tokenFor, ARM_SCOPE } from './support/sandbox';

const RG = 'approvals-sbx';
const SUB = DEMO.contoso.subscriptionId;

describe('sandbox Logic Apps and Teams (HTTPS, @azure/arm-logic)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let logic: LogicManagementClient;
  let token: string;

  async function start(dir?: string): Promise<void> {
    ({ sandbox, dataDir } = await startTestSandbox('logic', dir ? { dataDir: dir } : {}));
    const cred = spCredential(sandbox, tenantOf(sandbox, 'Contoso'));
    logic = new LogicManagementClient(cred, SUB, armOptions(sandbox));
    token = await tokenFor(cred, ARM_SCOPE);
  }

  before(async () => {
    await start();
    const rg = await request(sandbox, 'PUT', `/subscriptions/${SUB}/resourcegroups/${RG}?api-version=2021-04-01`, { token, body: { location: 'westeurope' } });
    assert.ok(rg.status === 200 || rg.status === 201, rg.text);
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('creates, reads and lists a workflow as the spec example answers (2019-05-01 from the SDK, 2016-06-01 raw)', async () => {
    const definition = approvalWorkflowDefinition(`${sandbox.armEndpoint}/teams/webhook/sbx`, `${sandbox.armEndpoint}/teams/approvals`, 10);
    const wf = await logic.workflows.createOrUpdate(RG, 'wf1', { location: 'West Europe', state: 'Enabled', definition });
    assert.equal(wf.provisioningState, 'Succeeded');
    assert.equal(wf.location, 'westeurope');
    assert.match(wf.version ?? '', /^\d{20}$/);
    assert.match(wf.accessEndpoint ?? '', /\/workflows\/[0-9a-f]{32}$/);
    assert.deepEqual((wf.definition as { triggers: object }).triggers, definition.triggers);
    const old = await request(sandbox, 'GET', `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/wf1?api-version=2016-06-01`, { token });
    assert.equal(old.status, 200);
    const bad = await request(sandbox, 'GET', `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/wf1?api-version=2015-02-01-preview`, { token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidApiVersionParameter');
    const names: string[] = [];
    for await (const w of logic.workflows.listByResourceGroup(RG)) names.push(w.name ?? '');
    assert.deepEqual(names, ['wf1']);
    await assert.rejects(logic.workflows.get(RG, 'nope'), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === 'ResourceNotFound');
  });

  it('refuses what it cannot run with a clear 400, and a caller from another tenant gets 403', async () => {
    await assert.rejects(
      logic.workflows.createOrUpdate(RG, 'wf2', { location: 'westeurope', definition: { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: { Find: { type: 'ApiConnection', runAfter: {}, inputs: {} } } } }),
      (e: { statusCode?: number; code?: string; message?: string }) => e.statusCode === 400 && e.code === 'InvalidWorkflowDefinition' && /action 'Find' is of type 'ApiConnection'/.test(e.message ?? ''),
    );
    const fabrikamToken = await tokenFor(spCredential(sandbox, tenantOf(sandbox, 'Fabrikam')), ARM_SCOPE);
    const other = await request(sandbox, 'GET', `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Logic/workflows/wf1?api-version=2019-05-01`, { token: fabrikamToken });
    assert.equal(other.status, 403);
  });

  it('the Teams sink takes Adaptive Card messages only and lists what it received', async () => {
    const card = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'hello' }] } }] };
    assert.equal((await request(sandbox, 'POST', '/teams/webhook/sink1', { body: card })).status, 202);
    const legacy = await request(sandbox, 'POST', '/teams/webhook/sink1', { body: { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.teams.card.o365connector', content: {} }] } });
    assert.equal(legacy.status, 400);
    assert.match(legacy.body.error.message, /Adaptive Card messages only/);
    assert.equal((await request(sandbox, 'GET', '/teams/webhook/sink1')).status, 401, 'reading the sink needs a sandbox token');
    const got = await request(sandbox, 'GET', '/teams/webhook/sink1', { token });
    assert.deepEqual(got.body.value.map((m: { message: unknown }) => m.message), [card]);
  });

  it('a waiting run survives a restart; the answer after it carries the verified responder into the run outputs', async () => {
    const cb = await logic.workflowTriggers.listCallbackUrl(RG, 'wf1', 'manual');
    const started = await request(sandbox, 'POST', cb.value!, { body: { request: { key: 'k1', share: { name: 'restart' } }, card: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'restart' }] } }, headers: { 'x-ms-client-tracking-id': 'k1' } });
    assert.equal(started.status, 202);
    const runName = String(started.headers['x-ms-workflow-run-id']);
    await sandbox.stop();
    await start(dataDir);
    const run = await logic.workflowRuns.get(RG, 'wf1', runName);
    assert.equal(run.status, 'Running');
    assert.equal(run.correlation?.clientTrackingId, 'k1');
    const runs: string[] = [];
    for await (const r of logic.workflowRuns.list(RG, 'wf1', { filter: "ClientTrackingId eq 'k1'" })) runs.push(r.name ?? '');
    assert.deepEqual(runs, [runName]);
    const ava = await request(sandbox, 'POST', '/admin/tokens', { headers: { 'x-sandbox-admin-key': sandbox.adminKey }, body: { objectId: DEMO.contoso.user.objectId, audience: 'https://management.azure.com' } });
    const pending = await request(sandbox, 'GET', '/teams/approvals?status=Pending', { token: ava.body.access_token });
    const card = (pending.body.value as Array<{ id: string; runName: string }>).find((a) => a.runName === runName)!;
    assert.ok(card, 'the card still waits after the restart');
    assert.ok(!JSON.stringify(pending.body).includes('sig='), 'the callback URL is never served');
    const answered = await request(sandbox, 'POST', `/teams/approvals/${card.id}/respond`, { token: ava.body.access_token, body: { action: 'Approve', comment: 'after restart', responder: { displayName: 'Someone Else' } } });
    assert.equal(answered.status, 200, answered.text);
    const done = await logic.workflowRuns.get(RG, 'wf1', runName);
    assert.equal(done.status, 'Succeeded');
    const decision = (done.outputs as Record<string, { value: { outcome: string; comment: string; requestKey: string; responder: { objectId: string; displayName: string; tenantId: string } } }>).decision.value;
    assert.equal(decision.outcome, 'Approve');
    assert.equal(decision.comment, 'after restart');
    assert.equal(decision.requestKey, 'k1');
    assert.deepEqual([decision.responder.objectId, decision.responder.displayName, decision.responder.tenantId], [DEMO.contoso.user.objectId, DEMO.contoso.user.displayName, DEMO.contoso.tenantId]);
    const actions: Array<[string, string]> = [];
    for await (const a of logic.workflowRunActions.list(RG, 'wf1', runName)) actions.push([a.name ?? '', a.status ?? '']);
    assert.deepEqual(actions.sort(), [['Decision', 'Succeeded'], ['Post_card_to_Teams', 'Succeeded'], ['Timed_out', 'Skipped'], ['Wait_for_response', 'Succeeded']]);
    await assert.rejects(logic.workflowRuns.cancel(RG, 'wf1', runName), (e: { statusCode?: number }) => e.statusCode === 409);
  });

  it('deleting the workflow removes its runs and its trigger URL stops working', async () => {
    const cb = await logic.workflowTriggers.listCallbackUrl(RG, 'wf1', 'manual');
    await logic.workflows.delete(RG, 'wf1');
    await assert.rejects(logic.workflows.get(RG, 'wf1'), (e: { statusCode?: number }) => e.statusCode === 404);
    const gone = await request(sandbox, 'POST', cb.value!, { body: {} });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'WorkflowNotFound');
  });
});
