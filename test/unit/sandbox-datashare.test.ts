/**
 * Microsoft.DataShare provider of the sandbox, at handler level on a fake SandboxContext:
 * the provider -> consumer flow, invitation visibility per tenant, validation errors, cascades.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of ARM responses are checked field by field */
import * as assert from 'node:assert/strict';
import { DataShareWorld, accountPath, assertSwagger } from './support/dataShareWorld';

describe('sandbox Microsoft.DataShare: provider -> consumer flow', () => {
  it('shares a container end to end and copies the real blobs', async () => {
    const w = new DataShareWorld();
    const account = await w.providerAccount();
    assert.equal(account.type, 'Microsoft.DataShare/accounts');
    assert.equal(account.properties.provisioningState, 'Succeeded');
    assert.equal(account.identity.tenantId, w.P.tenantId);
    assert.ok(w.sb.directory.object(account.identity.principalId), 'the managed identity exists in the directory');
    assert.equal(account.id, w.pAccount);
    assert.equal(account.systemData.createdBy, w.P.user.email);

    w.grantReader();
    const ds = await w.shareWith();
    assert.match(ds.properties.dataSetId, /^[0-9a-f-]{36}$/);
    assert.equal(ds.type, 'Microsoft.DataShare/accounts/shares/dataSets');

    const inv = await w.invite();
    assert.equal(inv.properties.invitationStatus, 'Pending');
    assert.equal(inv.properties.targetEmail, w.C.user.email);
    assert.equal(inv.properties.respondedAt, null);

    // The consumer sees it in its tenant, with the share's description and terms.
    const list = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.C.user, 200, 'ConsumerInvitations_ListInvitations');
    assert.equal(list.value.length, 1);
    const ci = list.value[0];
    assert.equal(ci.properties.invitationId, inv.properties.invitationId);
    assert.equal(ci.properties.shareName, 'sales');
    assert.equal(ci.properties.description, 'Monthly sales');
    assert.equal(ci.properties.termsOfUse, 'Internal use only');
    assert.equal(ci.properties.dataSetCount, 1);
    assert.equal(ci.properties.providerTenantName, 'Contoso');
    assert.equal(ci.properties.providerEmail, w.P.user.email);
    assert.equal(ci.properties.location, 'westus2');
    assert.equal(ci.type, 'Microsoft.DataShare/locations/consumerInvitations');
    const got = await w.ok('GET', `/providers/Microsoft.DataShare/locations/West%20US%202/consumerInvitations/${inv.properties.invitationId}`, undefined, w.C.user, 200, 'ConsumerInvitations_Get');
    assert.equal(got.properties.invitationStatus, 'Pending');

    await w.consumerAccount();
    w.grantContributor();
    const ss = await w.accept(inv.properties.invitationId);
    assert.equal(ss.properties.shareSubscriptionStatus, 'Active');
    assert.equal(ss.properties.shareName, 'sales');
    assert.equal(ss.properties.shareKind, 'CopyBased');
    assert.equal(ss.properties.providerTenantName, 'Contoso');
    assert.equal(ss.properties.sourceShareLocation, 'westus2');
    assert.equal(ss.type, 'Microsoft.DataShare/accounts/shareSubscriptions');

    // The invitation is Accepted on both sides; the provider sees a provider share subscription.
    const invAfter = await w.ok('GET', `${w.share}/invitations/to-ben`, undefined, w.P.user, 200, 'Invitations_Get');
    assert.equal(invAfter.properties.invitationStatus, 'Accepted');
    assert.ok(invAfter.properties.respondedAt);
    const psubs = await w.psubs();
    assert.equal(psubs.length, 1);
    assert.equal(psubs[0].properties.consumerEmail, w.C.user.email);
    assert.equal(psubs[0].properties.consumerTenantName, 'Fabrikam');
    assert.equal(psubs[0].properties.shareSubscriptionStatus, 'Active');
    const psub = await w.ok('GET', `${w.share}/providerShareSubscriptions/${psubs[0].name}`, undefined, w.P.user, 200, 'ProviderShareSubscriptions_GetByShare');
    assert.equal(psub.properties.shareSubscriptionObjectId, psubs[0].name);

    const sources = await w.ok('GET', `${w.ss}/consumerSourceDataSets`, undefined, w.C.user, 200, 'ConsumerSourceDataSets_ListByShareSubscription');
    assert.equal(sources.value.length, 1);
    assert.equal(sources.value[0].properties.dataSetId, ds.properties.dataSetId);
    assert.equal(sources.value[0].properties.dataSetType, 'Container');
    assert.equal(sources.value[0].properties.dataSetPath, 'sales');

    const mapping = await w.map(ds.properties.dataSetId);
    assert.equal(mapping.properties.dataSetMappingStatus, 'Ok');
    assert.equal(mapping.properties.provisioningState, 'Succeeded');

    const { accepted, op } = await w.synchronize('FullSync');
    assert.equal(accepted.status, 'Queued');
    assert.equal(op.status, 'Succeeded', JSON.stringify(op.error));
    assertSwagger('ShareSubscriptions_Synchronize', 200, op.result);
    assert.deepEqual(w.sb.blobs.names('fabrikamlanding', 'landing'), ['2024/feb.csv', '2024/jan.csv', 'readme.txt']);
    assert.equal(w.sb.blobs.text('fabrikamlanding', 'landing', '2024/jan.csv'), 'id,amount\n1,10\n');

    const runs = await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user, 200, 'ShareSubscriptions_ListSynchronizations');
    assert.equal(runs.value.length, 1);
    const run = runs.value[0];
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.synchronizationMode, 'FullSync');
    assert.ok(run.endTime && typeof run.durationMs === 'number');
    const details = await w.details(run.synchronizationId);
    assert.equal(details.length, 1);
    assert.equal(details[0].status, 'Succeeded');
    assert.equal(details[0].name, 'sales-map');
    assert.equal(details[0].dataSetType, 'Container');
    assert.equal(details[0].filesRead, 3);
    assert.equal(details[0].filesWritten, 3);
    const bytes = 'id,amount\n1,10\n'.length + 'id,amount\n2,20\n'.length + 'sales data'.length;
    assert.equal(details[0].sizeRead, bytes);
    assert.equal(details[0].sizeWritten, bytes);

    // Provider side: who synchronized, from which tenant, and the per-data-set details by data set name.
    const pruns = await w.ok('POST', `${w.share}/listSynchronizations`, undefined, w.P.user, 200, 'Shares_ListSynchronizations');
    assert.equal(pruns.value.length, 1);
    assert.equal(pruns.value[0].consumerEmail, w.C.user.email);
    assert.equal(pruns.value[0].consumerName, 'Ben Consumer');
    assert.equal(pruns.value[0].consumerTenantName, 'Fabrikam');
    const pdetails = await w.details(run.synchronizationId, 'provider');
    assert.equal(pdetails[0].name, 'sales-ds');
    assert.equal(pdetails[0].filesWritten, 3);
  });

  it('incremental copies only new or changed blobs; FullSync copies everything', async () => {
    const w = new DataShareWorld();
    await w.ready();
    await w.synchronize('Incremental'); // first incremental = full copy
    assert.equal(w.sb.blobs.copies, 3);
    w.sb.clock.advance(60_000);
    w.sb.blobs.upload('contosodata', 'sales', '2024/mar.csv', 'id,amount\n3,30\n');
    w.sb.blobs.upload('contosodata', 'sales', 'readme.txt', 'sales data, v2');
    const { op } = await w.synchronize('Incremental');
    assert.equal(op.status, 'Succeeded');
    assert.equal(w.sb.blobs.copies, 5, 'two more copies: the new blob and the changed one');
    assert.equal(w.sb.blobs.text('fabrikamlanding', 'landing', 'readme.txt'), 'sales data, v2');
    const runs = (await w.ok('POST', `${w.ss}/listSynchronizations`, undefined, w.C.user)).value;
    const latest = runs[0];
    assert.equal(latest.synchronizationMode, 'Incremental');
    const d = await w.details(latest.synchronizationId);
    assert.equal(d[0].filesRead, 2);
    assert.equal(d[0].filesWritten, 2);
    assert.match(d[0].message, /2 unchanged file\(s\) skipped/);

    const nothing = await w.synchronize('Incremental');
    assert.equal(nothing.op.status, 'Succeeded');
    assert.equal(w.sb.blobs.copies, 5, 'nothing changed, nothing copied');

    await w.synchronize('FullSync');
    assert.equal(w.sb.blobs.copies, 9, 'FullSync copies all four blobs');
  });

  it('copies a folder to the mapped prefix and a single blob to the mapped file path', async () => {
    const w = new DataShareWorld();
    await w.ready({
      dataSet: { kind: 'BlobFolder', properties: { containerName: 'sales', prefix: '2024', storageAccountName: 'contosodata', resourceGroup: w.rgP, subscriptionId: w.P.subscriptionId } },
      mapping: { kind: 'BlobFolder', extra: { containerName: 'inbox', prefix: 'contoso/sales' } },
    });
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Succeeded', JSON.stringify(op.error));
    assert.deepEqual(w.sb.blobs.names('fabrikamlanding', 'inbox'), ['contoso/sales/feb.csv', 'contoso/sales/jan.csv']);

    const w2 = new DataShareWorld();
    await w2.ready({
      dataSet: { kind: 'Blob', properties: { containerName: 'sales', filePath: 'readme.txt', storageAccountName: 'contosodata', resourceGroup: w2.rgP, subscriptionId: w2.P.subscriptionId } },
      mapping: { kind: 'AdlsGen2File', extra: { fileSystem: 'lake', filePath: 'docs/contoso-readme.txt' } },
    });
    const r2 = await w2.synchronize();
    assert.equal(r2.op.status, 'Succeeded', JSON.stringify(r2.op.error));
    assert.deepEqual(w2.sb.blobs.names('fabrikamlanding', 'lake'), ['docs/contoso-readme.txt']);
  });

  it('ADLS Gen2 file systems and folders are backed by blob containers of the same name', async () => {
    const w = new DataShareWorld();
    await w.ready({
      dataSet: { kind: 'AdlsGen2Folder', properties: { fileSystem: 'sales', folderPath: '2024/', storageAccountName: 'contosodata', resourceGroup: w.rgP, subscriptionId: w.P.subscriptionId } },
      mapping: { kind: 'AdlsGen2Folder', extra: { fileSystem: 'lake', folderPath: 'raw' } },
    });
    const { op } = await w.synchronize();
    assert.equal(op.status, 'Succeeded', JSON.stringify(op.error));
    assert.deepEqual(w.sb.blobs.names('fabrikamlanding', 'lake'), ['raw/feb.csv', 'raw/jan.csv']);
  });
});

