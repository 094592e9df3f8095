/**
 * Purview Data Map (2023-09-01) replay suite: search, entities, classifications, labels, business
 * metadata, lineage paging and types, against one sandbox Purview account. Setups create the
 * assets, types and collections each example refers to; example guids and continuation tokens are
 * substituted with the ones the sandbox assigned.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { Substitution } from '../engine/example';
import type { CasePlan, ExampleSuite, ReplayCase, ReplayTarget } from '../engine/replay';
import type { SwaggerSpec } from '../engine/swagger';
import type { TargetDescription } from '../engine/target';
import { PURVIEW_AUDIENCE, PurviewReplayWorld, withExampleBody } from './world';

/* eslint-disable @typescript-eslint/no-explicit-any */
const BLOB = 'https://exampleaccount.blob.core.windows.net/examplepath';
const STORAGE_QN = 'https://exampleaccount.core.windows.net';
const ABA = 'MICROSOFT.FINANCIAL.US.ABA_ROUTING_NUMBER';
const CARD = 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER';

export class DataMapWorld extends PurviewReplayWorld {
  readonly guids = new Map<string, string>();

  /** Blob path assets the search examples look for (created first, so `exampledata.csv` leads every listing). */
  async samples(): Promise<void> {
    await this.once('samples', async () => {
      const now = Date.now();
      const file = (name: string, extra: Record<string, unknown> = {}) => ({ typeName: 'azure_blob_path', attributes: { qualifiedName: `${BLOB}/${name}`, name, size: 100, modifiedTime: now, ...extra } });
      const entities = [
        { ...file('exampledata.csv', { description: 'Example Description', owner: '$superuser' }), labels: ['Example.Label'], classifications: [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }], contacts: { Expert: [{ id: '8a597ffc-6993-4772-ac25-86b7251e1234', info: 'Example Info' }] } },
        file('exampledata1.txt'),
        file('exampledata2.txt'),
        ...Array.from({ length: 12 }, (_, i) => file(`exampledata${i + 10}.txt`)),
      ];
      const body = await this.ok('POST', '/datamap/api/atlas/v2/entity/bulk', { entities });
      const created = (body.mutatedEntities.CREATE ?? []) as { guid: string; attributes: { name: string } }[];
      for (const h of created) this.guids.set(h.attributes.name, h.guid);
    });
  }

  /** A fresh entity (unique name) for examples that must start from a clean one. */
  fresh(typeName = 'DataSet', extra: Record<string, unknown> = {}): Promise<string> {
    const id = crypto.randomBytes(4).toString('hex');
    return this.entity(typeName, `conformance://fresh/${id}`, { name: `fresh-${id}` }, extra);
  }

  async storageEntity(qn = STORAGE_QN): Promise<string> {
    return this.entity('azure_storage_account', qn, { name: 'ExampleNewName', owner: 'ExampleOwner', createTime: 0 });
  }

  /** The continuation tokens of the pagination examples' query, page by page. */
  async paginationTokens(): Promise<string[]> {
    await this.samples();
    const tokens: string[] = [];
    let token: string | undefined;
    const query = { keywords: 'exampledata', filter: { and: [{ objectType: 'Files' }, { entityType: 'azure_blob_path' }] }, limit: 2, orderby: [{ name: 'ASC' }, { updateTime: 'DESC' }] };
    do {
      const res = await this.ok('POST', '/datamap/api/search/query', { ...query, ...(token ? { continuationToken: token } : {}) });
      token = res.continuationToken as string | undefined;
      if (token) tokens.push(token);
    } while (token);
    return tokens;
  }

  async removeClassifications(typeName: string, qn: string, names: string[]): Promise<void> {
    for (const n of names) {
      await this.dp('DELETE', `/datamap/api/atlas/v2/entity/uniqueAttribute/type/${typeName}/classification/${n}?attr:qualifiedName=${encodeURIComponent(qn)}`);
    }
  }

  async deleteType(name: string): Promise<void> {
    await this.dp('DELETE', `/datamap/api/atlas/v2/types/typedef/name/${encodeURIComponent(name)}`);
  }
}

const exact = (from: string, to: string): Substitution => ({ from, to, mode: 'exact' });

/** Example files the 2023-09-01 swagger does not reference but that exercise one of its operations. */
const RENAMED: Record<string, string> = {
  'Lineage_GetGraph.json': 'Lineage_Get',
};

