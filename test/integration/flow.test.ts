/**
 * The whole Azure Data Share flow, provider (Contoso) -> consumer (Fabrikam), through the typed
 * clients of src/azure over HTTPS against a sandbox this file starts. One step per `it`, in order;
 * each asserts what a person would notice (status, names, bytes, counts, messages).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type AzureRequestError, type ProviderShareSubscription, type ShareSubscriptionSynchronization } from '../../src/azure';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import { rejection } from './support/errors';
import { DataShareFlow, FIRST_FILES, flowEnv, flowNames, FOURTH_FILE, type FlowEnv } from './support/flow';

const total = (files: Record<string, Buffer>) => Object.values(files).reduce((n, b) => n + b.length, 0);


describe('Data Share flow: provider -> consumer through src/azure against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let env: FlowEnv;
  let flow: DataShareFlow;
  let fullSync: ShareSubscriptionSynchronization;
  let incremental: ShareSubscriptionSynchronization;
  let psub: ProviderShareSubscription;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-flow-'));
    sandbox = await startSandbox({ port: 0, dataDir, seed: 'demo', quiet: true, lroRetryAfterSeconds: 0 });
    env = await flowEnv(sandbox);
    flow = new DataShareFlow(env, flowNames('flow'));
  });

  after(async () => {
    await sandbox?.stop();
    if (dataDir) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // ---- provider ------------------------------------------------------------------------------------

  it('provider: before registration, Data Share calls answer 409 MissingSubscriptionRegistration and nextStep says to register', async () => {
    const check = (err: AzureRequestError, what: string) => {
      assert.equal(err.statusCode, 409, what);
      assert.equal(err.code, 'MissingSubscriptionRegistration', what);
      assert.match(err.message, /not registered to use namespace 'Microsoft\.DataShare'/, what);
      assert.match(err.nextStep, /^Register Microsoft\.DataShare in this subscription/, what);
      assert.match(err.nextStep, /az provider register --namespace Microsoft\.DataShare/, what);
    };
    check(await rejection(env.provider.dataShare.accounts.get(flow.providerAccountRef)), 'Accounts_Get');
    // ARM answers 409 for subscription-level lists of an unregistered namespace too.
    check(await rejection(env.provider.dataShare.accounts.listBySubscription(env.providerSub).collect()), 'Accounts_ListBySubscription');
  });

  it('provider: registers Microsoft.DataShare', async () => {
    assert.equal(await flow.providerRegister(), 'Registered');
    assert.equal((await env.provider.resources(env.providerSub).providers.get('Microsoft.DataShare')).registrationState, 'Registered');
    const { items } = await env.provider.dataShare.accounts.listBySubscription(env.providerSub).collect();
    assert.deepEqual(items, []);
  });

  it('provider: creates a resource group, an HNS storage account and a container', async () => {
    const account = await flow.providerStorage();
    assert.equal(account.name, flow.names.providerStorage);
    assert.equal(account.provisioningState, 'Succeeded');
    assert.equal(account.isHnsEnabled, true);
    assert.equal(account.primaryEndpoints?.blob, `${env.cloud.blobEndpoint}/${flow.names.providerStorage}/`);
    const rg = await env.provider.resources(env.providerSub).resourceGroups.get(flow.names.providerRg);
    assert.equal(rg.location, 'westeurope');
    const containers = (await env.provider.storage(env.providerSub).containers.list(flow.names.providerRg, flow.names.providerStorage).collect()).items;
    assert.deepEqual(
      containers.map((c) => c.name),
      [flow.names.providerContainer],
    );
  });

  it('provider: uploads 3 files with storage-blob and a bearer token', async () => {
    await flow.providerDataRoleForSelf();
    await flow.upload(FIRST_FILES);
    const listed = new Map<string, number>();
    for await (const b of flow.providerBlob().list(flow.names.providerContainer)) {
      listed.set(b.name, b.size);
    }
    assert.deepEqual(
      [...listed.entries()].sort(),
      Object.entries(FIRST_FILES)
        .map(([n, b]) => [n, b.length])
        .sort(),
    );
  });

  it('provider: creates a Data Share account with a managed identity', async () => {
    const account = await flow.createProviderAccount();
    assert.equal(account.name, flow.names.providerAccount);
    assert.equal(account.type, 'Microsoft.DataShare/accounts');
    assert.equal(account.location, 'westeurope');
    assert.equal(account.properties?.provisioningState, 'Succeeded');
    assert.equal(account.identity.type, 'SystemAssigned');
    assert.match(account.identity.principalId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(account.identity.tenantId, env.providerTenantId);
  });

  it("provider: assigns Storage Blob Data Reader to the account's identity on the storage account", async () => {
    const first = await flow.grantReader();
    assert.equal(first.created, true);
    assert.equal(first.assignment?.principalId, flow.providerAccount?.identity.principalId);
    assert.match(first.assignment?.roleDefinitionId ?? '', /2a2b9908-6ea1-4ae2-8e65-a410df84e7d1$/);
    assert.equal(first.assignment?.scope?.toLowerCase(), flow.storageProvider?.id?.toLowerCase());
    const again = await flow.grantReader();
    assert.equal(again.created, false, 'a second run finds the assignment instead of adding one');
  });

  it('provider: creates a CopyBased share, a Container data set and a daily synchronization setting', async () => {
    const share = await flow.createShare();
    assert.equal(share.name, flow.names.share);
    assert.equal(share.properties?.shareKind, 'CopyBased');
    assert.equal(share.properties?.description, 'Monthly sales by region');
    const ds = await flow.createDataSet();
    assert.equal(ds.kind, 'Container');
    assert.match(ds.properties?.dataSetId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(ds.kind === 'Container' ? ds.properties.containerName : undefined, flow.names.providerContainer);
    const setting = await flow.createSyncSetting();
    assert.equal(setting.kind, 'ScheduleBased');
    assert.equal(setting.properties.recurrenceInterval, 'Day');
    assert.equal(Date.parse(setting.properties.synchronizationTime), Date.parse('2030-01-01T06:00:00Z'));
  });

  it("provider: invites the consumer's user by email", async () => {
    const inv = await flow.invite();
    assert.equal(inv.name, flow.names.invitation);
    assert.equal(inv.properties?.targetEmail, env.consumerEmail);
    assert.equal(inv.properties?.invitationStatus, 'Pending');
    assert.match(inv.properties?.invitationId ?? '', /^[0-9a-f-]{36}$/);
  });

  // ---- consumer ------------------------------------------------------------------------------------

  it('consumer: registers Microsoft.DataShare in its own subscription', async () => {
    assert.equal(await flow.consumerRegister(), 'Registered');
  });

  it('consumer: the user lists invitations and finds exactly that one; the provider tenant does not see it', async () => {
    const received = await flow.listInvitationsAsConsumer();
    assert.equal(received.length, 1);
    const inv = received[0];
    assert.equal(inv.properties.invitationId, flow.invitation?.properties?.invitationId);
    assert.equal(inv.properties.shareName, flow.names.share);
    assert.equal(inv.properties.providerTenantName, 'Contoso');
    assert.equal(inv.properties.invitationStatus, 'Pending');
    assert.equal(inv.properties.dataSetCount, 1);
    assert.equal(inv.properties.description, 'Monthly sales by region');
    assert.equal(inv.properties.termsOfUse, 'Internal analytics only');
    assert.ok(inv.properties.location, 'carries the location to accept with');
    await flow.findInvitation();

    const asProvider = (await env.provider.dataShare.consumerInvitations.list().collect()).items;
    assert.ok(!asProvider.some((i) => i.properties.invitationId === inv.properties.invitationId), "Contoso's token must not see an invitation addressed to Fabrikam");
  });

  it('consumer: creates its resource group, storage account, container and Data Share account', async () => {
    const storage = await flow.consumerStorage();
    assert.equal(storage.provisioningState, 'Succeeded');
    const account = await flow.createConsumerAccount();
    assert.equal(account.properties?.provisioningState, 'Succeeded');
    assert.match(account.identity.principalId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(account.identity.tenantId, env.consumerTenantId);
    assert.notEqual(account.identity.principalId, flow.providerAccount?.identity.principalId);
  });

  it("consumer: assigns Storage Blob Data Contributor to its account's identity on its storage", async () => {
    const res = await flow.grantContributor();
    assert.equal(res.created, true);
    assert.match(res.assignment?.roleDefinitionId ?? '', /ba92f5b4-2d11-453d-a403-e96b0029c9fe$/);
    assert.equal(res.assignment?.principalId, flow.consumerAccount?.identity.principalId);
  });

  it('consumer: accepts the invitation (share subscription is Active)', async () => {
    const ss = await flow.accept();
    assert.equal(ss.name, flow.names.shareSubscription);
    assert.equal(ss.properties.shareSubscriptionStatus, 'Active');
    assert.equal(ss.properties.shareName, flow.names.share);
    assert.equal(ss.properties.shareKind, 'CopyBased');
    assert.equal(ss.properties.providerTenantName, 'Contoso');
    assert.equal(ss.properties.invitationId, flow.invitation?.properties?.invitationId);
    const inv = await env.provider.dataShare.invitations.get({ ...flow.shareRef, invitationName: flow.names.invitation });
    assert.equal(inv.properties?.invitationStatus, 'Accepted');
    assert.equal((await flow.listInvitationsAsConsumer())[0].properties.invitationStatus, 'Accepted');
  });

  it("consumer: lists the source data sets and maps the container to its own container", async () => {
    const sources = await flow.listSources();
    assert.equal(sources.length, 1);
    assert.equal(sources[0].properties?.dataSetType, 'Container');
    assert.equal(sources[0].properties?.dataSetName, flow.names.dataSet);
    assert.equal(sources[0].properties?.dataSetId, flow.dataSet?.properties?.dataSetId);
    const mapping = await flow.map();
    assert.equal(mapping.kind, 'Container');
    assert.equal(mapping.properties.dataSetId, flow.dataSet?.properties?.dataSetId);
    assert.equal(mapping.properties.dataSetMappingStatus, 'Ok');
  });

  it('consumer: FullSync (LRO) succeeds and the consumer container holds the same bytes', async () => {
    fullSync = await flow.synchronize('FullSync');
    assert.equal(fullSync.status, 'Succeeded', fullSync.message);
    assert.equal(fullSync.synchronizationMode, 'FullSync');
    const blob = flow.consumerBlob();
    for (const [name, bytes] of Object.entries(FIRST_FILES)) {
      const got = await blob.download(flow.names.consumerContainer, name);
      assert.ok(got.equals(bytes), `${name}: ${got.length} bytes received, ${bytes.length} sent; contents must match`);
    }
    assert.equal((await flow.consumerBlobs()).size, 3);
  });

  it('consumer: listSynchronizations and details show 3 files and their sizes', async () => {
    const runs = (await env.consumerUser.dataShare.shareSubscriptions.listSynchronizations(flow.shareSubscriptionRef).collect()).items;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].synchronizationId, fullSync.synchronizationId);
    assert.equal(runs[0].status, 'Succeeded');
    assert.equal(runs[0].synchronizationMode, 'FullSync');
    assert.ok(typeof runs[0].durationMs === 'number' && runs[0].endTime);
    const details = (await env.consumerUser.dataShare.shareSubscriptions.listSynchronizationDetails(flow.shareSubscriptionRef, fullSync).collect()).items;
    assert.equal(details.length, 1);
    const d = details[0];
    assert.equal(d.name, flow.names.mapping);
    assert.equal(d.dataSetType, 'Container');
    assert.equal(d.filesRead, 3);
    assert.equal(d.filesWritten, 3);
    assert.equal(d.sizeRead, total(FIRST_FILES));
    assert.equal(d.sizeWritten, total(FIRST_FILES));
  });

  it('provider adds a 4th file; consumer Incremental copies exactly that one', async () => {
    await flow.upload(Object.fromEntries([FOURTH_FILE]));
    incremental = await flow.synchronize('Incremental');
    assert.equal(incremental.status, 'Succeeded', incremental.message);
    assert.equal(incremental.synchronizationMode, 'Incremental');
    const details = (await env.consumerUser.dataShare.shareSubscriptions.listSynchronizationDetails(flow.shareSubscriptionRef, incremental).collect()).items;
    assert.equal(details.length, 1);
    assert.equal(details[0].filesWritten, 1);
    assert.equal(details[0].sizeWritten, FOURTH_FILE[1].length);
    const blobs = await flow.consumerBlobs();
    assert.equal(blobs.size, 4);
    assert.equal(blobs.get(FOURTH_FILE[0]), FOURTH_FILE[1].length);
    assert.ok((await flow.consumerBlob().download(flow.names.consumerContainer, FOURTH_FILE[0])).equals(FOURTH_FILE[1]));
  });

  // ---- provider watches --------------------------------------------------------------------------

  it('provider: sees the consumer (tenant, email) and the synchronization history', async () => {
    const psubs = (await env.provider.dataShare.providerShareSubscriptions.listByShare(flow.shareRef).collect()).items;
    assert.equal(psubs.length, 1);
    psub = psubs[0];
    assert.equal(psub.properties?.consumerTenantName, 'Fabrikam');
    assert.equal(psub.properties?.consumerEmail, env.consumerEmail);
    assert.equal(psub.properties?.shareSubscriptionStatus, 'Active');

    const history = (await env.provider.dataShare.shares.listSynchronizations(flow.shareRef).collect()).items;
    assert.equal(history.length, 2);
    const ids = history.map((h) => h.synchronizationId).sort();
    assert.deepEqual(ids, [fullSync.synchronizationId, incremental.synchronizationId].sort());
    for (const h of history) {
      assert.equal(h.consumerEmail, env.consumerEmail);
      assert.equal(h.consumerTenantName, 'Fabrikam');
      assert.equal(h.status, 'Succeeded');
    }
    assert.deepEqual(history.map((h) => h.synchronizationMode).sort(), ['FullSync', 'Incremental']);
    const details = (await env.provider.dataShare.shares.listSynchronizationDetails(flow.shareRef, fullSync).collect()).items;
    assert.equal(details[0].name, flow.names.dataSet, 'the provider sees its data set name');
    assert.equal(details[0].filesWritten, 3);
  });

  it("provider revokes (LRO); the consumer's next synchronize fails, saying the share subscription was revoked", async () => {
    const revoked = await env.provider.dataShare.providerShareSubscriptions.revokeAndWait(flow.providerShareSubscriptionRef(psub.name as string));
    assert.equal(revoked.properties?.shareSubscriptionStatus, 'Revoked');
    const ss = await env.consumerUser.dataShare.shareSubscriptions.get(flow.shareSubscriptionRef);
    assert.equal(ss.properties.shareSubscriptionStatus, 'Revoked');

    const err = await rejection(flow.synchronize('Incremental'));
    assert.match(err.code, /Revoked/i);
    assert.match(err.message, /revoked/i);
    assert.match(err.message, /reinstate/i);
    assert.ok(err.nextStep.length > 0);
    // Retrying or refreshing cannot help: the next step must send the person to the provider.
    assert.match(err.nextStep, /provider|reinstate/i, `nextStep "${err.nextStep}" does not say what to do about a revoked share subscription`);
  });

  it('provider reinstates; a synchronization succeeds again', async () => {
    const reinstated = await env.provider.dataShare.providerShareSubscriptions.reinstate(flow.providerShareSubscriptionRef(psub.name as string));
    assert.equal(reinstated.properties?.shareSubscriptionStatus, 'Active');
    const again = await flow.synchronize('Incremental');
    assert.equal(again.status, 'Succeeded', again.message);
    const details = (await env.consumerUser.dataShare.shareSubscriptions.listSynchronizationDetails(flow.shareSubscriptionRef, again).collect()).items;
    assert.equal(details[0].filesWritten, 0, 'nothing changed since the last snapshot');
    assert.equal((await flow.consumerBlobs()).size, 4);
    // Both histories were listed before this run: the listings show it at once, newest first (the
    // sandbox keeps ordered views of long histories only while nothing changes).
    const newestFirst = { orderby: 'startTime desc' };
    const consumerSide = (await env.consumerUser.dataShare.shareSubscriptions.listSynchronizations(flow.shareSubscriptionRef, newestFirst).collect()).items;
    const providerSide = (await env.provider.dataShare.shares.listSynchronizations(flow.shareRef, newestFirst).collect()).items;
    assert.equal(consumerSide[0].synchronizationId, again.synchronizationId);
    assert.equal(providerSide[0].synchronizationId, again.synchronizationId);
    assert.ok(providerSide.some((h) => h.synchronizationId === fullSync.synchronizationId) && providerSide.length >= 3, 'the earlier runs are still listed');
  });
});
