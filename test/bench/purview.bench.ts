/**
 * Purview data-plane bench (run by scripts/bench.js, recorded under `purview`), against a sandbox
 * it starts, through the typed clients over HTTPS:
 *
 *  search    100,000 azure_blob_path assets (10% classified as email, 5% as credit card, spread
 *            over 10 folders); 200 sequential queries with a classification filter, an entity-type
 *            filter and two facets: p50/p95 latency as the client sees it. Target p95 <= 100 ms.
 *  lineage   a layered graph of 10,000 nodes (5,000 datasets and 5,000 processes, 10 layers);
 *            100 lineage queries BOTH at depth 5 from datasets in the middle layers: p50/p95.
 *            Target <= 200 ms.
 *  scan      10,000 small blobs in one container; one full MSI scan run: files/s.
 *
 * Knobs: GDS_BENCH_PURVIEW_ASSETS (100000), GDS_BENCH_PURVIEW_LINEAGE_NODES (10000),
 * GDS_BENCH_PURVIEW_SCAN_BLOBS (10000).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureClientFactory, defaultStorageAccountParameters, sandboxCloud, sandboxCredentials, type AzureClients } from '../../src/azure';
import { startSandbox } from '../../src/sandbox';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const log = (m: string) => process.stderr.write(`[bench:purview] ${m}\n`);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const r2 = (x: number) => Math.round(x * 100) / 100;

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => { while (next < items.length) await fn(items[next++]); }));
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

export async function run(): Promise<object> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-bench-purview-'));
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, lroRetryAfterSeconds: 0, seed: 'demo' });
  try {
    const contoso = sandbox.description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    const sub = contoso.subscriptions[0].subscriptionId;
    const clients: AzureClients = new AzureClientFactory({ lro: { intervalInMs: 100 } }).forTenant(
      sandboxCloud(sandbox.description, sandbox.ca), contoso.tenantId, sandboxCredentials(sandbox.description, contoso.tenantId, 'servicePrincipal', { caPem: sandbox.ca }));
    await clients.resources(sub).providers.register('Microsoft.Purview', { pollIntervalInMs: 50 });
    await clients.resources(sub).resourceGroups.createOrUpdate('rg-bench', { location: 'westeurope' });
    const purview = await clients.purview(sub).accounts.createAndWait('rg-bench', 'bench-purview', { location: 'westeurope' });
    const plane = clients.purviewDataPlane('bench-purview');

    // --- search over N assets ---------------------------------------------------------------
    const assets = num('GDS_BENCH_PURVIEW_ASSETS', 100_000);
    const batch = 1000;
    log(`loading ${assets} assets`);
    const [, loadMs] = await timed(async () => {
      const batches = Array.from({ length: Math.ceil(assets / batch) }, (_, b) => b);
      await pool(batches, 2, async (b) => {
        const entities = [];
        for (let i = b * batch; i < Math.min(assets, (b + 1) * batch); i++) {
          const classifications = i % 10 === 0 ? [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }] : i % 20 === 1 ? [{ typeName: 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER' }] : [];
          entities.push({ typeName: 'azure_blob_path', attributes: { qualifiedName: `https://benchdata.blob.core.windows.net/c/folder${i % 10}/file${i}.csv`, name: `file${i}.csv` }, classifications });
        }
        await plane.dataMap.entities.bulkCreateOrUpdate({ entities });
      });
    });
    const searchLatencies: number[] = [];
    let matched = 0;
    for (let q = 0; q < 200; q++) {
      const [page, ms] = await timed(() => plane.dataMap.discovery.queryPage({
        keywords: q % 2 ? 'file' : '*',
        limit: 50,
        filter: { and: [{ classification: 'MICROSOFT.PERSONAL.EMAIL' }, { entityType: 'azure_blob_path' }] },
        facets: [{ facet: 'classification', count: 10 }, { facet: 'entityType', count: 10 }],
      }));
      searchLatencies.push(ms);
      matched = page['@search.count'] ?? matched;
    }
    const search = {
      assets, loadSeconds: r2(loadMs / 1000), queries: 200, matchedPerQuery: matched,
      p50Ms: r2(pct(searchLatencies, 50)), p95Ms: r2(pct(searchLatencies, 95)), targetP95Ms: 100,
      withinTarget: pct(searchLatencies, 95) <= 100,
    };
    log(`search p50 ${search.p50Ms} ms, p95 ${search.p95Ms} ms over ${assets} assets`);

    // --- lineage on a layered graph ---------------------------------------------------------
    const nodes = num('GDS_BENCH_PURVIEW_LINEAGE_NODES', 10_000);
    const layers = 10;
    const perLayer = Math.floor(nodes / 2 / layers);
    const qn = (layer: number, i: number) => `https://lineage.blob.core.windows.net/l${layer}/d${i}`;
    log(`loading a lineage graph of ${perLayer * layers * 2} nodes`);
    for (let layer = 0; layer < layers; layer++) {
      const datasets = Array.from({ length: perLayer }, (_, i) => ({ typeName: 'DataSet', attributes: { qualifiedName: qn(layer, i), name: `l${layer}-d${i}` } }));
      await plane.dataMap.entities.bulkCreateOrUpdate({ entities: datasets });
    }
    for (let layer = 0; layer < layers; layer++) {
      const processes = [];
      for (let i = 0; i < perLayer; i++) {
        // Each process reads a dataset of this layer (and a neighbour) and writes one of the next.
        const inputs = [{ typeName: 'DataSet', uniqueAttributes: { qualifiedName: qn(layer, i) } }, { typeName: 'DataSet', uniqueAttributes: { qualifiedName: qn(layer, (i * 7 + 3) % perLayer) } }];
        const outputs = layer + 1 < layers ? [{ typeName: 'DataSet', uniqueAttributes: { qualifiedName: qn(layer + 1, (i * 13 + 5) % perLayer) } }] : [];
        processes.push({ typeName: 'Process', attributes: { qualifiedName: `bench://p/${layer}/${i}`, name: `p${layer}-${i}`, inputs, outputs } });
      }
      await plane.dataMap.entities.bulkCreateOrUpdate({ entities: processes });
    }
    const starts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const e = await plane.dataMap.entities.getByUniqueAttribute('DataSet', qn(4 + (i % 3), (i * 37) % perLayer), { minExtInfo: true, ignoreRelationships: true });
      starts.push(e.entity!.guid!);
    }
    const lineageLatencies: number[] = [];
    let lineageSize = 0;
    for (let q = 0; q < 100; q++) {
      const [info, ms] = await timed(() => plane.dataMap.lineage.get(starts[q % starts.length], { direction: 'BOTH', depth: 5 }));
      lineageLatencies.push(ms);
      lineageSize = Math.max(lineageSize, Object.keys(info.guidEntityMap ?? {}).length);
    }
    const lineage = {
      nodes: perLayer * layers * 2, queries: 100, depth: 5, largestResultNodes: lineageSize,
      p50Ms: r2(pct(lineageLatencies, 50)), p95Ms: r2(pct(lineageLatencies, 95)), targetMs: 200,
      withinTarget: pct(lineageLatencies, 95) <= 200,
    };
    log(`lineage p50 ${lineage.p50Ms} ms, p95 ${lineage.p95Ms} ms, up to ${lineageSize} nodes per answer`);

    // --- scan throughput --------------------------------------------------------------------
    const blobs = num('GDS_BENCH_PURVIEW_SCAN_BLOBS', 10_000);
    const storage = await clients.storage(sub).accounts.createAndWait('rg-bench', 'benchscan', defaultStorageAccountParameters('westeurope'));
    await clients.storage(sub).containers.create('rg-bench', 'benchscan', 'many');
    await clients.authorization(sub).ensureRoleAssignment({ scope: storage.id!, role: 'StorageBlobDataContributor', principalId: contoso.servicePrincipals[0].objectId, principalType: 'ServicePrincipal' });
    const blob = clients.blob(storage.primaryEndpoints!.blob!);
    log(`uploading ${blobs} small blobs`);
    await pool(Array.from({ length: blobs }, (_, i) => i), 32, async (i) => {
      const body = i % 50 === 0 ? `contact,email\nx,person${i}@example.com\ny,other${i}@example.org\nz,third${i}@example.net\n` : `row,${i},${(i * 7919) % 100000}\n`;
      await blob.upload('many', `part-${String(i).padStart(5, '0')}.csv`, body);
    });
    await clients.authorization(sub).ensureRoleAssignment({ scope: storage.id!, role: 'StorageBlobDataReader', principalId: purview.identity!.principalId! });
    const collection = { referenceName: 'bench-purview', type: 'CollectionReference' as const };
    await plane.scanning.dataSources.createOrReplace('benchscan', { kind: 'AzureStorage', properties: { endpoint: 'https://benchscan.blob.core.windows.net/', collection } });
    await plane.scanning.scans.createOrReplace('benchscan', 'full', { kind: 'AzureStorageMsi', properties: { scanRulesetName: 'AzureStorage', scanRulesetType: 'System', collection } });
    const [runResult, scanMs] = await timed(() => plane.scanning.runs.runScanAndWait('benchscan', 'full', undefined, { scanLevel: 'Full' }));
    const scan = { blobs, seconds: r2(scanMs / 1000), filesPerSecond: r2(blobs / (scanMs / 1000)), status: runResult.status };
    log(`scan of ${blobs} blobs: ${scan.seconds} s (${scan.filesPerSecond} files/s)`);

    return { search, lineage, scan };
  } finally {
    await sandbox.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
