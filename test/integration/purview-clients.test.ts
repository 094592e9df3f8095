/**
 * The Purview story through OUR typed clients (src/azure: `AzureClientFactory().forTenant(...)`,
 * ARM wrappers, `purviewDataPlane(account)` = {dataMap, scanning, collections}) over HTTPS against
 * a sandbox this file starts:
 *
 *  - provider (Contoso, service principal): register Microsoft.Purview, an HNS storage account with
 *    a container of three files (emails, Luhn-valid card numbers, random text), a Purview account;
 *    an MSI scan that fails without Storage Blob Data Reader (with an actionable client error),
 *    succeeds once the role is granted, classifies by content, and does not duplicate on re-scan;
 *    collections (child, move, path, delete refused while it holds assets);
 *  - cross-tenant lineage: each tenant's Purview records both containers and the share Process,
 *    and lineage reads back in both directions;
 *  - isolation: the consumer's credential cannot read the provider's catalog;
 *  - cancel: a run canceled while Accepted ends Canceled (also on an account with no containers).
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import {
  AzureClientFactory,
  AzureRequestError,
  defaultStorageAccountParameters,
  sandboxCloud,
  sandboxCredentials,
  type AtlasEntityHeader,
  type AtlasLineageInfo,
  type AzureClients,
  type CloudConfig,
  type PurviewDataPlaneClient,
  type SearchPage,
  type SearchResultValue,
} from '../../src/azure';
import type { RunningSandbox, SandboxTenantDescription } from '../../src/sandbox';
import { startTestSandbox, tenantOf } from './support/sandbox';
import { rejection } from './support/errors';

const EMAIL = 'MICROSOFT.PERSONAL.EMAIL';
const CARD = 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER';
const LOCATION = 'westeurope';

/** Luhn check of the digits of `s`. */
function luhnValid(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

/** Reproducible random text: lowercase pseudo-words from a seeded generator (no digits, no '@'). */
function randomWords(count: number, seed = 0x5eed): string {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const len = 2 + Math.floor(next() * 9);
    words.push(Array.from({ length: len }, () => String.fromCharCode(97 + Math.floor(next() * 26))).join(''));
  }
  return words.join(' ').replace(/(.{1,72})(?: |$)/g, '$1\n');
}

const CARD_NUMBERS = ['4111 1111 1111 1111', '5500 0000 0000 0004', '340000000000009', '6011000000000004', '4012888888881881'];
const FILES = {
  'contacts/emails.csv': 'id,name,email\n1,Ada,ada@contoso.com\n2,Ben,ben@fabrikam.com\n3,Cy,cy@northwind.io\n4,Di,di@example.org\n',
  'billing/cards.txt': `card\n${CARD_NUMBERS.join('\n')}\n`,
  'misc/random.txt': randomWords(400),
};

/** Calls `fn` and returns the AzureRequestError it rejects with (fails if it resolves or throws anything else). */
const azureError = rejection;

