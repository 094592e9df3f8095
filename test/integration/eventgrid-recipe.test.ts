/**
 * The recipe with notifications against the sandbox: it provisions the Event Grid topic and a
 * webhook subscription (the test's own HTTPS subscriber answers the handshake), and every action
 * arrives there as a CloudEvent exactly once, even though the subscriber answers the first delivery
 * with 500 (retried, none lost, none duplicated). A re-run that changes nothing publishes nothing;
 * a failed snapshot publishes SnapshotFailed; a notification that cannot be sent fails no step.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { AuditTrail } from '../../src/workflows/audit';
import { eventGridSinkOf, subjects, type EventGridSink } from '../../src/workflows/events';
import { GDS_EVENT_TYPES, type GdsEventType } from '../../src/workflows/eventTypes';
import { runSnapshot } from '../../src/workflows/steps/sharing';
import type { RunningSandbox } from '../../src/sandbox';
import { freshPlan, recipeEnv, runRecipe } from './support/recipe';
import { removeTempDirs, startTestSandbox } from './support/sandbox';
import { TestWebhook } from './support/webhook';

interface Received {
  id: string;
  type: GdsEventType;
  source: string;
  subject: string;
  specversion: string;
  data: Record<string, unknown>;
}

describe('recipe with Event Grid notifications: every event type reaches a webhook exactly once', function () {
  this.timeout(300_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let hook: TestWebhook;

  before(async () => {
    ({ sandbox, dataDir } = await startTestSandbox('eventgrid-recipe'));
    hook = await new TestWebhook(dataDir).start();
  });

  after(async () => {
    await hook?.stop();
    await sandbox?.stop();
    removeTempDirs();
  });

  const countBy = (events: Received[]) => {
    const m = new Map<string, number>();
    for (const e of events) m.set(`${e.type} ${e.subject}`, (m.get(`${e.type} ${e.subject}`) ?? 0) + 1);
    return m;
  };

  it('runs the recipe, then a failed snapshot; the subscriber gets each action once, retried after its 500', async () => {
    const topic = `gds-evt-${crypto.randomBytes(3).toString('hex')}`;
    const plan = freshPlan('evt', { notifications: { eventGrid: { topic, subscriptions: [{ name: 'test-hook', endpointUrl: hook.url('/events?code=s3cret') }] } } });
    const env = await recipeEnv(sandbox, plan);
    const sink = eventGridSinkOf(env);
    assert.ok(sink, 'the plan asks for notifications: the env has an Event Grid sink');
    const audit = new AuditTrail();
    hook.failNext = 1;

    const first = await runRecipe(env, audit);
    assert.ok(first.ok, JSON.stringify(first.outcomes.filter((o) => o.status !== 'succeeded')));
    assert.deepEqual(sink.failed, []);
    const expected: [GdsEventType, string][] = [
      ['GovernedDataShare.ShareCreated', subjects.share(env)],
      ...plan.share.datasets.map((d): [GdsEventType, string] => ['GovernedDataShare.DataSetAdded', subjects.dataSet(env, d.name)]),
      ['GovernedDataShare.InvitationSent', subjects.invitation(env)],
      ['GovernedDataShare.InvitationAccepted', subjects.shareSubscription(env)],
    ];
    assert.deepEqual(
      sink.sent.map((e) => e.type).filter((t) => !t.startsWith('GovernedDataShare.Snapshot') && t !== 'GovernedDataShare.LineageRecorded'),
      expected.map(([t]) => t),
      'share, datasets, invitation and acceptance in the order they happened',
    );
    assert.equal(sink.sent.filter((e) => e.type === 'GovernedDataShare.SnapshotSucceeded').length, 1);
    assert.equal(sink.sent.filter((e) => e.type === 'GovernedDataShare.LineageRecorded').length, 1);

    // The first delivery got 500: it waits for its retry (10 s on the sandbox clock).
    await hook.waitFor(() => hook.receipts.some((r) => r.status === 500), 10_000, 'the 500');
    await sandbox.advanceClock(15);
    await hook.waitFor(() => hook.delivered.length >= sink.sent.length, 20_000, 'every event of the run');

    // Nothing changes on a re-run: nothing is published.
    const sentBefore = sink.sent.length;
    const second = await runRecipe(env, audit);
    assert.ok(second.ok);
    assert.equal(second.outcomes.filter((o) => o.changed).length, 0, 'the re-run changes nothing');
    assert.equal(sink.sent.length, sentBefore, 'and publishes nothing');

    // A snapshot that fails (the consumer's Data Share identity lost its role on the target storage).
    const c = env.consumer;
    const storageScope = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.plan.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${c.plan.storageAccount}`;
    const account = await c.clients.dataShare.accounts.get({ subscriptionId: c.subscriptionId, resourceGroupName: c.plan.resourceGroup, accountName: c.plan.dataShareAccount });
    const authz = c.clients.authorization(c.subscriptionId).sdk;
    for await (const a of authz.roleAssignments.listForScope(storageScope)) {
      if (a.principalId === account.identity.principalId && a.scope?.toLowerCase() === storageScope.toLowerCase()) await authz.roleAssignments.deleteById(a.id as string);
    }
    await assert.rejects(runSnapshot(env, 'Incremental', { signal: new AbortController().signal, report: () => undefined }), /lacks the 'Storage Blob Data Contributor' role/);
    const subRef = { subscriptionId: c.subscriptionId, resourceGroupName: c.plan.resourceGroup, accountName: c.plan.dataShareAccount, shareSubscriptionName: plan.subscription.name };
    const failedSync = (await c.clients.dataShare.shareSubscriptions.listSynchronizations(subRef).collect()).items.find((s) => s.status === 'Failed');
    assert.ok(failedSync?.synchronizationId);

    // The features that publish the other three types call the same sink (data quality, approvals).
    await env.events?.publish('GovernedDataShare.DataQualityFailed', subjects.dataSet(env, plan.share.datasets[0].name), { rule: 'not-null', column: 'id', failed: 1 });
    await env.events?.publish('GovernedDataShare.ApprovalRequested', subjects.invitation(env), { requestId: 'r1', reason: 'classified data' });
    await env.events?.publish('GovernedDataShare.ApprovalDecided', subjects.invitation(env), { requestId: 'r1', decision: 'Approve' });
    await hook.waitFor(() => hook.delivered.length >= sink.sent.length, 20_000, 'the later events');
    await sandbox.advanceClock(120); // any stray retry would arrive now
    await new Promise((r) => setTimeout(r, 300));

    const received = hook.events<Received>();
    assert.deepEqual([...new Set(received.map((e) => e.type))].sort(), [...GDS_EVENT_TYPES].sort(), 'every event type arrived');
    assert.equal(received.length, sink.sent.length, 'none lost, none duplicated');
    assert.deepEqual(received.map((e) => e.id).sort(), sink.sent.map((e) => e.id).sort());
    for (const [key, n] of countBy(received)) assert.equal(n, 1, `${key} once per action`);
    for (const [type, subject] of expected) assert.ok(received.some((e) => e.type === type && e.subject === subject), `${type} for ${subject}`);
    assert.ok(received.some((e) => e.type === 'GovernedDataShare.SnapshotFailed' && e.subject.endsWith(`/synchronizations/${failedSync.synchronizationId}`)));
    for (const e of received) {
      assert.equal(e.specversion, '1.0');
      assert.equal(e.source, `/tenants/${env.provider.tenantId}/shares/${plan.share.name}`);
    }
    assert.doesNotMatch(JSON.stringify(received), /s3cret|sig=|"key/i, 'no secrets in the events');
    // The one answered 500 was delivered again, once.
    const refused = hook.receipts.find((r) => r.status === 500);
    const refusedId = (refused?.body as { id?: string } | undefined)?.id;
    assert.equal(received.filter((e) => e.id === refusedId).length, 1);
    assert.ok(audit.records.some((r) => r.action === 'events.topic' && r.outcome === 'succeeded'));
  });

  it('a notification that cannot be sent is logged and audited; the step still succeeds', async () => {
    const plan = freshPlan('evtmiss', { notifications: { eventGrid: { topic: `gds-missing-${crypto.randomBytes(3).toString('hex')}` } } });
    const env = await recipeEnv(sandbox, plan);
    const sink = env.events as EventGridSink;
    const logged: string[] = [];
    sink.log = (m) => logged.push(m);
    const audit = new AuditTrail();
    sink.audit = audit;
    await sink.publish('GovernedDataShare.ShareCreated', subjects.share(env), { share: plan.share.name });
    assert.equal(sink.failed.length, 1);
    assert.match(logged[0], /ShareCreated .* was not published/);
    const rec = audit.records.find((r) => r.action === 'event.publish');
    assert.equal(rec?.outcome, 'failed');
  });
});