describe('sandbox Microsoft.DataShare: consumer invitations per tenant', () => {
  it("lists in the caller's tenant only invitations addressed to its users or principals", async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.shareWith();
    const byEmail = await w.invite('by-email');
    const byPrincipal = await w.invite('by-principal', { targetActiveDirectoryId: w.C.tenantId, targetObjectId: w.C.sp.objectId });
    const toOutsider = await w.invite('to-nina', { targetEmail: w.sb.outsider.user.email });

    const asConsumerUser = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.C.user);
    const ids = asConsumerUser.value.map((i: any) => i.properties.invitationId).sort();
    assert.deepEqual(ids, [byEmail.properties.invitationId, byPrincipal.properties.invitationId].sort());
    const asConsumerSp = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.C.sp);
    assert.equal(asConsumerSp.value.length, 2, 'tenant-level: any caller of the tenant sees the tenant\'s invitations');

    const asOutsider = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.sb.outsider.user);
    assert.deepEqual(asOutsider.value.map((i: any) => i.properties.invitationId), [toOutsider.properties.invitationId]);
    const asProvider = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.P.user);
    assert.equal(asProvider.value.length, 0);

    // Get: other tenants and wrong locations get 404.
    const other = await w.sb.call('GET', `/providers/Microsoft.DataShare/locations/westus2/consumerInvitations/${byEmail.properties.invitationId}`, { as: w.sb.outsider.user });
    assert.equal(other.status, 404);
    assert.equal(other.body.error.code, 'InvitationNotFound');
    const wrongLoc = await w.sb.call('GET', `/providers/Microsoft.DataShare/locations/eastus/consumerInvitations/${byEmail.properties.invitationId}`, { as: w.C.user });
    assert.equal(wrongLoc.status, 404);

    // An outsider cannot accept either.
    w.sb.addResourceGroup(w.sb.outsider.subscriptionId, 'rg');
    await w.ok('PUT', accountPath(w.sb.outsider.subscriptionId, 'rg', 'nw'), { location: 'westus2', identity: { type: 'SystemAssigned' } }, w.sb.outsider.user);
    const steal = await w.sb.call('PUT', `${accountPath(w.sb.outsider.subscriptionId, 'rg', 'nw')}/shareSubscriptions/x`, { as: w.sb.outsider.user, body: { properties: { invitationId: byEmail.properties.invitationId, sourceShareLocation: 'westus2' } } });
    assert.equal(steal.status, 404);
  });

  it('reject marks the invitation Rejected, after which it cannot be accepted', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.shareWith();
    const inv = await w.invite();
    const rejected = await w.ok('POST', '/providers/Microsoft.DataShare/locations/westus2/rejectInvitation', { properties: { invitationId: inv.properties.invitationId } }, w.C.user, 200, 'ConsumerInvitations_RejectInvitation');
    assert.equal(rejected.properties.invitationStatus, 'Rejected');
    assert.ok(rejected.properties.respondedAt);
    const again = await w.sb.call('POST', '/providers/Microsoft.DataShare/locations/westus2/rejectInvitation', { as: w.C.user, body: { properties: { invitationId: inv.properties.invitationId } } });
    assert.equal(again.status, 409);
    await w.consumerAccount();
    const accept = await w.sb.call('PUT', w.ss, { as: w.C.user, body: { properties: { invitationId: inv.properties.invitationId, sourceShareLocation: 'westus2' } } });
    assert.equal(accept.status, 409);
    assert.match(accept.body.error.message, /Rejected/);
    const provSide = await w.ok('GET', `${w.share}/invitations/to-ben`, undefined, w.P.user);
    assert.equal(provSide.properties.invitationStatus, 'Rejected');
  });

  it('an invitation can be accepted once, before it expires, at its location', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.shareWith();
    const exp = new Date(w.sb.clock.now().getTime() + 3_600_000).toISOString();
    const inv = await w.invite('short', { targetEmail: w.C.user.email, expirationDate: exp });
    await w.consumerAccount();
    const wrongLoc = await w.sb.call('PUT', w.ss, { as: w.C.user, body: { properties: { invitationId: inv.properties.invitationId, sourceShareLocation: 'eastus' } } });
    assert.equal(wrongLoc.status, 400);
    assert.equal(wrongLoc.body.error.code, 'InvalidSourceShareLocation');
    const tooLate = await w.sb.call('PUT', w.ss, { as: w.C.user, body: { properties: { invitationId: inv.properties.invitationId, sourceShareLocation: 'westus2', expirationDate: new Date(w.sb.clock.now().getTime() + 7_200_000).toISOString() } } });
    assert.equal(tooLate.status, 400, 'cannot outlive the invitation');
    w.sb.clock.advance(2 * 3_600_000);
    const expired = await w.sb.call('PUT', w.ss, { as: w.C.user, body: { properties: { invitationId: inv.properties.invitationId, sourceShareLocation: 'westus2' } } });
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error.code, 'InvitationExpired');

    const inv2 = await w.invite('second');
    const ok = await w.accept(inv2.properties.invitationId);
    assert.equal(ok.properties.shareSubscriptionStatus, 'Active');
    const twice = await w.sb.call('PUT', `${w.cAccount}/shareSubscriptions/other`, { as: w.C.user, body: { properties: { invitationId: inv2.properties.invitationId, sourceShareLocation: 'westus2' } } });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'InvitationAlreadyAccepted');
    const idempotent = await w.sb.call('PUT', w.ss, { as: w.C.user, body: { properties: { invitationId: inv2.properties.invitationId, sourceShareLocation: 'westus2' } } });
    assert.equal(idempotent.status, 200);
  });

  it('email registration: register, activate with the logged code, then invitations to that email are visible', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.shareWith();
    // Ben's tenant registers a second mailbox: invitations to it are visible once activated.
    w.sb.directory.objects.get(w.C.user.objectId.toLowerCase())!.email = 'ben.alias@fabrikam.example';
    const alias = { ...w.C.user, email: 'ben.alias@fabrikam.example' };
    const inv = await w.invite('alias', { targetEmail: 'ben@other-mailbox.example' });
    const reg = await w.ok('POST', '/providers/Microsoft.DataShare/locations/westus2/registerEmail', undefined, { ...alias, email: 'ben@other-mailbox.example' }, 200, 'EmailRegistrations_RegisterEmail');
    assert.equal(reg.registrationStatus, 'ActivationPending');
    assert.equal(reg.tenantId, w.C.tenantId);
    const before = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.C.user);
    assert.equal(before.value.length, 0);
    const code = /activation code for .*: (\d{6})/.exec(w.sb.logs.join('\n'))?.[1];
    assert.ok(code, 'the code is logged');
    const wrong = await w.sb.call('POST', '/providers/Microsoft.DataShare/locations/westus2/activateEmail', { as: { ...alias, email: 'ben@other-mailbox.example' }, body: { activationCode: '000000' } });
    assert.equal(wrong.status, 400);
    const act = await w.ok('POST', '/providers/Microsoft.DataShare/locations/westus2/activateEmail', { activationCode: code }, { ...alias, email: 'ben@other-mailbox.example' }, 200, 'EmailRegistrations_ActivateEmail');
    assert.equal(act.registrationStatus, 'Activated');
    const after = await w.ok('GET', '/providers/Microsoft.DataShare/listInvitations', undefined, w.C.user);
    assert.deepEqual(after.value.map((i: any) => i.properties.invitationId), [inv.properties.invitationId]);
    const sp = await w.sb.call('POST', '/providers/Microsoft.DataShare/locations/westus2/registerEmail', { as: w.C.sp });
    assert.equal(sp.status, 400);
    assert.equal(sp.body.error.code, 'EmailNotAvailable');
  });
});

