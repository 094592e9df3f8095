/**
 * Event notifications inside a real VS Code, against the sandbox the extension starts: Create Event
 * Topic… provisions the CloudEvents topic, Subscribe a Webhook to Events… refuses a plain-http URL
 * with its rule and subscribes an HTTPS webhook that answers the validation handshake, and Watch
 * for Changes starts the watcher (Stop Watching stops it). Effects are checked through the clients.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { startSandboxFromEditor } from './sandboxStart';
import type { ExtensionApi } from '../../src/ui/activate';
import type { SandboxTenant } from '../../src/auth/sandbox';
import { createRecipeEnv, type RecipeEnv } from '../../src/workflows/env';
import type { RecipePlan } from '../../src/workflows/plan';
import { topicArmId } from '../../src/workflows/events';
import { TestWebhook } from '../integration/support/webhook';

interface Result { ok: boolean; summary?: string; error?: string; [k: string]: unknown }

const run = (command: string, answers: Record<string, unknown>) =>
  vscode.commands.executeCommand<Result | undefined>(`governedDataShare.${command}`, { answers, confirm: true });

describe('Event notifications commands against the sandbox', function () {
  this.timeout(300000);
  let api: ExtensionApi;
  let env: RecipeEnv;
  let hook: TestWebhook;
  const s = crypto.randomBytes(3).toString('hex');
  const topic = `gds-ext-${s}`;
  let answers: Record<string, string>;
  const latest = () => api.activities()[0];

  before(async () => {
    let file: string;
    let contoso: SandboxTenant;
    let fabrikam: SandboxTenant;
    ({ api, file, contoso, fabrikam } = await startSandboxFromEditor());
    const plan: RecipePlan = {
      version: 1, target: 'sandbox', location: 'westeurope',
      provider: { tenantId: contoso.tenantId, subscriptionId: contoso.subscriptions[0].subscriptionId, identity: 'user', resourceGroup: `events-${s}`, storageAccount: `evt${s}`, container: 'shared', dataShareAccount: `evt-${s}` },
      consumer: { tenantId: fabrikam.tenantId, subscriptionId: fabrikam.subscriptions[0].subscriptionId, identity: 'user', resourceGroup: `evtc-${s}`, storageAccount: `evtc${s}`, container: 'landing', dataShareAccount: `evtc-${s}` },
      share: { name: `sales-${s}`, datasets: [{ name: 'sales', kind: 'Folder', path: 'sales' }] },
      invitation: { name: 'to-fabrikam' },
      subscription: { name: `received-${s}` },
      notifications: { eventGrid: { topic } },
    };
    env = await createRecipeEnv(plan, { sandboxJson: file });
    hook = await new TestWebhook(path.dirname(file)).start();
    answers = { pTenant: contoso.tenantId, pSub: plan.provider.subscriptionId, pRg: plan.provider.resourceGroup, egTopic: topic };
  });

  after(async () => {
    await hook?.stop();
    await vscode.commands.executeCommand('governedDataShare.stopWatching');
  });

  it('Create Event Topic… provisions a CloudEvents topic (and says so in Activity)', async () => {
    const r = await run('createEventTopic', answers);
    assert.strictEqual(r?.ok, true, JSON.stringify(r));
    assert.strictEqual(latest()?.status, 'succeeded');
    const t = await env.provider.clients.eventGrid(env.provider.subscriptionId).topics.get(env.provider.plan.resourceGroup, topic);
    assert.strictEqual(t.inputSchema, 'CloudEventSchemaV1_0');
    assert.strictEqual(t.id?.toLowerCase(), topicArmId(env).toLowerCase());
  });

  it('Subscribe a Webhook to Events… refuses a plain-http URL, then subscribes an HTTPS webhook through the handshake', async () => {
    const bad = await run('subscribeWebhook', { ...answers, egSubscription: 'plain', egEndpoint: 'http://127.0.0.1:1/hook', egTypes: 'all' });
    assert.strictEqual(bad?.ok, false);
    assert.match(bad?.error ?? '', /https:\/\/ URL/);
    const r = await run('subscribeWebhook', { ...answers, egSubscription: 'ops-hook', egEndpoint: hook.url('/hook'), egTypes: ['GovernedDataShare.SnapshotFailed', 'GovernedDataShare.SnapshotSucceeded'] });
    assert.strictEqual(r?.ok, true, JSON.stringify(r));
    assert.ok(hook.receipts.some((x) => x.method === 'OPTIONS'), 'the CloudEvents handshake reached the webhook');
    const sub = await env.provider.clients.eventGrid(env.provider.subscriptionId).subscriptions.get(topicArmId(env), 'ops-hook');
    assert.strictEqual(sub.provisioningState, 'Succeeded');
    assert.deepStrictEqual([...(sub.filter?.includedEventTypes ?? [])].sort(), ['GovernedDataShare.SnapshotFailed', 'GovernedDataShare.SnapshotSucceeded']);
  });

  it('commands run from the editor publish to the topic named in the settings (Create Share… → ShareCreated)', async () => {
    const sub = await run('subscribeWebhook', { ...answers, egSubscription: 'share-hook', egEndpoint: hook.url('/shares'), egTypes: ['GovernedDataShare.ShareCreated'] });
    assert.strictEqual(sub?.ok, true, JSON.stringify(sub));
    await vscode.workspace.getConfiguration('governedDataShare').update('notifications.eventGridTopic', topic, vscode.ConfigurationTarget.Global);
    try {
      const side = { pTenant: answers.pTenant, pSub: answers.pSub, pRg: answers.pRg, pStorage: env.provider.plan.storageAccount, pContainer: 'shared', pDsAccount: env.provider.plan.dataShareAccount };
      const prov = await run('provisionProvider', { ...side, location: 'westeurope', pPurview: null, sampleData: false });
      assert.strictEqual(prov?.ok, true, JSON.stringify(prov));
      const shareName = `evshare-${s}`;
      const r = await run('createShare', { ...side, shareName, description: 'Events from the editor', terms: 'Internal use.' });
      assert.strictEqual(r?.ok, true, JSON.stringify(r));
      const deadline = Date.now() + 20000;
      const created = () => hook.events<{ type: string; subject: string }>().filter((e) => e.type === 'GovernedDataShare.ShareCreated' && e.subject.toLowerCase().endsWith(`/shares/${shareName}`));
      while (created().length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 250));
      assert.strictEqual(created().length, 1, `ShareCreated delivered once: ${JSON.stringify(hook.events())}`);
    } finally {
      await vscode.workspace.getConfiguration('governedDataShare').update('notifications.eventGridTopic', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Watch for Changes starts the watcher over the connected tenants; Stop Watching stops it', async () => {
    const r = await run('watchForChanges', {});
    assert.strictEqual(r?.ok, true, JSON.stringify(r));
    assert.match(r?.summary ?? '', /Watching 2 tenant\(s\) every 60 s/);
    assert.strictEqual((r?.watcher as { running: boolean }).running, true);
    const stopped = await run('stopWatching', {});
    assert.match(stopped?.summary ?? '', /The watcher stopped/);
  });
});
