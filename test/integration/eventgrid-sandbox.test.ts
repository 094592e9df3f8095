/**
 * Event Grid in the sandbox with the real SDK clients over HTTPS: a custom topic and webhook
 * subscriptions through @azure/arm-eventgrid (the validation handshake in both schemas, manual
 * validation and its expiry, a refused endpoint), publishing through @azure/eventgrid with a key, a
 * SAS token and a Microsoft Entra token (EventGrid Data Sender), disableLocalAuth, the 401/400/413
 * answers, filters, and delivery retried on the sandbox clock after a subscriber's 500.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { AzureKeyCredential, AzureSASCredential, EventGridPublisherClient, generateSharedAccessSignature } from '@azure/eventgrid';
import type { RestError } from '@azure/core-rest-pipeline';
import { EVENTGRID_DATA_SENDER_ROLE, eventGridTopicId, type AzureClients } from '../../src/azure';
import type { RunningSandbox } from '../../src/sandbox';
import { flowEnv, type FlowEnv } from './support/flow';
import { removeTempDirs, request, startTestSandbox, tokenFor } from './support/sandbox';
import { TestWebhook, type Receipt } from './support/webhook';

const RG = 'events';
const ARM = 'https://management.azure.com/.default';

describe('sandbox Event Grid: topics, webhook subscriptions, publishing and delivery', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let env: FlowEnv;
  let eg: ReturnType<AzureClients['eventGrid']>;
  const hooks: TestWebhook[] = [];
  const suffix = crypto.randomBytes(3).toString('hex');
  const cloudTopic = `gds-cloud-${suffix}`;
  const egTopic = `gds-eg-${suffix}`;
  let cloudEndpoint = '';
  let key1 = '';

  const hook = async (options?: ConstructorParameters<typeof TestWebhook>[1]) => {
    const h = await new TestWebhook(dataDir, options).start();
    hooks.push(h);
    return h;
  };
  const scopeOf = (topic: string) => eventGridTopicId(env.providerSub, RG, topic);
  const deliveries = async (topic: string, sub: string) => {
    const token = await tokenFor(env.provider.credential, ARM);
    const res = await request(sandbox, 'GET', `${scopeOf(topic)}/providers/Microsoft.EventGrid/eventSubscriptions/${sub}/sandboxDeliveries?api-version=2025-02-15`, { token });
    assert.equal(res.status, 200, res.text);
    return res.body.value as { eventId: string; eventType: string; state: string; attempts: { status?: number }[]; nextAttemptAt: number }[];
  };
  const publisher = (credential: AzureKeyCredential | AzureSASCredential | AzureClients['credential'], endpoint = cloudEndpoint) =>
    new EventGridPublisherClient(endpoint, 'CloudEvent', credential, { tlsOptions: { ca: sandbox.ca }, retryOptions: { maxRetries: 0 } });

  before(async () => {
    ({ sandbox, dataDir } = await startTestSandbox('eventgrid', { tickIntervalMs: 0 }));
    env = await flowEnv(sandbox);
    await env.provider.resources(env.providerSub).providers.register('Microsoft.EventGrid');
    await env.provider.resources(env.providerSub).sdk.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
    eg = env.provider.eventGrid(env.providerSub);
  });

  after(async () => {
    await Promise.all(hooks.map((h) => h.stop()));
    await sandbox?.stop();
    removeTempDirs();
  });

  it('creates a CloudEvents topic whose endpoint is the sandbox, with keys; its schema cannot change', async () => {
    const topic = await eg.topics.createAndWait(RG, cloudTopic, { location: 'West Europe', inputSchema: 'CloudEventSchemaV1_0' });
    assert.equal(topic.provisioningState, 'Succeeded');
    assert.equal(topic.inputSchema, 'CloudEventSchemaV1_0');
    cloudEndpoint = topic.endpoint ?? '';
    assert.equal(cloudEndpoint, `${sandbox.armEndpoint}/eventgrid/westeurope/${cloudTopic}/api/events`);
    const again = await eg.topics.createAndWait(RG, cloudTopic, { location: 'westeurope', inputSchema: 'CloudEventSchemaV1_0', tags: { team: 'data' } });
    assert.equal(again.endpoint, cloudEndpoint);
    await assert.rejects(eg.topics.createAndWait(RG, cloudTopic, { location: 'westeurope', inputSchema: 'EventGridSchema' }), /inputSchema .* cannot be updated/);
    const keys = await eg.topics.listKeys(RG, cloudTopic);
    assert.ok(keys.key1 && keys.key2 && keys.key1 !== keys.key2);
    const regenerated = await eg.topics.regenerateKey(RG, cloudTopic, 'key2');
    assert.equal(regenerated.key1, keys.key1);
    assert.notEqual(regenerated.key2, keys.key2);
    key1 = keys.key1 as string;
    // The newest stable api-version answers too.
    const token = await tokenFor(env.provider.credential, ARM);
    const res = await request(sandbox, 'GET', `${scopeOf(cloudTopic)}?api-version=2025-02-15`, { token });
    assert.equal(res.status, 200);
    assert.equal(res.body.properties.minimumTlsVersionAllowed, '1.2');
    assert.equal((await request(sandbox, 'GET', `${scopeOf(cloudTopic)}?api-version=2019-01-01`, { token })).status, 400);
  });

  it('a CloudEvents webhook subscription validates with OPTIONS / WebHook-Allowed-Origin; reads hide the URL, getFullUrl returns it', async () => {
    const h = await hook();
    const sub = await eg.subscriptions.createWebhookAndWait(scopeOf(cloudTopic), 'all-events', { endpointUrl: h.url('/hook?code=secret-123') });
    assert.equal(sub.provisioningState, 'Succeeded');
    const options = h.receipts.find((r) => r.method === 'OPTIONS');
    assert.equal(options?.headers['webhook-request-origin'], 'eventgrid.azure.net');
    const read = await eg.subscriptions.get(scopeOf(cloudTopic), 'all-events');
    const dest = read.destination as { endpointUrl?: string | null; endpointBaseUrl?: string };
    assert.equal(dest.endpointUrl ?? null, null);
    assert.equal(dest.endpointBaseUrl, h.url('/hook'));
    assert.equal(await eg.subscriptions.getFullUrl(scopeOf(cloudTopic), 'all-events'), h.url('/hook?code=secret-123'));
    const refusing = await hook({ validation: 'refuse' });
    await assert.rejects(eg.subscriptions.createWebhookAndWait(scopeOf(cloudTopic), 'refused', { endpointUrl: refusing.url() }), /handshake failed/);
    assert.equal((await eg.subscriptions.get(scopeOf(cloudTopic), 'refused')).provisioningState, 'Failed');
    await assert.rejects(eg.subscriptions.createWebhookAndWait(scopeOf(cloudTopic), 'plain-http', { endpointUrl: `http://127.0.0.1:${h.port}/hook` }), /HTTPS endpoints only/);
    await eg.subscriptions.delete(scopeOf(cloudTopic), 'refused');
  });

  it('Event Grid schema: SubscriptionValidationEvent answered -> Succeeded; ignored -> AwaitingManualAction until the validationUrl GET, or Failed after 10 minutes', async () => {
    await eg.topics.createAndWait(RG, egTopic, { location: 'westeurope', inputSchema: 'EventGridSchema' });
    const auto = await hook();
    const ok = await eg.subscriptions.createWebhookAndWait(scopeOf(egTopic), 'auto', { endpointUrl: auto.url() });
    assert.equal(ok.provisioningState, 'Succeeded');
    const v = auto.receipts.find((r) => r.headers['aeg-event-type'] === 'SubscriptionValidation');
    assert.ok(v, 'the handshake POST arrived');
    assert.equal(v.headers['aeg-subscription-name'], 'AUTO');
    const ev = (v.body as { eventType: string; data: { validationCode: string; validationUrl: string } }[])[0];
    assert.equal(ev.eventType, 'Microsoft.EventGrid.SubscriptionValidationEvent');
    assert.match(ev.data.validationCode, /^[0-9A-F-]{36}$/);

    const manual = await hook({ validation: 'ignore' });
    const waiting = await eg.subscriptions.createWebhookAndWait(scopeOf(egTopic), 'manual', { endpointUrl: manual.url() });
    assert.equal(waiting.provisioningState, 'AwaitingManualAction');
    const url = manual.validations[0].validationUrl;
    const got = await request(sandbox, 'GET', url);
    assert.equal(got.status, 200, got.text);
    assert.equal((await eg.subscriptions.get(scopeOf(egTopic), 'manual')).provisioningState, 'Succeeded');

    const late = await hook({ validation: 'ignore' });
    assert.equal((await eg.subscriptions.createWebhookAndWait(scopeOf(egTopic), 'late', { endpointUrl: late.url() })).provisioningState, 'AwaitingManualAction');
    await sandbox.advanceClock(11 * 60);
    assert.equal((await eg.subscriptions.get(scopeOf(egTopic), 'late')).provisioningState, 'Failed');
    assert.equal((await request(sandbox, 'GET', late.validations[0].validationUrl)).status, 400);
  });

  it('publishes CloudEvents with a key, a SAS token and an Entra token (EventGrid Data Sender); 401 otherwise; disableLocalAuth refuses keys', async () => {
    const h = await hook();
    await eg.subscriptions.createWebhookAndWait(scopeOf(cloudTopic), 'auth', { endpointUrl: h.url() });
    const event = (id: string) => ({ type: 'Contoso.Test', source: '/test', subject: `auth/${id}`, data: { id } });

    await publisher(new AzureKeyCredential(key1)).send([event('key')]);
    const sas = await generateSharedAccessSignature(cloudEndpoint, new AzureKeyCredential(key1), new Date(Date.now() + 60 * 60_000));
    await publisher(new AzureSASCredential(sas)).send([event('sas')]);
    await assert.rejects(publisher(new AzureKeyCredential(crypto.randomBytes(32).toString('base64'))).send([event('bad')]), (e: RestError) => e.statusCode === 401);
    const badSas = await generateSharedAccessSignature(cloudEndpoint, new AzureKeyCredential(crypto.randomBytes(32).toString('base64')), new Date(Date.now() + 60_000));
    await assert.rejects(publisher(new AzureSASCredential(badSas)).send([event('badsas')]), (e: RestError) => e.statusCode === 401);
    const expired = await generateSharedAccessSignature(cloudEndpoint, new AzureKeyCredential(key1), new Date(Date.now() - 60_000));
    await assert.rejects(publisher(new AzureSASCredential(expired)).send([event('expired')]), (e: RestError) => e.statusCode === 401);

    // Entra: Owner of the subscription is not enough (no data action), EventGrid Data Sender is.
    await assert.rejects(publisher(env.provider.credential).send([event('norole')]), (e: RestError) => e.statusCode === 401 && /EventGrid Data Sender/.test(e.message));
    const me = JSON.parse(Buffer.from((await tokenFor(env.provider.credential, ARM)).split('.')[1], 'base64url').toString('utf8')) as { oid: string };
    await env.provider.authorization(env.providerSub).ensureRoleAssignment({ scope: scopeOf(cloudTopic), role: EVENTGRID_DATA_SENDER_ROLE, principalId: me.oid, principalType: 'ServicePrincipal' });
    await env.provider.eventGridPublisher(cloudEndpoint).send([event('entra')]);
    // Fabrikam's token is refused by Contoso's topic.
    await assert.rejects(publisher(env.consumer.credential).send([event('fabrikam')]), (e: RestError) => e.statusCode === 401);

    await eg.sdk.topics.beginUpdateAndWait(RG, cloudTopic, { disableLocalAuth: true }, { updateIntervalInMs: 10 });
    await assert.rejects(publisher(new AzureKeyCredential(key1)).send([event('local')]), (e: RestError) => e.statusCode === 401 && /Local authentication/.test(e.message));
    await env.provider.eventGridPublisher(cloudEndpoint).send([event('entra2')]);
    await eg.sdk.topics.beginUpdateAndWait(RG, cloudTopic, { disableLocalAuth: false }, { updateIntervalInMs: 10 });

    await h.waitFor(() => h.delivered.length >= 4, 10_000, 'four deliveries');
    const subjects = h.events<{ subject: string }>().map((e) => e.subject).sort();
    assert.deepEqual(subjects, ['auth/entra', 'auth/entra2', 'auth/key', 'auth/sas']);
    const n = h.delivered[0];
    assert.equal(n.headers['aeg-event-type'], 'Notification');
    assert.match(String(n.headers['content-type']), /application\/cloudevents\+json/);
    assert.equal((n.body as { specversion: string }).specversion, '1.0');
    await eg.subscriptions.delete(scopeOf(cloudTopic), 'auth');
  });

  it('400 when events do not match the topic schema; 413 over 1 MB; api-version checked', async () => {
    await assert.rejects(
      new EventGridPublisherClient(cloudEndpoint, 'EventGrid', new AzureKeyCredential(key1), { tlsOptions: { ca: sandbox.ca }, retryOptions: { maxRetries: 0 } }).send([{ eventType: 'X', subject: 's', dataVersion: '1', data: {} }]),
      (e: RestError) => e.statusCode === 400 && /CloudEvent/.test(e.message),
    );
    const egKey = (await eg.topics.listKeys(RG, egTopic)).key1 as string;
    const egEndpoint = `${sandbox.armEndpoint}/eventgrid/westeurope/${egTopic}/api/events`;
    await assert.rejects(publisher(new AzureKeyCredential(egKey), egEndpoint).send([{ type: 'X', source: '/s', data: {} }]), (e: RestError) => e.statusCode === 400 && /Event Grid event/.test(e.message));
    await new EventGridPublisherClient(egEndpoint, 'EventGrid', new AzureKeyCredential(egKey), { tlsOptions: { ca: sandbox.ca } }).send([{ eventType: 'X', subject: 's', dataVersion: '1', data: {} }]);

    const big = 'x'.repeat(1024 * 1024);
    await assert.rejects(publisher(new AzureKeyCredential(key1)).send([{ type: 'Big', source: '/s', data: { big } }]), (e: RestError) => e.statusCode === 413);
    const half = 'y'.repeat(600 * 1024);
    await assert.rejects(
      publisher(new AzureKeyCredential(key1)).send([{ type: 'Half', source: '/s', data: { half } }, { type: 'Half', source: '/s', data: { half } }]),
      (e: RestError) => e.statusCode === 413 && /batch/.test(e.message),
    );
    await publisher(new AzureKeyCredential(key1)).send([{ type: 'Fits', source: '/s', data: { half } }]);
    const raw = await request(sandbox, 'POST', `${cloudEndpoint}?api-version=2024-01-01`, { headers: { 'aeg-sas-key': key1 }, body: [] });
    assert.equal(raw.status, 400);
    assert.equal((await request(sandbox, 'POST', `${cloudEndpoint}?api-version=2018-01-01`, { body: [] })).status, 401);
  });

  it('filters by event type and subject; a subscriber 500 is retried on the sandbox clock, none lost and none delivered twice', async () => {
    const h = await hook();
    await eg.subscriptions.createWebhookAndWait(scopeOf(cloudTopic), 'filtered', { endpointUrl: h.url(), includedEventTypes: ['Contoso.Wanted'], subjectBeginsWith: 'shares/', subjectEndsWith: '/s1' });
    const send = (type: string, subject: string, id: string) => publisher(new AzureKeyCredential(key1)).send([{ id, type, source: '/test', subject, data: { id } }]);
    h.failNext = 1;
    await send('Contoso.Wanted', 'shares/a/s1', 'e1');
    await send('Contoso.Other', 'shares/a/s1', 'e2');
    await send('Contoso.Wanted', 'other/a/s1', 'e3');
    await send('contoso.wanted', 'SHARES/b/S1', 'e4');
    await h.waitFor(() => h.receipts.filter((r: Receipt) => r.method === 'POST').length >= 2, 10_000, 'first attempts');
    let list = await deliveries(cloudTopic, 'filtered');
    assert.deepEqual(list.map((d) => d.eventId).sort(), ['e1', 'e4']);
    const pending = list.filter((d) => d.state === 'Pending');
    assert.equal(pending.length, 1, JSON.stringify(list));
    assert.deepEqual(pending[0].attempts.map((a) => a.status), [500]);
    // Not retried before its time (10 s on the sandbox clock), then delivered once.
    await sandbox.advanceClock(5);
    assert.equal(h.delivered.length, 1);
    await sandbox.advanceClock(6);
    await h.waitFor(() => h.delivered.length === 2, 10_000, 'the retried delivery');
    list = await deliveries(cloudTopic, 'filtered');
    assert.ok(list.every((d) => d.state === 'Delivered'), JSON.stringify(list));
    const retried = list.find((d) => d.attempts.length === 2);
    assert.deepEqual(retried?.attempts.map((a) => a.status), [500, 200]);
    const retriedReceipt = h.delivered.find((r) => (r.body as { id: string }).id === retried?.eventId);
    assert.equal(retriedReceipt?.headers['aeg-delivery-count'], '1');
    await sandbox.advanceClock(120);
    assert.deepEqual(h.events<{ id: string }>().map((e) => e.id).sort(), ['e1', 'e4']);
  });

  it('a subscriber that does not answer in time is retried on the schedule, and gets the event once', async () => {
    process.env.SANDBOX_EVENTGRID_TIMEOUT_MS = '400';
    try {
      const h = await hook();
      await eg.subscriptions.createWebhookAndWait(scopeOf(cloudTopic), 'slow', { endpointUrl: h.url(), subjectBeginsWith: 'slow/' });
      h.hangNext = 1;
      await publisher(new AzureKeyCredential(key1)).send([{ id: 'slow-1', type: 'Contoso.Slow', source: '/test', subject: 'slow/1', data: {} }]);
      let list: Awaited<ReturnType<typeof deliveries>> = [];
      const until = Date.now() + 10_000;
      while (!(list = await deliveries(cloudTopic, 'slow')).some((d) => d.attempts.length === 1) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.match(String((list[0].attempts[0] as { error?: string }).error), /no answer within 0.4 s/);
      assert.equal(list[0].state, 'Pending');
      await sandbox.advanceClock(11);
      await h.waitFor(() => h.delivered.length === 1, 10_000, 'the retried delivery');
      assert.equal((h.delivered[0].body as { id: string }).id, 'slow-1');
      assert.equal((await deliveries(cloudTopic, 'slow'))[0].state, 'Delivered');
    } finally {
      delete process.env.SANDBOX_EVENTGRID_TIMEOUT_MS;
    }
  });

  it('deleting the topic removes its subscriptions; its endpoint answers 404', async () => {
    await eg.topics.delete(RG, egTopic);
    await assert.rejects(eg.subscriptions.get(scopeOf(egTopic), 'auto'), /not found/i);
    const res = await request(sandbox, 'POST', `${sandbox.armEndpoint}/eventgrid/westeurope/${egTopic}/api/events?api-version=2018-01-01`, { headers: { 'aeg-sas-key': 'x' }, body: [] });
    assert.equal(res.status, 404);
  });
});