export function dataMapSuite(examplesRoot: string, notServedFile: string): ExampleSuite<DataMapWorld> {
  return {
    name: 'purview-datamap',
    specFile: path.join(examplesRoot, '..', 'purview-datamap-2023-09-01.json'),
    examplesDir: path.join(examplesRoot, 'datamap'),
    apiVersion: '2023-09-01',
    // Published data map examples carry properties their swagger does not declare (collectionId on search results, ...).
    allowUndeclared: true,
    notServedFile,
    createWorld: (target: ReplayTarget) => new DataMapWorld(target as ReplayTarget & { description: TargetDescription }),
    resolveOperation(fileName: string, spec: SwaggerSpec) {
      const opId = RENAMED[fileName];
      const operation = opId ? spec.operations.get(opId) : undefined;
      return operation ? { operation, title: fileName.replace(/\.json$/, '') } : undefined;
    },
    async setup(c: ReplayCase, w: DataMapWorld): Promise<CasePlan> {
      return withExampleBody(c, await setupCase(c, w));
    },
  };
}

async function setupCase(c: ReplayCase, w: DataMapWorld): Promise<CasePlan> {
  await w.ensureReady();
  await w.samples();
  const plan: CasePlan = { tenantId: w.tenantId, hostParams: { endpoint: w.endpoint }, audience: PURVIEW_AUDIENCE };
  const p = c.example.parameters;
  switch (c.name) {
    case 'Discovery_Query_Id':
      return { ...plan, substitutions: [exact('bfecbcc3-1838-45fe-96d6-112de8a170f9', w.guids.get('exampledata1.txt') as string)] };
    case 'Discovery_Query_Collection': {
      await w.collection('collectionName');
      const guid = await w.entity('DataSet', 'conformance://collection/table1', { name: 'exampledata1' }, { classifications: [{ typeName: 'MICROSOFT.PERSONAL.NAME' }] });
      await w.ok('POST', '/datamap/api/entity/moveTo?collectionId=collectionName', { entityGuids: [guid] });
      return plan;
    }
    case 'Discovery_Query_PaginationContinuationPage': {
      const tokens = await w.paginationTokens();
      return { ...plan, substitutions: [exact(p.searchRequest.continuationToken, tokens[0])] };
    }
    case 'Discovery_Query_PaginationLastPage': {
      const tokens = await w.paginationTokens();
      return { ...plan, substitutions: [exact(p.searchRequest.continuationToken, tokens[tokens.length - 1])] };
    }
    case 'Entity_AddClassificationToEntityByGuids': {
      const [a, b] = [await w.fresh(), await w.fresh()];
      return { ...plan, substitutions: [exact('784c0f2f-afd2-e26b-f9cb-984f6c2c5021', a), exact('b4ebc8be-cef4-860a-bee9-28cc34cb5caa', b)] };
    }
    case 'Entity_AddClassifications':
      return { ...plan, substitutions: [exact('cc0730ba-9b30-41f0-6953-559d17626d2b', await w.fresh())] };
    case 'Entity_RemoveClassification':
      return { ...plan, substitutions: [exact('cc0730ba-9b30-41f0-6953-559d17626d2b', await w.fresh('DataSet', { classifications: [{ typeName: ABA }] }))] };
    case 'Entity_AddClassificationsByUniqueAttribute':
      await w.storageEntity();
      await w.removeClassifications('azure_storage_account', STORAGE_QN, [ABA, CARD]);
      return plan;
    case 'Entity_UpdateClassificationsByUniqueAttribute':
      await w.storageEntity();
      await w.removeClassifications('azure_storage_account', STORAGE_QN, [ABA, CARD]);
      await w.ok('POST', `/datamap/api/atlas/v2/entity/uniqueAttribute/type/azure_storage_account/classifications?attr:qualifiedName=${encodeURIComponent(STORAGE_QN)}`, [{ typeName: ABA }, { typeName: CARD }]);
      return plan;
    case 'Entity_GetByUniqueAttributes':
      await w.storageEntity();
      return plan;
    case 'Entity_AddCustomAttribute':
      // A new qualifiedName, so the answer is a CREATE as in the example.
      return { ...plan, substitutions: [{ from: 'exampleaccount', to: `customattr${crypto.randomBytes(3).toString('hex')}`, mode: 'substring' }] };
    case 'Entity_Update':
      await w.entity('azure_storage_account', 'exampleaccount', { name: 'ExampleStorageAccount' });
      return plan;
    case 'Entity_AddLabelsByUniqueAttribute':
      await w.entity('Asset', 'https://asset1', { name: 'asset1' });
      return plan;
    case 'Entity_AddOrUpdate_BusinessAttribute':
    case 'Entity_RemoveLabels':
      return { ...plan, substitutions: [exact('02c373fe-2823-4be3-97fa-55180a9faa06', await w.fresh('DataSet', { labels: ['label1', 'label2'] }))] };
    case 'Entity_RemoveBusinessAttribute': {
      const guid = await w.fresh();
      await w.ok('POST', `/datamap/api/atlas/v2/entity/guid/${guid}/businessmetadata/myBizMetaData1`, { bizAttr1: 'bizAttr1' });
      return { ...plan, substitutions: [exact('02c373fe-2823-4be3-97fa-55180a9faa06', guid)] };
    }
    case 'Entity_BulkSetClassifications': {
      const one = await w.storageEntity('https://exampleaccount1.core.windows.net');
      const two = await w.storageEntity('https://exampleaccount2.core.windows.net');
      // The example's guids are keys of guidHeaderMap, which substitutions (values only) do not reach.
    const ids: Record<string, string> = { '9fb74c11-ac48-4650-95bc-760665c5bd92': one, '7fcc43ab-55ea-45d4-9971-ce0443cb10bb': two };
    return {
      ...plan,
      transformBody: (body) => {
        const b = body as { guidHeaderMap: Record<string, unknown> };
        return { ...b, guidHeaderMap: Object.fromEntries(Object.entries(b.guidHeaderMap).map(([k, v]) => [ids[k] ?? k, v])) };
      },
    };
    }
    case 'Entity_MoveEntitiesToCollection': {
      await w.collection('ExampleNewCollection');
      const [a, b] = [await w.fresh('azure_storage_account'), await w.fresh('azure_storage_account')];
      return { ...plan, substitutions: [exact('321493e3-3fb7-4b3e-9df7-3b69154174c2', a), exact('b2f9c306-cf65-4bb0-878e-cfaafde156b1', b)] };
    }
    case 'Lineage_GetGraph':
    case 'Lineage_GetNextPage': {
      const target = await w.fresh();
      const source = await w.fresh();
      const id = crypto.randomBytes(4).toString('hex');
      await w.entity('Process', `conformance://process/${id}`, { name: `process-${id}`, inputs: [{ guid: source }], outputs: [{ guid: target }] });
      return { ...plan, substitutions: [exact('a6894eb3-81f3-829b-2adc-52f3e603411a', target)] };
    }
    case 'Type_BulkCreate':
      await w.deleteType('azure_sql_server_example');
      return plan;
    case 'Type_BulkCreateBusinessMetadataDefs':
      await w.deleteType('myBizMetadata1');
      return plan;
    case 'Type_BulkUpdate':
      await w.once('sql-types', async () => {
        await w.ok('POST', '/datamap/api/atlas/v2/types/typedefs', {
          entityDefs: ['azure_sql_server', 'azure_sql_db', 'azure_sql_schema'].map((name) => ({ name, superTypes: ['azure_resource'] })),
        });
        const defs = p.typesDef as { relationshipDefs?: any[] };
        if (defs.relationshipDefs?.length) {
          await w.ok('POST', '/datamap/api/atlas/v2/types/typedefs', { relationshipDefs: defs.relationshipDefs });
        }
      });
      return plan;
    case 'Type_GetStructDefByGuid': {
      const expected = c.example.responses['200'].body as { name: string; attributeDefs: unknown[] };
      let guid = '';
      const existing = await w.dp('GET', `/datamap/api/atlas/v2/types/structdef/name/${expected.name}`);
      if (existing.status === 200) {
        guid = (existing.body as { guid: string }).guid;
      } else {
        const created = await w.ok('POST', '/datamap/api/atlas/v2/types/typedefs', { structDefs: [{ name: expected.name, description: expected.name, attributeDefs: expected.attributeDefs }] });
        guid = created.structDefs[0].guid;
      }
      return { ...plan, substitutions: [exact(p.guid, guid)] };
    }
    default:
      return plan;
  }
}