describe('Purview through the typed clients (src/azure) against the sandbox (HTTPS)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let cloud: CloudConfig;
  let factory: AzureClientFactory;
  let provider: AzureClients;
  let consumer: AzureClients;
  let providerSub: string;
  let consumerSub: string;
  let storageId: string;
  let purviewPrincipalId: string;
  let pv: PurviewDataPlaneClient;

  const sfx = crypto.randomBytes(3).toString('hex');
  const rg = 'rg-governance';
  const storageName = `contosodata${sfx}`;
  const containerName = 'sales';
  const purviewName = `contoso-pv-${sfx}`;
  const consumerPurviewName = `fabrikam-pv-${sfx}`;
  const consumerContainerQn = `https://fabrikamrecv${sfx}.blob.core.windows.net/received`;
  const containerQn = `https://${storageName}.blob.core.windows.net/${containerName}`;
  const fileQn = (path: string) => `${containerQn}/${path}`;
  const shareQn = `datashare://contoso-share/sales/${sfx}`;
  const rootRef = () => ({ referenceName: purviewName, type: 'CollectionReference' as const });
  const ds = 'contoso-data';
  const scan = 'full';

  /** Every search result under the container (container and files), across pages. */
  const underContainer = async (plane: PurviewDataPlaneClient): Promise<SearchResultValue[]> => {
    const { items } = await plane.dataMap.discovery.query({ keywords: null, limit: 2, filter: { attributeName: 'qualifiedName', operator: 'prefix', attributeValue: containerQn } }).collect();
    return items;
  };

  const guidOf = async (plane: PurviewDataPlaneClient, typeName: string, qualifiedName: string): Promise<string> => {
    const e = await plane.dataMap.entities.getByUniqueAttribute(typeName, qualifiedName, { minExtInfo: true });
    assert.ok(e.entity?.guid, `${typeName} ${qualifiedName} has a guid`);
    return e.entity.guid;
  };

  const qualifiedNames = (info: AtlasLineageInfo): string[] => Object.values(info.guidEntityMap ?? {}).map((h) => String(h.attributes?.qualifiedName)).sort();
  const edges = (info: AtlasLineageInfo): string[][] => (info.relations ?? []).map((r) => [String(r.fromEntityId), String(r.toEntityId)]).sort();

  before(async function () {
    this.timeout(60_000);
    ({ sandbox, dataDir } = await startTestSandbox('purview-clients', { tickIntervalMs: 0 }));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    providerSub = contoso.subscriptions[0].subscriptionId;
    consumerSub = fabrikam.subscriptions[0].subscriptionId;
    cloud = sandboxCloud(sandbox.description, sandbox.ca);
    factory = new AzureClientFactory({ lro: { intervalInMs: 50 } });
    provider = factory.forTenant(cloud, contoso.tenantId, sandboxCredentials(sandbox.description, contoso.tenantId, 'servicePrincipal', { caPem: sandbox.ca }));
    consumer = factory.forTenant(cloud, fabrikam.tenantId, sandboxCredentials(sandbox.description, fabrikam.tenantId, 'servicePrincipal', { caPem: sandbox.ca }));
  });

  after(async () => {
    await sandbox?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('provider (Contoso): scanning and classification', () => {
    it('registers Microsoft.Purview and creates the RG, an HNS storage account with three files, and a Purview account', async () => {
      const registered = await provider.resources(providerSub).providers.register('Microsoft.Purview', { pollIntervalInMs: 50 });
      assert.equal(registered.registrationState, 'Registered');
      await provider.resources(providerSub).resourceGroups.createOrUpdate(rg, { location: LOCATION });

      const storage = await provider.storage(providerSub).accounts.createAndWait(rg, storageName, defaultStorageAccountParameters(LOCATION, { hierarchicalNamespace: true }));
      assert.equal(storage.isHnsEnabled, true);
      assert.ok(storage.id && storage.primaryEndpoints?.blob);
      storageId = storage.id;
      await provider.storage(providerSub).containers.create(rg, storageName, containerName);
      // Writing blob data with a token takes a data role, as in Azure (Owner of the subscription is not enough).
      await provider.authorization(providerSub).ensureRoleAssignment({ scope: storageId, role: 'StorageBlobDataContributor', principalId: contoso.servicePrincipals[0].objectId, principalType: 'ServicePrincipal' });
      const blob = provider.blob(storage.primaryEndpoints.blob);
      for (const n of CARD_NUMBERS) assert.ok(luhnValid(n), `${n} is Luhn-valid`);
      for (const [name, content] of Object.entries(FILES)) {
        await blob.upload(containerName, name, content, { contentType: 'text/plain' });
      }
      const listed: string[] = [];
      for await (const b of blob.list(containerName)) listed.push(b.name);
      assert.deepEqual(listed.sort(), Object.keys(FILES).sort());

      const account = await provider.purview(providerSub).accounts.createAndWait(rg, purviewName, { location: LOCATION });
      assert.equal(account.provisioningState, 'Succeeded');
      assert.equal(account.identity?.type, 'SystemAssigned');
      assert.ok(account.identity?.principalId, 'the account has a managed identity');
      purviewPrincipalId = account.identity.principalId;
      pv = provider.purviewDataPlane(purviewName);
      assert.equal(pv, provider.purviewDataPlane(purviewName), 'the data plane client is cached per account');
      const { items: collections } = await pv.collections.list().collect();
      assert.deepEqual(collections.map((c) => c.name), [purviewName], 'a new account has only its root collection');
    });

    it('registers the storage account as a data source and an MSI scan', async () => {
      const source = await pv.scanning.dataSources.createOrReplace(ds, { kind: 'AzureStorage', properties: { endpoint: `https://${storageName}.blob.core.windows.net/`, collection: rootRef() } });
      assert.equal(source.kind, 'AzureStorage');
      assert.equal(source.properties?.resourceId, storageId);
      const created = await pv.scanning.scans.createOrReplace(ds, scan, { kind: 'AzureStorageMsi', properties: { collection: rootRef() } });
      assert.equal(created.kind, 'AzureStorageMsi');
      assert.equal(created.properties?.scanRulesetName, 'AzureStorage', 'the client defaults MSI scans to the system rule set');
      assert.equal(created.properties?.scanRulesetType, 'System');
      const { items: scans } = await pv.scanning.scans.listByDataSource(ds).collect();
      assert.deepEqual(scans.map((s) => s.name), [scan]);
    });

    it('without Storage Blob Data Reader for the Purview identity, runScanAndWait rejects with an error naming the role and saying whom to grant it', async () => {
      const runId = crypto.randomUUID();
      const err = await azureError(() => pv.scanning.runs.runScanAndWait(ds, scan, runId, { scanLevel: 'Full' }));
      assert.equal(err.code, 'AuthorizationPermissionMismatch');
      assert.match(err.message, /Storage Blob Data Reader/);
      assert.match(err.message, new RegExp(purviewPrincipalId), 'the message names the managed identity');
      assert.match(err.message, new RegExp(storageName));
      assert.match(err.nextStep, /Storage Blob Data Reader/);
      assert.match(err.nextStep, /Purview account's managed identity/);
      assert.match(err.nextStep, /assign/i);
      const run = await pv.scanning.runs.getStatus(ds, scan, runId);
      assert.equal(run.status, 'Failed');
      const { items } = await pv.dataMap.discovery.query({ keywords: '*' }).collect();
      assert.equal(items.length, 0, 'nothing was ingested');
    });

    it('grants the role with ensureRoleAssignment (idempotently); the run then Succeeds', async () => {
      const auth = provider.authorization(providerSub);
      const granted = await auth.ensureRoleAssignment({ scope: storageId, role: 'StorageBlobDataReader', principalId: purviewPrincipalId });
      assert.equal(granted.created, true);
      assert.match(String(granted.assignment?.roleDefinitionId), /2a2b9908-6ea1-4ae2-8e65-a410df84e7d1$/);
      const again = await auth.ensureRoleAssignment({ scope: storageId, role: 'StorageBlobDataReader', principalId: purviewPrincipalId });
      assert.equal(again.created, false, 'the second call finds the existing assignment');

      const run = await pv.scanning.runs.runScanAndWait(ds, scan, undefined, { scanLevel: 'Full' });
      assert.equal(run.status, 'Succeeded', JSON.stringify(run));
      const stats = run.discoveryExecutionDetails?.statistics as { assets: { discovered: number; classified: number } };
      assert.equal(stats.assets.discovered, 2 + 1 + 3, 'storage account, blob service, container, three files');
      assert.equal(stats.assets.classified, 2);
    });

    it('search with a classification facet finds the container and its files; each file is classified by its content', async () => {
      const pages = pv.dataMap.discovery.query({
        keywords: null,
        limit: 10,
        filter: { attributeName: 'qualifiedName', operator: 'prefix', attributeValue: containerQn },
        facets: [{ facet: 'classification', count: 10 }],
      }).byPage();
      const first: SearchPage = (await pages.next()).value;
      assert.equal(first.count, 4, 'the container and its three files');
      const facet = [...(first.facets?.classification ?? [])].sort((a, b) => String(a.value).localeCompare(String(b.value)));
      assert.deepEqual(facet, [
        { count: 1, value: CARD },
        { count: 1, value: EMAIL },
      ]);
      const byQn = new Map(first.map((v) => [v.qualifiedName, v]));
      assert.equal(byQn.get(containerQn)?.entityType, 'azure_blob_container');
      for (const path of Object.keys(FILES)) {
        assert.equal(byQn.get(fileQn(path))?.entityType, 'azure_blob_path', path);
      }

      const all = await underContainer(pv);
      assert.equal(all.length, 4, 'the paged iterable follows continuation tokens (limit 2)');

      const classified = async (path: string) => (await pv.dataMap.entities.getByUniqueAttribute('azure_blob_path', fileQn(path))).entity?.classifications?.map((c) => c.typeName) ?? [];
      assert.deepEqual(await classified('contacts/emails.csv'), [EMAIL]);
      assert.deepEqual(await classified('billing/cards.txt'), [CARD]);
      assert.deepEqual(await classified('misc/random.txt'), []);

      const { items: emails } = await pv.dataMap.discovery.query({ filter: { and: [{ classification: EMAIL }, { entityType: 'azure_blob_path' }] } }).collect();
      assert.deepEqual(emails.map((v) => v.qualifiedName), [fileQn('contacts/emails.csv')]);
      const { items: cards } = await pv.dataMap.discovery.query({ filter: { classification: CARD } }).collect();
      assert.deepEqual(cards.map((v) => v.qualifiedName), [fileQn('billing/cards.txt')]);
    });

    it('a second run does not duplicate assets: same count, same guids', async () => {
      const before = await underContainer(pv);
      const beforeAll = (await pv.dataMap.discovery.query({ keywords: '*' }).collect()).items;
      const run = await pv.scanning.runs.runScanAndWait(ds, scan);
      assert.equal(run.status, 'Succeeded');
      const ingested = run.ingestionExecutionDetails?.statistics as { assets: { created: number; unchanged: number } };
      assert.equal(ingested.assets.created, 0);
      assert.equal(ingested.assets.unchanged, 6);
      const after = await underContainer(pv);
      const afterAll = (await pv.dataMap.discovery.query({ keywords: '*' }).collect()).items;
      assert.equal(after.length, before.length);
      assert.equal(afterAll.length, beforeAll.length);
      assert.deepEqual(after.map((v) => v.id).sort(), before.map((v) => v.id).sort());
      assert.deepEqual(afterAll.map((v) => v.id).sort(), beforeAll.map((v) => v.id).sort());
      const { items: history } = await pv.scanning.runs.listHistory(ds, scan).collect();
      assert.deepEqual(history.map((r) => r.status), ['Succeeded', 'Succeeded', 'Failed']);
    });
  });

  describe('provider (Contoso): collections', () => {
    const child = 'finance';
    const grandchild = 'finance-eu';

    it('creates a child collection, moves an asset into it, and reads the collection path root → child', async () => {
      const created = await pv.collections.createOrUpdate(child, { friendlyName: 'Finance', parentCollection: { referenceName: purviewName } });
      assert.equal(created.name, child);
      assert.equal(created.parentCollection?.referenceName, purviewName);
      await pv.collections.createOrUpdate(grandchild, { friendlyName: 'Finance EU', parentCollection: { referenceName: child } });
      const { items: children } = await pv.collections.getChildCollectionNames(purviewName).collect();
      assert.deepEqual(children.map((c) => c.name), [child]);

      const cardsGuid = await guidOf(pv, 'azure_blob_path', fileQn('billing/cards.txt'));
      const moved = await pv.dataMap.entities.moveToCollection(child, [cardsGuid]);
      assert.ok(Object.values(moved.mutatedEntities ?? {}).flat().some((h) => h?.guid === cardsGuid), JSON.stringify(moved));
      assert.equal((await pv.dataMap.entities.get(cardsGuid)).entity?.collectionId, child);
      const { items: inChild } = await pv.dataMap.discovery.query({ filter: { collectionId: child } }).collect();
      assert.deepEqual(inChild.map((v) => v.id), [cardsGuid]);

      const childPath = await pv.collections.getCollectionPath(child);
      assert.deepEqual(childPath.parentNameChain, [purviewName], 'the chain runs from the root to the immediate parent');
      const path = await pv.collections.getCollectionPath(grandchild);
      assert.deepEqual(path.parentNameChain, [purviewName, child]);
      assert.equal(path.parentFriendlyNameChain?.[1], 'Finance');
    });

    it('refuses to delete a collection that still holds assets, with a clear error', async () => {
      await pv.collections.delete(grandchild);
      const err = await azureError(() => pv.collections.delete(child));
      assert.equal(err.statusCode, 409);
      assert.equal(err.code, 'CollectionHasAssets');
      assert.match(err.message, new RegExp(`'${child}'`));
      assert.match(err.message, /asset/);
      assert.match(err.message, /[Mm]ove them/);
      assert.ok(err.nextStep);
      assert.equal((await pv.collections.get(child)).name, child, 'the collection is still there');

      // Once the asset is moved out, the delete goes through.
      await pv.dataMap.entities.moveToCollection(purviewName, [await guidOf(pv, 'azure_blob_path', fileQn('billing/cards.txt'))]);
      await pv.collections.delete(child);
      const { items } = await pv.collections.list().collect();
      assert.deepEqual(items.map((c) => c.name), [purviewName]);
    });

    // The generic Purview 409 step ("already exists ... creating it again") would contradict the
    // service here: a refused delete must say to move or delete what the collection holds.
    it('the client next step for a refused collection delete says to move or delete what the collection holds', async () => {
      await pv.collections.createOrUpdate('holding', { parentCollection: { referenceName: purviewName } });
      const guid = await guidOf(pv, 'azure_blob_path', fileQn('misc/random.txt'));
      await pv.dataMap.entities.moveToCollection('holding', [guid]);
      try {
        const err = await azureError(() => pv.collections.delete('holding'));
        assert.equal(err.code, 'CollectionHasAssets');
        assert.match(err.nextStep, /move|delete/i);
        assert.doesNotMatch(err.nextStep, /already exists|creating it again/);
      } finally {
        await pv.dataMap.entities.moveToCollection(purviewName, [guid]);
        await pv.collections.delete('holding');
      }
    });
  });

  describe('cross-tenant lineage', () => {
    let consumerPv: PurviewDataPlaneClient;
    const guids = { provider: {} as Record<string, string>, consumer: {} as Record<string, string> };

    /** The two containers and the share Process, as the extension writes them into one tenant's catalog. */
    const recordShare = (plane: PurviewDataPlaneClient) =>
      plane.dataMap.entities.bulkCreateOrUpdate({
        entities: [
          { typeName: 'azure_blob_container', attributes: { qualifiedName: containerQn, name: containerName } },
          { typeName: 'azure_blob_container', attributes: { qualifiedName: consumerContainerQn, name: 'received' } },
          {
            typeName: 'Process',
            attributes: {
              qualifiedName: shareQn,
              name: 'Data Share snapshot: sales',
              inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: containerQn } }],
              outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: consumerContainerQn } }],
            },
          },
        ],
      });

    it('the consumer (Fabrikam) creates its own Purview account', async () => {
      await consumer.resources(consumerSub).providers.register('Microsoft.Purview', { pollIntervalInMs: 50 });
      await consumer.resources(consumerSub).resourceGroups.createOrUpdate(rg, { location: LOCATION });
      const account = await consumer.purview(consumerSub).accounts.createAndWait(rg, consumerPurviewName, { location: LOCATION });
      assert.equal(account.provisioningState, 'Succeeded');
      consumerPv = consumer.purviewDataPlane(consumerPurviewName);
      assert.notEqual(consumerPv, pv);
    });

    it('each tenant records both containers and the share Process in its own catalog', async () => {
      const scannedContainer = await guidOf(pv, 'azure_blob_container', containerQn);
      const p = await recordShare(pv);
      const c = await recordShare(consumerPv);
      const qns = (headers: AtlasEntityHeader[] | undefined) => (headers ?? []).map((h) => String(h.attributes?.qualifiedName)).sort();
      assert.deepEqual(qns(c.mutatedEntities?.CREATE), [consumerContainerQn, containerQn, shareQn].sort(), JSON.stringify(c));
      // In the provider's catalog the container already exists (the scan created it): it is updated, not duplicated.
      assert.deepEqual(qns(p.mutatedEntities?.CREATE), [consumerContainerQn, shareQn].sort(), JSON.stringify(p));
      assert.deepEqual((p.mutatedEntities?.UPDATE ?? []).map((h) => h.guid), [scannedContainer]);
      for (const [side, plane] of [['provider', pv], ['consumer', consumerPv]] as const) {
        guids[side].src = await guidOf(plane, 'azure_blob_container', containerQn);
        guids[side].proc = await guidOf(plane, 'Process', shareQn);
        guids[side].dst = await guidOf(plane, 'azure_blob_container', consumerContainerQn);
      }
      assert.equal(guids.provider.src, scannedContainer, "the provider's Process reads the container asset the scan created");
      assert.notEqual(guids.provider.proc, guids.consumer.proc, 'each catalog has its own entities');
      const proc = await consumerPv.dataMap.entities.get(guids.consumer.proc);
      const inputs = proc.entity?.attributes?.inputs as { guid?: string }[];
      assert.deepEqual(inputs.map((i) => i.guid), [guids.consumer.src]);
    });

    it('lineage reads downstream (OUTPUT) from the provider container and upstream (INPUT) from the consumer container, in both tenants', async () => {
      for (const [side, plane] of [['provider', pv], ['consumer', consumerPv]] as const) {
        const { src, proc, dst } = guids[side];
        const down = await plane.dataMap.lineage.get(src, { direction: 'OUTPUT', depth: 3 });
        assert.equal(down.baseEntityGuid, src, side);
        assert.equal(down.lineageDirection, 'OUTPUT');
        assert.deepEqual(qualifiedNames(down), [consumerContainerQn, containerQn, shareQn].sort(), side);
        assert.deepEqual(edges(down), [[src, proc], [proc, dst]].sort(), side);
        assert.equal(down.guidEntityMap?.[proc]?.typeName, 'Process');
        assert.equal(down.guidEntityMap?.[dst]?.typeName, 'azure_blob_container');
        for (const r of down.relations ?? []) assert.match(String(r.relationshipId), /^[0-9a-f-]{36}$/);

        const up = await plane.dataMap.lineage.get(dst, { direction: 'INPUT', depth: 3 });
        assert.equal(up.baseEntityGuid, dst);
        assert.deepEqual(qualifiedNames(up), [consumerContainerQn, containerQn, shareQn].sort(), side);
        assert.deepEqual(edges(up), [[src, proc], [proc, dst]].sort(), side);

        // Direction matters: nothing is upstream of the provider container, nothing downstream of the consumer's.
        const noUp = await plane.dataMap.lineage.get(src, { direction: 'INPUT', depth: 3 });
        assert.deepEqual(noUp.relations ?? [], [], side);
        assert.deepEqual(Object.keys(noUp.guidEntityMap ?? {}), [src]);
        const noDown = await plane.dataMap.lineage.get(dst, { direction: 'OUTPUT', depth: 3 });
        assert.deepEqual(noDown.relations ?? [], [], side);

        const both = await plane.dataMap.lineage.get(proc, { direction: 'BOTH', depth: 1 });
        assert.deepEqual(qualifiedNames(both), [consumerContainerQn, containerQn, shareQn].sort(), side);
        assert.deepEqual(edges(both), [[src, proc], [proc, dst]].sort(), side);
      }
    });

    it('lineage by unique attribute works in both tenants', async () => {
      for (const [side, plane] of [['provider', pv], ['consumer', consumerPv]] as const) {
        const up = await plane.dataMap.lineage.getByUniqueAttribute('azure_blob_container', consumerContainerQn, { direction: 'INPUT', depth: 2 });
        assert.equal(up.baseEntityGuid, guids[side].dst, side);
        assert.deepEqual(qualifiedNames(up), [consumerContainerQn, containerQn, shareQn].sort(), side);
        const down = await plane.dataMap.lineage.getByUniqueAttribute('azure_blob_container', containerQn, { direction: 'BOTH', depth: 2 });
        assert.equal(down.baseEntityGuid, guids[side].src, side);
        assert.deepEqual(edges(down), [[guids[side].src, guids[side].proc], [guids[side].proc, guids[side].dst]].sort(), side);
      }
      const missing = await azureError(() => consumerPv.dataMap.lineage.getByUniqueAttribute('azure_blob_container', `${consumerContainerQn}-nope`, { direction: 'BOTH' }));
      assert.equal(missing.statusCode, 404);
    });
  });

  describe('isolation', () => {
    it("Fabrikam's credential cannot read Contoso's catalog: 403, and the next step says to sign in to the account's tenant", async () => {
      const intruder = consumer.purviewDataPlane(purviewName);
      const attempts: [string, () => Promise<unknown>][] = [
        ['search', () => intruder.dataMap.discovery.queryPage({ keywords: '*' })],
        ['entity', () => intruder.dataMap.entities.getByUniqueAttribute('azure_blob_container', containerQn)],
        ['lineage', () => intruder.dataMap.lineage.getByUniqueAttribute('azure_blob_container', containerQn, { direction: 'BOTH' })],
        ['scanning', () => intruder.scanning.dataSources.list().collect()],
        ['collections', () => intruder.collections.list().collect()],
      ];
      for (const [what, attempt] of attempts) {
        const err = await azureError(attempt);
        assert.equal(err.statusCode, 403, what);
        assert.match(err.message, new RegExp(contoso.tenantId), what);
        assert.match(err.nextStep, /sign in to the tenant that owns the account/i, `${what}: ${err.nextStep}`);
      }
    });
  });

  describe('cancel', () => {
    it('a run canceled with runs.cancel while Accepted ends Canceled, also on an account with no containers', async () => {
      // An empty account: the scan has nothing to visit, so only an explicit check can notice the cancel.
      const bare = `contosobare${sfx}`;
      const storage = await provider.storage(providerSub).accounts.createAndWait(rg, bare, defaultStorageAccountParameters(LOCATION));
      await provider.authorization(providerSub).ensureRoleAssignment({ scope: storage.id!, role: 'StorageBlobDataReader', principalId: purviewPrincipalId });
      await pv.scanning.dataSources.createOrReplace('bare', { kind: 'AzureStorage', properties: { endpoint: `https://${bare}.blob.core.windows.net/`, collection: rootRef() } });
      await pv.scanning.scans.createOrReplace('bare', 's', { kind: 'AzureStorageMsi', properties: { collection: rootRef() } });
      const ok = await pv.scanning.runs.runScanAndWait('bare', 's');
      assert.equal(ok.status, 'Succeeded', 'an uncanceled run of the empty account succeeds');

      let accepted = 0;
      for (let i = 0; i < 5; i++) {
        const poller = await pv.scanning.runs.beginRunScan('bare', 's');
        let cancel: { status?: string } | undefined;
        try {
          cancel = await pv.scanning.runs.cancel('bare', 's', poller.runId);
        } catch (e) {
          // The run finished before the cancel arrived: nothing to cancel.
          assert.ok(e instanceof AzureRequestError && e.code === 'ScanRunNotInProgress', String(e));
        }
        if (cancel) {
          accepted++;
          const err = await azureError(() => poller.pollUntilDone());
          assert.equal(err.code, 'ScanRunCanceled', `run ${poller.runId}: ${err.message}`);
          assert.equal((await pv.scanning.runs.getStatus('bare', 's', poller.runId)).status, 'Canceled');
          assert.equal(poller.getOperationState().status, 'canceled');
        } else {
          assert.equal((await poller.pollUntilDone()).status, 'Succeeded');
        }
      }
      assert.ok(accepted > 0, 'at least one cancel reached a run before it ended');
    });
  });
});