describe('sandbox Microsoft.DataShare: validation errors', () => {
  it('rejects bad accounts, shares and data sets with actionable errors', async () => {
    const w = new DataShareWorld();
    const noIdentity = await w.sb.call('PUT', w.pAccount, { as: w.P.user, body: { location: 'westus2' } });
    assert.equal(noIdentity.status, 400);
    assert.match(noIdentity.body.error.message, /SystemAssigned/);
    assertSwagger('Accounts_Create', 400, noIdentity.body);
    const userAssigned = await w.sb.call('PUT', w.pAccount, { as: w.P.user, body: { location: 'westus2', identity: { type: 'UserAssigned' } } });
    assert.equal(userAssigned.status, 400);
    const noRg = await w.sb.call('PUT', accountPath(w.P.subscriptionId, 'missing-rg', 'a'), { as: w.P.user, body: { location: 'westus2', identity: { type: 'SystemAssigned' } } });
    assert.equal(noRg.status, 404);
    assert.equal(noRg.body.error.code, 'ResourceGroupNotFound');

    await w.providerAccount();
    const again = await w.sb.call('PUT', w.pAccount, { as: w.P.user, body: { location: 'West US 2', identity: { type: 'SystemAssigned' }, tags: { env: 'dev' } } });
    assert.equal(again.status, 200, 'same location in display form is an update');
    assert.deepEqual(again.body.tags, { env: 'dev' });
    const moved = await w.sb.call('PUT', w.pAccount, { as: w.P.user, body: { location: 'eastus', identity: { type: 'SystemAssigned' } } });
    assert.equal(moved.status, 400);
    const patched = await w.ok('PATCH', w.pAccount, { tags: { env: 'prod' } }, w.P.user, 200, 'Accounts_Update');
    assert.deepEqual(patched.tags, { env: 'prod' });

    const noShare = await w.sb.call('PUT', `${w.share}/dataSets/x`, { as: w.P.user, body: w.containerDataSet() });
    assert.equal(noShare.status, 404);
    await w.ok('PUT', w.share, { properties: { shareKind: 'CopyBased' } }, w.P.user, 201);
    const kindChange = await w.sb.call('PUT', w.share, { as: w.P.user, body: { properties: { shareKind: 'InPlace' } } });
    assert.equal(kindChange.status, 400);
    const missingProp = await w.sb.call('PUT', `${w.share}/dataSets/x`, { as: w.P.user, body: { kind: 'Blob', properties: { containerName: 'sales', storageAccountName: 'contosodata', resourceGroup: w.rgP, subscriptionId: w.P.subscriptionId } } });
    assert.equal(missingProp.status, 400);
    assert.equal(missingProp.body.error.target, 'properties.filePath');
    const badKind = await w.sb.call('PUT', `${w.share}/dataSets/x`, { as: w.P.user, body: { kind: 'Parquet', properties: {} } });
    assert.equal(badKind.status, 400);
    const gen1 = await w.sb.call('PUT', `${w.share}/dataSets/x`, { as: w.P.user, body: { kind: 'AdlsGen1Folder', properties: { accountName: 'a', folderPath: 'f', resourceGroup: w.rgP, subscriptionId: w.P.subscriptionId } } });
    assert.equal(gen1.status, 400);
    assert.match(gen1.body.error.message, /retired/);
    const noStorage = await w.sb.call('PUT', `${w.share}/dataSets/x`, { as: w.P.user, body: { kind: 'Container', properties: { containerName: 'sales', storageAccountName: 'nosuch', resourceGroup: w.rgP, subscriptionId: w.P.subscriptionId } } });
    assert.equal(noStorage.status, 400);
    assert.equal(noStorage.body.error.code, 'StorageAccountNotFound');
    const kusto = await w.sb.call('PUT', `${w.share}/dataSets/k`, { as: w.P.user, body: { kind: 'KustoDatabase', properties: { kustoDatabaseResourceId: '/subscriptions/x/resourceGroups/r/providers/Microsoft.Kusto/clusters/c/databases/d' } } });
    assert.equal(kusto.status, 400, 'Kusto data sets need an InPlace share');
    assert.equal(kusto.body.error.code, 'InvalidDataSetKindForShare');
    const created = await w.ok('PUT', `${w.share}/dataSets/x`, w.containerDataSet(), w.P.user, 201);
    const updated = await w.ok('PUT', `${w.share}/dataSets/x`, w.containerDataSet(), w.P.user, 200);
    assert.equal(updated.properties.dataSetId, created.properties.dataSetId, 'an update keeps the dataSetId');
    const changeKind = await w.sb.call('PUT', `${w.share}/dataSets/x`, { as: w.P.user, body: { kind: 'BlobFolder', properties: { ...w.containerDataSet().properties, prefix: 'p' } } });
    assert.equal(changeKind.status, 409);
  });

  it('stores Kusto, SQL and Synapse data sets as Azure does, with a generated dataSetId', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.ok('PUT', `${w.pAccount}/shares/adx`, { properties: { shareKind: 'InPlace' } }, w.P.user, 201);
    const kt = await w.ok('PUT', `${w.pAccount}/shares/adx/dataSets/t`, { kind: 'KustoTable', properties: { kustoDatabaseResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Kusto/clusters/c/databases/d', tableLevelSharingProperties: { tablesToInclude: ['a', 'b'] } } }, w.P.user, 201, 'DataSets_Create');
    assert.equal(kt.kind, 'KustoTable');
    assert.equal(kt.properties.location, 'westus2');
    assert.ok(kt.properties.dataSetId);
    const storageInInPlace = await w.sb.call('PUT', `${w.pAccount}/shares/adx/dataSets/c`, { as: w.P.user, body: w.containerDataSet() });
    assert.equal(storageInInPlace.status, 400);
    await w.ok('PUT', w.share, { properties: {} }, w.P.user, 201);
    const sql = await w.ok('PUT', `${w.share}/dataSets/sql`, { kind: 'SqlDBTable', properties: { sqlServerResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/srv', databaseName: 'db', schemaName: 'dbo', tableName: 't' } }, w.P.user, 201, 'DataSets_Create');
    assert.ok(sql.properties.dataSetId);
    const syn = await w.ok('PUT', `${w.share}/dataSets/syn`, { kind: 'SynapseWorkspaceSqlPoolTable', properties: { synapseWorkspaceSqlPoolTableResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Synapse/workspaces/w/sqlPools/p/schemas/dbo/tables/t' } }, w.P.user, 201, 'DataSets_Create');
    assert.ok(syn.properties.dataSetId);
    const listed = await w.ok('GET', `${w.share}/dataSets`, undefined, w.P.user, 200, 'DataSets_ListByShare');
    assert.equal(listed.value.length, 2);
  });

  it('invitations go to an email or to a principal, not both, not neither', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.shareWith();
    const both = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: { targetEmail: 'a@b.com', targetActiveDirectoryId: w.C.tenantId, targetObjectId: w.C.sp.objectId } } });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.code, 'InvalidInvitationTarget');
    const neither = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: {} } });
    assert.equal(neither.status, 400);
    const half = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: { targetActiveDirectoryId: w.C.tenantId } } });
    assert.equal(half.status, 400);
    const badEmail = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: { targetEmail: 'not-an-email' } } });
    assert.equal(badEmail.status, 400);
    const past = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: { targetEmail: 'a@b.com', expirationDate: '2020-01-01T00:00:00Z' } } });
    assert.equal(past.status, 400);
    assert.equal(past.body.error.code, 'InvalidExpirationDate');
    const ok = await w.invite('i', { targetEmail: 'a@b.com' });
    const sameAgain = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: { targetEmail: 'a@b.com' } } });
    assert.equal(sameAgain.status, 200);
    assert.equal(sameAgain.body.properties.invitationId, ok.properties.invitationId);
    const otherTarget = await w.sb.call('PUT', `${w.share}/invitations/i`, { as: w.P.user, body: { properties: { targetEmail: 'c@d.com' } } });
    assert.equal(otherTarget.status, 409);
    const listed = await w.ok('GET', `${w.share}/invitations`, undefined, w.P.user, 200, 'Invitations_ListByShare');
    assert.equal(listed.value.length, 1);
    const del = await w.sb.call('DELETE', `${w.share}/invitations/i`, { as: w.P.user });
    assert.equal(del.status, 200);
    const del2 = await w.sb.call('DELETE', `${w.share}/invitations/i`, { as: w.P.user });
    assert.equal(del2.status, 204);
  });

  it('validates data set mappings: source id, kind compatibility, target storage, one mapping per data set', async () => {
    const w = new DataShareWorld();
    const { dataSetId } = await w.ready();
    const unknown = await w.sb.call('PUT', `${w.ss}/dataSetMappings/m2`, { as: w.C.user, body: { kind: 'Container', properties: { dataSetId: '11111111-1111-4111-8111-111111111111', containerName: 'x', storageAccountName: 'fabrikamlanding', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'DataSetNotFound');
    const wrongKind = await w.sb.call('PUT', `${w.ss}/dataSetMappings/m2`, { as: w.C.user, body: { kind: 'Blob', properties: { dataSetId, containerName: 'x', filePath: 'f', storageAccountName: 'fabrikamlanding', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } } });
    assert.equal(wrongKind.status, 400);
    assert.equal(wrongKind.body.error.code, 'InvalidDataSetMappingKind');
    assert.match(wrongKind.body.error.message, /Container, AdlsGen2FileSystem/);
    const noTarget = await w.sb.call('PUT', `${w.ss}/dataSetMappings/sales-map`, { as: w.C.user, body: { kind: 'Container', properties: { dataSetId, containerName: 'x', storageAccountName: 'nosuchacct', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } } });
    assert.equal(noTarget.status, 400);
    assert.equal(noTarget.body.error.code, 'StorageAccountNotFound');
    const dup = await w.sb.call('PUT', `${w.ss}/dataSetMappings/m2`, { as: w.C.user, body: { kind: 'AdlsGen2FileSystem', properties: { dataSetId, fileSystem: 'x', storageAccountName: 'fabrikamlanding', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } } });
    assert.equal(dup.status, 409);
    const upd = await w.sb.call('PUT', `${w.ss}/dataSetMappings/sales-map`, { as: w.C.user, body: { kind: 'AdlsGen2FileSystem', properties: { dataSetId, fileSystem: 'lake', storageAccountName: 'fabrikamlanding', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } } });
    assert.equal(upd.status, 200);
    assertSwagger('DataSetMappings_Create', 200, upd.body);
    const got = await w.ok('GET', `${w.ss}/dataSetMappings/sales-map`, undefined, w.C.user, 200, 'DataSetMappings_Get');
    assert.equal(got.kind, 'AdlsGen2FileSystem');

    // The provider removes the data set: the mapping becomes Broken.
    await w.ok('DELETE', `${w.share}/dataSets/sales-ds`, undefined, w.P.user, 200);
    const broken = await w.ok('GET', `${w.ss}/dataSetMappings/sales-map`, undefined, w.C.user);
    assert.equal(broken.properties.dataSetMappingStatus, 'Broken');
    const list = await w.ok('GET', `${w.ss}/dataSetMappings`, undefined, w.C.user, 200, 'DataSetMappings_ListByShareSubscription');
    assert.equal(list.value.length, 1);
  });

  it('accepts SQL sources mapped to storage files (Csv/Parquet) and SQL targets', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    await w.ok('PUT', w.share, { properties: {} }, w.P.user, 201);
    const dw = await w.ok('PUT', `${w.share}/dataSets/dw`, { kind: 'SqlDWTable', properties: { sqlServerResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/srv', dataWarehouseName: 'dw', schemaName: 'dbo', tableName: 't' } }, w.P.user, 201);
    const inv = await w.invite();
    await w.consumerAccount();
    await w.accept(inv.properties.invitationId);
    const toFile = await w.ok('PUT', `${w.ss}/dataSetMappings/dw-file`, { kind: 'AdlsGen2File', properties: { dataSetId: dw.properties.dataSetId, fileSystem: 'lake', filePath: 'dw.parquet', outputType: 'Parquet', storageAccountName: 'fabrikamlanding', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } }, w.C.user, 201, 'DataSetMappings_Create');
    assert.equal(toFile.properties.outputType, 'Parquet');
    const badOutput = await w.sb.call('PUT', `${w.ss}/dataSetMappings/dw-file`, { as: w.C.user, body: { kind: 'Blob', properties: { dataSetId: dw.properties.dataSetId, containerName: 'c', filePath: 'f', outputType: 'Avro', storageAccountName: 'fabrikamlanding', resourceGroup: w.rgC, subscriptionId: w.C.subscriptionId } } });
    assert.equal(badOutput.status, 400);
    await w.ok('DELETE', `${w.ss}/dataSetMappings/dw-file`, undefined, w.C.user, 200);
    const toSql = await w.ok('PUT', `${w.ss}/dataSetMappings/dw-sql`, { kind: 'SqlDBTable', properties: { dataSetId: dw.properties.dataSetId, sqlServerResourceId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/mine', databaseName: 'db', schemaName: 'dbo', tableName: 't' } }, w.C.user, 201, 'DataSetMappings_Create');
    assert.equal(toSql.properties.dataSetMappingStatus, 'Ok');
  });
});

describe('sandbox Microsoft.DataShare: ids', () => {
  it('answers with ARM-cased ids whatever casing the caller used in the path', async () => {
    const w = new DataShareWorld();
    const lower = `/subscriptions/${w.P.subscriptionId}/resourcegroups/RG-PROVIDER/providers/microsoft.datashare/accounts/Contoso-Share`;
    const a = await w.ok('PUT', lower, { location: 'westus2', identity: { type: 'SystemAssigned' } }, w.P.user, 201);
    assert.equal(a.id, `/subscriptions/${w.P.subscriptionId}/resourceGroups/rg-provider/providers/Microsoft.DataShare/accounts/Contoso-Share`);
    const s = await w.ok('PUT', `${lower}/SHARES/Sales`, { properties: {} }, w.P.user, 201);
    assert.equal(s.id, `${a.id}/shares/Sales`);
    assert.equal(s.type, 'Microsoft.DataShare/accounts/shares');
    const again = await w.ok('GET', `${a.id.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')}/shares/sales`, undefined, w.P.user, 200);
    assert.equal(again.id, s.id, 'the stored casing wins on reads');
    const ds = await w.ok('PUT', `${lower}/shares/SALES/datasets/Data1`, w.containerDataSet(), w.P.user, 201);
    assert.equal(ds.id, `${a.id}/shares/Sales/dataSets/Data1`);
    const upd = await w.ok('PUT', `${lower}/shares/sales/DATASETS/data1`, w.containerDataSet(), w.P.user, 200);
    assert.equal(upd.id, ds.id, 'an update keeps the id and name of the original');
    assert.equal(upd.name, 'Data1');
  });
});

describe('sandbox Microsoft.DataShare: deletes and cascades', () => {
  it('deleting a share marks consumer subscriptions SourceDeleted; deleting an account removes its tree and identity', async () => {
    const w = new DataShareWorld();
    await w.ready();
    await w.synchronize();
    const del = await w.sb.call('DELETE', w.share, { as: w.P.user });
    assert.equal(del.status, 202);
    assert.ok(del.headers?.['Azure-AsyncOperation'] && del.headers.Location);
    await w.sb.settle();
    const op = w.sb.operations.of(del);
    assert.equal(op.status, 'Succeeded');
    assertSwagger('Shares_Delete', 200, op.result);
    const gone = await w.sb.call('GET', w.share, { as: w.P.user });
    assert.equal(gone.status, 404);
    assert.equal(w.sb.store.keys('resources').filter((k) => k.startsWith(w.share.toLowerCase() + '/')).length, 0, 'data sets, invitations, provider share subscriptions are gone');
    const ss = await w.ok('GET', w.ss, undefined, w.C.user, 200, 'ShareSubscriptions_Get');
    assert.equal(ss.properties.shareSubscriptionStatus, 'SourceDeleted');
    assert.equal(ss.properties.shareName, 'sales', 'the consumer keeps what it knew');
    const sync = await w.sb.call('POST', `${w.ss}/synchronize`, { as: w.C.user, body: {} });
    assert.equal(sync.status, 409);
    assert.equal(sync.body.error.code, 'SourceShareDeleted');

    const mi = w.pMi;
    const delAcct = await w.sb.call('DELETE', w.pAccount, { as: w.P.user });
    assert.equal(delAcct.status, 202);
    await w.sb.settle();
    assert.equal(w.sb.directory.object(mi), undefined, 'the managed identity is deleted with the account');
    assert.equal((await w.sb.call('DELETE', w.pAccount, { as: w.P.user })).status, 204);
    const list = await w.ok('GET', `/subscriptions/${w.P.subscriptionId}/providers/Microsoft.DataShare/accounts`, undefined, w.P.user, 200, 'Accounts_ListBySubscription');
    assert.equal(list.value.length, 0);
  });

  it('deleting a share subscription removes the provider-side record and the consumer history', async () => {
    const w = new DataShareWorld();
    await w.ready();
    await w.synchronize();
    assert.equal((await w.psubs()).length, 1);
    const del = await w.sb.call('DELETE', w.ss, { as: w.C.user });
    assert.equal(del.status, 202);
    await w.sb.settle();
    assert.equal((await w.psubs()).length, 0);
    assert.equal(w.sb.store.keys('datashare-synchronizations').length, 0);
    assert.equal((await w.sb.call('GET', `${w.ss}/dataSetMappings/sales-map`, { as: w.C.user })).status, 404);
  });

  it('lists accounts, shares and share subscriptions with paging, $filter and $orderby', async () => {
    const w = new DataShareWorld();
    await w.providerAccount();
    for (const n of ['b-share', 'a-share', 'c-share']) await w.ok('PUT', `${w.pAccount}/shares/${n}`, { properties: { description: n } }, w.P.user, 201);
    const ordered = await w.ok('GET', `${w.pAccount}/shares?$orderby=name desc`, undefined, w.P.user, 200, 'Shares_ListByAccount');
    assert.deepEqual(ordered.value.map((s: any) => s.name), ['c-share', 'b-share', 'a-share']);
    const filtered = await w.ok('GET', `${w.pAccount}/shares?$filter=${encodeURIComponent("properties/description eq 'B-SHARE'")}`, undefined, w.P.user);
    assert.deepEqual(filtered.value.map((s: any) => s.name), ['b-share']);
    const bad = await w.sb.call('GET', `${w.pAccount}/shares?$filter=${encodeURIComponent('name eq')}`, { as: w.P.user });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidFilter');
    const byRg = await w.ok('GET', `/subscriptions/${w.P.subscriptionId}/resourceGroups/${w.rgP}/providers/Microsoft.DataShare/accounts`, undefined, w.P.user, 200, 'Accounts_ListByResourceGroup');
    assert.equal(byRg.value.length, 1);
    const ops = await w.ok('GET', '/providers/Microsoft.DataShare/operations', undefined, w.P.user, 200, 'Operations_List');
    assert.ok(ops.value.some((o: any) => o.name === 'Microsoft.DataShare/accounts/shareSubscriptions/synchronize/action'));
    const oldVersion = await w.sb.call('GET', w.pAccount, { as: w.P.user, apiVersion: '2020-09-01' });
    assert.equal(oldVersion.status, 200);
    const badVersion = await w.sb.call('GET', w.pAccount, { as: w.P.user, apiVersion: '1999-01-01' });
    assert.equal(badVersion.status, 400);
  });
});
