/**
 * What goes wrong in the Data Share flow, as a person sees it through src/azure against the
 * sandbox: cross-tenant access, invalid names, a snapshot whose provider identity lacks its role,
 * and the whole flow under throttling / 503 faults (it completes, nothing is created twice).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type FaultRule, type RunningSandbox } from '../../src/sandbox';
import { rejection } from './support/errors';
import { DataShareFlow, FIRST_FILES, flowEnv, flowNames, FOURTH_FILE, LOCATION, type FlowEnv } from './support/flow';


describe('Data Share flow: errors and faults through src/azure against the sandbox', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let env: FlowEnv;
  let flow: DataShareFlow;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-flow-errors-'));
    sandbox = await startSandbox({ port: 0, dataDir, seed: 'demo', quiet: true, lroRetryAfterSeconds: 0 });
    env = await flowEnv(sandbox);
    flow = new DataShareFlow(env, flowNames('err'));
    await flow.providerRegister();
    await flow.providerStorage();
    await flow.consumerRegister();
  });

  after(async () => {
    sandbox?.setFaults([]);
    await sandbox?.stop();
    if (dataDir) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("cross-tenant: Fabrikam's credential reading Contoso's resource group gets 403 InvalidAuthenticationTokenTenant with a next step", async () => {
    const err = await rejection(env.consumer.resources(env.providerSub).resourceGroups.get(flow.names.providerRg));
    assert.equal(err.statusCode, 403);
    assert.equal(err.code, 'InvalidAuthenticationTokenTenant');
    assert.ok(err.message.includes(env.providerTenantId), 'names the tenant that owns the subscription');
    assert.match(err.nextStep, /sign in to the owning tenant/i);
    // The user fares no better, and Data Share is no exception.
    const viaDataShare = await rejection(env.consumerUser.dataShare.accounts.listByResourceGroup({ subscriptionId: env.providerSub, resourceGroupName: flow.names.providerRg }).collect());
    assert.equal(viaDataShare.statusCode, 403);
    assert.equal(viaDataShare.code, 'InvalidAuthenticationTokenTenant');
    assert.ok(viaDataShare.nextStep);
  });

  it('bad names are refused with Azure codes: storage account Bad_Name -> AccountNameInvalid; container with uppercase -> ContainerOperationFailure', async () => {
    const storage = env.provider.storage(env.providerSub);
    const bad = await rejection(storage.accounts.createAndWait(flow.names.providerRg, 'Bad_Name', { location: LOCATION, kind: 'StorageV2', sku: { name: 'Standard_LRS' } }));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.code, 'AccountNameInvalid');
    assert.match(bad.message, /Bad_Name/);
    assert.match(bad.nextStep, /3-24 characters of lowercase letters and digits/);

    const upper = await rejection(storage.containers.create(flow.names.providerRg, flow.names.providerStorage, 'SalesData'));
    assert.equal(upper.statusCode, 400);
    assert.equal(upper.code, 'ContainerOperationFailure');
    assert.match(upper.message, /invalid characters/);
    assert.ok(upper.nextStep);
    const containers = (await storage.containers.list(flow.names.providerRg, flow.names.providerStorage).collect()).items.map((c) => c.name);
    assert.deepEqual(containers, [flow.names.providerContainer], 'nothing was created');
  });

  it('a snapshot whose provider account identity lacks Storage Blob Data Reader fails, naming the missing role; granting it fixes the next one', async () => {
    await flow.providerDataRoleForSelf();
    await flow.upload(FIRST_FILES);
    await flow.createProviderAccount();
    // no grantReader()
    await flow.createShare();
    await flow.createDataSet();
    await flow.invite();
    await flow.findInvitation();
    await flow.consumerStorage();
    await flow.createConsumerAccount();
    await flow.grantContributor();
    await flow.accept();
    await flow.map();

    const err = await rejection(flow.synchronize('FullSync'));
    assert.equal(err.code, 'SourceStoragePermissionDenied');
    assert.match(err.message, /Storage Blob Data Reader/);
    assert.ok(err.message.includes(flow.providerAccount?.identity.principalId as string), 'names the identity that lacks the role');
    assert.ok(err.message.toLowerCase().includes((flow.storageProvider?.id as string).toLowerCase()), 'names the storage account');
    assert.ok(err.nextStep);
    assert.equal((await flow.consumerBlobs()).size, 0, 'nothing was copied');

    const runs = (await env.consumerUser.dataShare.shareSubscriptions.listSynchronizations(flow.shareSubscriptionRef).collect()).items;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'Failed');
    assert.match(runs[0].message ?? '', /Storage Blob Data Reader/);
    const providerView = (await env.provider.dataShare.shares.listSynchronizations(flow.shareRef).collect()).items;
    assert.equal(providerView[0].status, 'Failed');
    assert.match(providerView[0].message ?? '', /Storage Blob Data Reader/);

    await flow.grantReader();
    const ok = await flow.synchronize('FullSync');
    assert.equal(ok.status, 'Succeeded', ok.message);
    assert.equal((await flow.consumerBlobs()).size, 3);
  });

  describe('faults: 10% of ARM requests (and once each: role assignment, accept, invitation, synchronize) answer 429 (Retry-After 0 or 1) or 503', () => {
    let faulted: DataShareFlow;
    let injected = 0;
    let seen = 0;

    before(() => {
      const faults = sandbox.core.faults;
      const decide = faults.decide.bind(faults);
      faults.decide = (method, p) => {
        const d = decide(method, p);
        seen++;
        if (d.error) {
          injected++;
        }
        return d;
      };
      const rules: FaultRule[] = [
        // Once each, for sure, on the calls a careless retry could duplicate:
        { pattern: '/roleAssignments/[^/]+$', methods: ['PUT'], rate: 1, kind: 'throttle', retryAfterSeconds: 1, count: 1 },
        { pattern: '/shareSubscriptions/[^/]+$', methods: ['PUT'], rate: 1, kind: 'error503', retryAfterSeconds: 0, count: 1 },
        { pattern: '/synchronize$', methods: ['POST'], rate: 1, kind: 'throttle', retryAfterSeconds: 0, count: 2 },
        { pattern: '/invitations/[^/]+$', methods: ['PUT'], rate: 1, kind: 'error503', retryAfterSeconds: 1, count: 1 },
        // and 10% of everything:
        { pattern: '.*', rate: 0.05, kind: 'throttle', retryAfterSeconds: 0 },
        { pattern: '.*', rate: 0.03, kind: 'throttle', retryAfterSeconds: 1 },
        { pattern: '.*', rate: 0.02, kind: 'error503', retryAfterSeconds: 0 },
      ];
      sandbox.setFaults(rules);
      faulted = new DataShareFlow(env, flowNames('flt'));
    });

    after(() => sandbox.setFaults([]));

    it('the whole provider + consumer flow completes with fresh names', async () => {
      await faulted.provide(FIRST_FILES);
      await faulted.receive();
      const full = await faulted.synchronize('FullSync');
      assert.equal(full.status, 'Succeeded', full.message);
      await faulted.upload(Object.fromEntries([FOURTH_FILE]));
      const inc = await faulted.synchronize('Incremental');
      assert.equal(inc.status, 'Succeeded', inc.message);
      const blobs = await faulted.consumerBlobs();
      assert.equal(blobs.size, 4);
      for (const [name, bytes] of [...Object.entries(FIRST_FILES), FOURTH_FILE]) {
        assert.ok((await faulted.consumerBlob().download(faulted.names.consumerContainer, name)).equals(bytes), name);
      }
      assert.ok(injected > 0, 'faults were injected');
    });

    it('listing afterwards shows every resource exactly once', async () => {
      const p = env.provider.dataShare;
      const c = env.consumerUser.dataShare;
      const n = faulted.names;
      const count = async (it: { collect(): Promise<{ items: unknown[] }> }) => (await it.collect()).items.length;
      assert.equal(await count(p.accounts.listByResourceGroup({ subscriptionId: env.providerSub, resourceGroupName: n.providerRg })), 1, 'provider Data Share accounts');
      assert.equal(await count(p.shares.listByAccount(faulted.providerAccountRef)), 1, 'shares');
      assert.equal(await count(p.dataSets.listByShare(faulted.shareRef)), 1, 'data sets');
      assert.equal(await count(p.synchronizationSettings.listByShare(faulted.shareRef)), 1, 'synchronization settings');
      assert.equal(await count(p.invitations.listByShare(faulted.shareRef)), 1, 'invitations');
      assert.equal(await count(p.providerShareSubscriptions.listByShare(faulted.shareRef)), 1, 'provider share subscriptions');
      assert.equal(await count(p.shares.listSynchronizations(faulted.shareRef)), 2, 'synchronizations seen by the provider (FullSync + Incremental)');
      assert.equal(await count(c.accounts.listByResourceGroup({ subscriptionId: env.consumerSub, resourceGroupName: n.consumerRg })), 1, 'consumer Data Share accounts');
      assert.equal(await count(c.shareSubscriptions.listByAccount(faulted.consumerAccountRef)), 1, 'share subscriptions');
      assert.equal(await count(c.dataSetMappings.listByShareSubscription(faulted.shareSubscriptionRef)), 1, 'mappings');
      assert.equal(await count(c.shareSubscriptions.listSynchronizations(faulted.shareSubscriptionRef)), 2, 'synchronizations seen by the consumer');
      const received = (await c.consumerInvitations.list().collect()).items.filter((i) => i.properties.shareName === n.share);
      assert.equal(received.length, 1, 'invitations received for the share');

      assert.equal(await count(env.provider.storage(env.providerSub).accounts.listByResourceGroup(n.providerRg)), 1, 'provider storage accounts');
      assert.equal(await count(env.consumer.storage(env.consumerSub).accounts.listByResourceGroup(n.consumerRg)), 1, 'consumer storage accounts');
      assert.equal(await count(env.provider.storage(env.providerSub).containers.list(n.providerRg, n.providerStorage)), 1, 'provider containers');

      const assignments = async (clients: FlowEnv['provider'], sub: string, scope: string, principalId: string) =>
        (await clients.authorization(sub).listForPrincipal(scope, principalId).collect()).items.filter((a) => a.scope?.toLowerCase() === scope.toLowerCase());
      const reader = await assignments(env.provider, env.providerSub, faulted.storageProvider?.id as string, faulted.providerAccount?.identity.principalId as string);
      assert.deepEqual(
        reader.map((a) => a.roleDefinitionId?.split('/').pop()),
        ['2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'],
        'one Storage Blob Data Reader assignment for the provider account identity',
      );
      const contributor = await assignments(env.consumer, env.consumerSub, faulted.storageConsumer?.id as string, faulted.consumerAccount?.identity.principalId as string);
      assert.deepEqual(
        contributor.map((a) => a.roleDefinitionId?.split('/').pop()),
        ['ba92f5b4-2d11-453d-a403-e96b0029c9fe'],
        'one Storage Blob Data Contributor assignment for the consumer account identity',
      );
      console.log(`      (faults injected: ${injected} of ${seen} ARM requests)`);
    });
  });
});
