/**
 * Microsoft.DataShare snapshots on the fake sandbox: permission rules, revoke / reinstate, expiry,
 * triggers firing on the sandbox clock, cancellation, unsupported kinds, restart recovery, paging.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of ARM responses are checked field by field */
import * as assert from 'node:assert/strict';
import { DataShareWorld, assertSwagger } from './support/dataShareWorld';

const HOUR = 3_600_000;

describe('sandbox Microsoft.DataShare: snapshot permissions', () => {
  it("fails when the provider account's identity lacks Storage Blob Data Reader on the source", async () => {
    const w = new DataShareWorld();
    await w.ready({ reader: false });
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Failed');
    assert.equal(op.error?.code, 'SourceStoragePermissionDenied');
    assert.match(op.error!.message, /Storage Blob Data Reader/);
    assert.ok(op.error!.message.includes(w.pMi), 'names the principal id');
    assert.ok(op.error!.message.includes(w.srcStorage), 'names the scope');
    assert.ok(op.error!.message.includes('2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'));
    assert.equal(w.sb.blobs.copies, 0);
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    assert.equal(runs[0].status, 'Failed');
    assert.match(runs[0].message, /Storage Blob Data Reader/);
    const d = await w.details(runs[0].synchronizationId);
    assert.equal(d[0].status, 'Failed');
    assert.match(d[0].message, /Storage Blob Data Reader/);

    // Granting the role fixes it.
    w.grantReader();
    const again = await w.synchronize();
    assert.equal(again.op.status, 'Succeeded', JSON.stringify(again.op.error));
  });

  it("fails when the consumer account's identity lacks Storage Blob Data Contributor on the target", async () => {
    const w = new DataShareWorld();
    await w.ready({ contributor: false });
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Failed');
    assert.equal(op.error?.code, 'TargetStoragePermissionDenied');
    assert.match(op.error!.message, /Storage Blob Data Contributor/);
    assert.ok(op.error!.message.includes(w.cMi));
    assert.ok(op.error!.message.includes(w.dstStorage));
    // A Reader role on the target is not enough.
    w.sb.authorization.grant(w.cMi, w.dstStorage, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1');
    assert.equal((await w.synchronize()).op.status, 'Failed');
    // A role at the resource group scope counts.
    w.sb.authorization.grant(w.cMi, `/subscriptions/${w.C.subscriptionId}/resourceGroups/${w.rgC}`, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe');
    assert.equal((await w.synchronize()).op.status, 'Succeeded');
  });

  it('fails snapshots of kinds the sandbox cannot back with data, naming the kind', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    w.grantReader();
    await w.ok('PUT', w.share, { properties: {} }, w.P.user, 201);
    const sql = await w.ok('PUT', `${w.share}/dataSets/sql`, { kind: 'SqlDBTable', properties: { sqlServerResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/srv', databaseName: 'db', schemaName: 'dbo', tableName: 't' } }, w.P.user, 201);
    const blob = await w.ok('PUT', `${w.share}/dataSets/blob`, w.containerDataSet(), w.P.user, 201);
    const inv = await w.invite();
    await w.consumerAccount();
    w.grantContributor();
    await w.accept(inv.properties.invitationId);
    await w.ok('PUT', `${w.ss}/dataSetMappings/a-sql`, { kind: 'SqlDBTable', properties: { dataSetId: sql.properties.dataSetId, sqlServerResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/mine', databaseName: 'db', schemaName: 'dbo', tableName: 't' } }, w.C.user, 201);
    await w.map(blob.properties.dataSetId, 'Container', { containerName: 'landing' }, 'b-blob');
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Failed');
    assert.equal(op.error?.code, 'DataSetKindNotSupportedBySandbox');
    assert.match(op.error!.message, /SqlDBTable/);
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    const d = await w.details(runs[0].synchronizationId);
    assert.deepEqual(d.map((x: any) => [x.name, x.status]), [['a-sql', 'Failed'], ['b-blob', 'Succeeded']]);
    assert.equal(w.sb.blobs.names('fabrikamlanding', 'landing').length, 3, 'the storage data set was still copied');
  });

  it('explains an Azure-invalid container name instead of a storage error', async () => {
    const w = new DataShareWorld();
    await w.ready({ mapping: { kind: 'Container', extra: { containerName: 'C1' } } });
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Failed');
    assert.equal(op.error?.code, 'InvalidContainerName');
    assert.match(op.error!.message, /'C1'.*lowercase/);
  });

  it('refuses to start without mappings, and while another snapshot runs', async () => {
    const w = new DataShareWorld();
    await w.ready();
    await w.ok('DELETE', `${w.ss}/dataSetMappings/sales-map`, undefined, w.C.user, 200);
    const none = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: { synchronizationMode: 'FullSync' } });
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'NoDataSetMappings');
    assertSwagger('ShareSubscriptions_Synchronize', 400, none.body);
    const bad = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: { synchronizationMode: 'Sometimes' } });
    assert.equal(bad.status, 400);
  });
});

describe('sandbox Microsoft.DataShare: revoke, reinstate, expiry', () => {
  it('revoke blocks the consumer until the provider reinstates', async () => {
    const w = new DataShareWorld();
    await w.ready();
    const [psub] = await w.psubs();
    const rev = await w.sb.call('POST', `${w.share}/providerShareSubscriptions/${psub.name}/revoke`, { as: w.P.user });
    assert.equal(rev.status, 202);
    assertSwagger('ProviderShareSubscriptions_Revoke', 202, rev.body);
    assert.equal(rev.body.properties.shareSubscriptionStatus, 'Revoking');
    await w.sb.settle();
    const op = w.sb.operations.of(rev);
    assert.equal(op.status, 'Succeeded');
    assertSwagger('ProviderShareSubscriptions_Revoke', 200, op.result);
    assert.equal((op.result as any).properties.shareSubscriptionStatus, 'Revoked');
    const ss = await w.ok('GET', w.ss, undefined, w.C.user);
    assert.equal(ss.properties.shareSubscriptionStatus, 'Revoked');

    const sync = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: { synchronizationMode: 'FullSync' } });
    assert.equal(sync.status, 409);
    assert.equal(sync.body.error.code, 'ShareSubscriptionRevoked');
    assert.match(sync.body.error.message, /reinstate/);
    assert.match(sync.body.error.message, /ava@contoso\.example/);

    const again = await w.sb.call('POST', `${w.share}/providerShareSubscriptions/${psub.name}/revoke`, { as: w.P.user });
    assert.equal(again.status, 200, 'revoking a revoked subscription is a no-op');

    const re = await w.ok('POST', `${w.share}/providerShareSubscriptions/${psub.name}/reinstate`, {}, w.P.user, 200, 'ProviderShareSubscriptions_Reinstate');
    assert.equal(re.properties.shareSubscriptionStatus, 'Active');
    const twice = await w.sb.call('POST', `${w.share}/providerShareSubscriptions/${psub.name}/reinstate`, { as: w.P.user, body: {} });
    assert.equal(twice.status, 409);
    const { op: syncOp } = await w.synchronize();
    assert.equal(syncOp.status, 'Succeeded');
  });

  it('expiry on the sandbox clock blocks snapshots; adjust and reinstate extend it', async () => {
    const w = new DataShareWorld();
    await w.ready();
    const [psub] = await w.psubs();
    const base = `${w.share}/providerShareSubscriptions/${psub.name}`;
    const past = await w.sb.call('POST', `${base}/adjust`, { as: w.P.user, body: { properties: { expirationDate: '2020-01-01T00:00:00Z' } } });
    assert.equal(past.status, 400);
    const missing = await w.sb.call('POST', `${base}/adjust`, { as: w.P.user, body: { properties: {} } });
    assert.equal(missing.status, 400);
    const exp = new Date(w.sb.clock.now().getTime() + HOUR).toISOString();
    const adj = await w.ok('POST', `${base}/adjust`, { properties: { expirationDate: exp } }, w.P.user, 200, 'ProviderShareSubscriptions_Adjust');
    assert.equal(adj.properties.expirationDate, exp);
    const ss = await w.ok('GET', w.ss, undefined, w.C.user);
    assert.equal(ss.properties.expirationDate, exp, 'the consumer sees the new expiry');
    assert.equal((await w.synchronize()).op.status, 'Succeeded');

    w.sb.clock.advance(2 * HOUR);
    const expired = await w.ok('GET', w.ss, undefined, w.C.user);
    assert.equal(expired.properties.shareSubscriptionStatus, 'Revoked');
    const sync = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: {} });
    assert.equal(sync.status, 409);
    assert.equal(sync.body.error.code, 'ShareSubscriptionExpired');
    assert.ok(sync.body.error.message.includes(exp));
    assert.match(sync.body.error.message, /extend it \(adjust\) or reinstate/);

    const noDate = await w.sb.call('POST', `${base}/reinstate`, { as: w.P.user, body: {} });
    assert.equal(noDate.status, 400, 'an expired subscription needs a new date');
    const later = new Date(w.sb.clock.now().getTime() + 24 * HOUR).toISOString();
    const re = await w.ok('POST', `${base}/reinstate`, { properties: { expirationDate: later } }, w.P.user, 200);
    assert.equal(re.properties.shareSubscriptionStatus, 'Active');
    assert.equal((await w.synchronize()).op.status, 'Succeeded');
  });
});

describe('sandbox Microsoft.DataShare: schedules', () => {
  it('a trigger fires a snapshot at each due time of the sandbox clock', async () => {
    const w = new DataShareWorld();
    await w.ready();
    const noSetting = await w.sb.call('PUT', `${w.ss}/triggers/hourly`, { as: w.C.user, body: { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Hour', synchronizationTime: '2030-01-01T00:30:00Z' } } });
    assert.equal(noSetting.status, 400);
    assert.equal(noSetting.body.error.code, 'SourceSynchronizationSettingNotFound');

    await w.ok('PUT', `${w.share}/synchronizationSettings/hourly`, { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Hour', synchronizationTime: '2030-01-01T00:30:00Z' } }, w.P.user, 201, 'SynchronizationSettings_Create');
    const src = await w.ok('POST', `${w.ss}/listSourceShareSynchronizationSettings`, undefined, w.C.user, 200, 'ShareSubscriptions_ListSourceShareSynchronizationSettings');
    assert.deepEqual(src.value, [{ kind: 'ScheduleBased', properties: { recurrenceInterval: 'Hour', synchronizationTime: '2030-01-01T00:30:00.000Z' } }]);
    const t = await w.ok('PUT', `${w.ss}/triggers/hourly`, { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Hour', synchronizationTime: '2030-01-01T00:30:00Z', synchronizationMode: 'Incremental' } }, w.C.user, 201, 'Triggers_Create');
    assert.equal(t.properties.triggerStatus, 'Active');

    await w.sb.tick(); // 00:00: nothing due yet
    assert.equal(w.sb.blobs.copies, 0);
    w.sb.clock.set('2030-01-01T00:31:00Z');
    await w.sb.tick();
    assert.equal(w.sb.blobs.copies, 3, 'the 00:30 run copied everything (first incremental)');
    await w.sb.tick();
    assert.equal(w.sb.blobs.copies, 3, 'the same due time does not fire twice');
    w.sb.blobs.upload('contosodata', 'sales', '2024/mar.csv', 'new');
    w.sb.clock.set('2030-01-01T01:30:00Z');
    await w.sb.tick();
    assert.equal(w.sb.blobs.copies, 4, 'the 01:30 run copied only the new blob');
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r: any) => r.status === 'Succeeded' && r.synchronizationMode === 'Incremental'));

    // Provider deletes the schedule: the trigger stops.
    await w.ok('DELETE', `${w.share}/synchronizationSettings/hourly`, undefined, w.P.user, 200);
    const stopped = await w.ok('GET', `${w.ss}/triggers/hourly`, undefined, w.C.user, 200, 'Triggers_Get');
    assert.equal(stopped.properties.triggerStatus, 'SourceSynchronizationSettingDeleted');
    w.sb.clock.set('2030-01-01T05:00:00Z');
    await w.sb.tick();
    assert.equal((await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value.length, 2);
    const list = await w.ok('GET', `${w.ss}/triggers`, undefined, w.C.user, 200, 'Triggers_ListByShareSubscription');
    assert.equal(list.value.length, 1);
    const del = await w.ok('DELETE', `${w.ss}/triggers/hourly`, undefined, w.C.user, 200, 'Triggers_Delete');
    assert.equal(del.status, 'Succeeded');
  });

  it('a daily trigger catches up once after a clock jump, and a revoked subscription does not fire', async () => {
    const w = new DataShareWorld();
    await w.ready();
    await w.ok('PUT', `${w.share}/synchronizationSettings/daily`, { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: '2029-06-01T06:00:00Z' } }, w.P.user, 201);
    await w.ok('PUT', `${w.ss}/triggers/daily`, { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: '2029-06-01T06:00:00Z', synchronizationMode: 'FullSync' } }, w.C.user, 201);
    w.sb.clock.advance(3 * 24 * HOUR); // three due times passed while the sandbox was off
    await w.sb.tick();
    await w.sb.tick();
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].synchronizationMode, 'FullSync');

    const [psub] = await w.psubs();
    await w.sb.call('POST', `${w.share}/providerShareSubscriptions/${psub.name}/revoke`, { as: w.P.user });
    await w.sb.settle();
    const trig = await w.ok('GET', `${w.ss}/triggers/daily`, undefined, w.C.user);
    assert.equal(trig.properties.triggerStatus, 'Inactive');
    w.sb.clock.advance(24 * HOUR);
    await w.sb.tick();
    assert.equal((await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value.length, 1);
  });
});

describe('sandbox Microsoft.DataShare: cancel, recovery, paging', () => {
  it('cancelSynchronization stops a running snapshot', async () => {
    const w = new DataShareWorld();
    await w.ready();
    w.sb.blobs.copyDelayMs = 30;
    const res = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: { synchronizationMode: 'FullSync' } });
    const syncId = res.body.synchronizationId;
    await new Promise((r) => setTimeout(r, 10));
    const busy = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: {} });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'SynchronizationInProgress');
    const cancel = await w.sb.call('POST', `${w.ss}/cancelSynchronization`, { as: w.C.user, body: { synchronizationId: syncId } });
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    assertSwagger('ShareSubscriptions_CancelSynchronization', 202, cancel.body);
    await w.sb.settle();
    const cancelOp = w.sb.operations.of(cancel);
    assert.equal(cancelOp.status, 'Succeeded');
    assert.equal((cancelOp.result as any).status, 'Canceled');
    const syncOp = w.sb.operations.of(res);
    assert.equal(syncOp.status, 'Failed');
    assert.equal(syncOp.error?.code, 'SynchronizationCanceled');
    assert.ok(w.sb.blobs.copies < 3);
    const done = await w.ok('POST', `${w.ss}/cancelSynchronization`, { synchronizationId: syncId }, w.C.user, 200, 'ShareSubscriptions_CancelSynchronization');
    assert.equal(done.status, 'Canceled');
    const unknown = await w.sb.call('POST', `${w.ss}/cancelSynchronization`, { as: w.C.user, body: { synchronizationId: 'nope' } });
    assert.equal(unknown.status, 404);
  });

  it('revoking cancels a running snapshot', async () => {
    const w = new DataShareWorld();
    await w.ready();
    w.sb.blobs.copyDelayMs = 30;
    const res = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: { synchronizationMode: 'FullSync' } });
    await new Promise((r) => setTimeout(r, 10));
    const [psub] = await w.psubs();
    await w.sb.call('POST', `${w.share}/providerShareSubscriptions/${psub.name}/revoke`, { as: w.P.user });
    await w.sb.settle();
    assert.equal(w.sb.operations.of(res).status, 'Failed');
    assert.match(w.sb.operations.of(res).error!.message, /revoked/);
  });

  it('after a restart, snapshots that were running are marked Failed and revokes complete', async () => {
    const w = new DataShareWorld();
    await w.ready();
    const [psub] = await w.psubs();
    // Simulate a crash: records left InProgress/Revoking by a dead process.
    const rec = { key: `${w.ss.toLowerCase()}/synchronizations/dead`, synchronizationId: 'dead', shareSubscriptionId: w.ss, providerShareId: w.share, providerShareUid: 'x', consumerName: 'b', consumerEmail: 'b', consumerTenantName: 'F', status: 'InProgress', startTime: w.sb.clock.now().toISOString(), synchronizationMode: 'FullSync', initiatedBy: 'Manual', details: [] };
    w.sb.store.put('datashare-synchronizations', rec.key, rec);
    const pkey = `${w.share}/providerShareSubscriptions/${psub.name}`.toLowerCase();
    const stored = w.sb.store.get<any>('resources', pkey);
    stored.properties.shareSubscriptionStatus = 'Revoking';
    w.sb.store.put('resources', pkey, stored);
    await w.sb.rp.onStart?.(w.sb.ctx);
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    assert.equal(runs[0].status, 'Failed');
    assert.match(runs[0].message, /stopped while this snapshot was running/);
    assert.equal((await w.psubs())[0].properties.shareSubscriptionStatus, 'Revoked');
  });

  it('pages long lists with nextLink (also for POST list actions followed with GET)', async () => {
    const w = new DataShareWorld();
    await w.ready();
    for (let i = 0; i < 55; i++) w.sb.blobs.upload('contosodata', 'sales', `bulk/${String(i).padStart(3, '0')}.csv`, 'x');
    for (let i = 0; i < 51; i++) await w.ok('PUT', `${w.pAccount}/shares/s${String(i).padStart(2, '0')}`, { properties: {} }, w.P.user, 201);
    const first = await w.ok('GET', `${w.pAccount}/shares`, undefined, w.P.user, 200, 'Shares_ListByAccount');
    assert.equal(first.value.length, 50);
    assert.ok(first.nextLink.startsWith(w.sb.baseUrl));
    const next = await w.ok('GET', first.nextLink.slice(w.sb.baseUrl.length), undefined, w.P.user, 200);
    assert.equal(next.value.length, 2);
    assert.equal(next.nextLink, undefined);
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Succeeded');
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    const d = await w.details(runs[0].synchronizationId);
    assert.equal(d[0].filesWritten, 58);
    // A nextLink of a POST list action is followed with GET: the synchronizationId rides in the query.
    const viaGet = await w.ok('GET', `${w.ss}/listSynchronizationDetails?synchronizationId=${runs[0].synchronizationId}`, undefined, w.C.user, 200);
    assert.equal(viaGet.value[0].filesWritten, 58);
  });
});
