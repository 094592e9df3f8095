/**
 * Cross-tenant lineage as the extension records it: in each tenant's Purview, a Process links the
 * provider's shared container to the consumer's received container (reference §2.7), and lineage
 * reads back in both directions and at depth, over HTTPS with `@azure-rest/core-client`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- REST bodies are checked field by field */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type { Client } from '@azure-rest/core-client';
import type { RunningSandbox, SandboxTenantDescription } from '../../src/sandbox';
import { provisionTenant, purviewClient } from './support/purview';
import { spCredential, startTestSandbox, tenantOf } from './support/sandbox';

describe('sandbox Purview data plane: cross-tenant lineage (HTTPS)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let providerPv: Client;
  let consumerPv: Client;
  const suffix = crypto.randomBytes(3).toString('hex');
  const names = {
    provider: { rg: 'gov', storage: `prov${suffix}`, purview: `contoso-pv-${suffix}` },
    consumer: { rg: 'gov', storage: `cons${suffix}`, purview: `fabrikam-pv-${suffix}` },
  };
  const shared = `https://${names.provider.storage}.blob.core.windows.net/shared`;
  const received = `https://${names.consumer.storage}.blob.core.windows.net/received`;
  const curated = `https://${names.consumer.storage}.blob.core.windows.net/curated`;
  const shareQn = `datashare://provider-share/sales/${suffix}`;

  /** The assets and Process the extension writes into one tenant's catalog. */
  const recordShare = async (client: Client) => {
    const res = await client.path('/datamap/api/atlas/v2/entity/bulk').post({
      body: {
        entities: [
          { typeName: 'azure_blob_container', attributes: { qualifiedName: shared, name: 'shared' } },
          { typeName: 'azure_blob_container', attributes: { qualifiedName: received, name: 'received' } },
          {
            typeName: 'Process',
            attributes: {
              qualifiedName: shareQn,
              name: 'Data Share snapshot: sales',
              inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: shared } }],
              outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: received } }],
            },
          },
        ],
      },
    });
    assert.equal(res.status, '200', JSON.stringify(res.body));
    return res.body as any;
  };

  const guidOf = async (client: Client, typeName: string, qualifiedName: string): Promise<string> => {
    const res = await client.path('/datamap/api/atlas/v2/entity/uniqueAttribute/type/{t}', typeName).get({ queryParameters: { 'attr:qualifiedName': qualifiedName } });
    assert.equal(res.status, '200', JSON.stringify(res.body));
    return (res.body as any).entity.guid as string;
  };

  const lineage = async (client: Client, guid: string, direction: string, depth = 3) => {
    const res = await client.path('/datamap/api/atlas/v2/lineage/{guid}', guid).get({ queryParameters: { direction, depth } });
    assert.equal(res.status, '200', JSON.stringify(res.body));
    return res.body as any;
  };
  const names_ = (info: any) => Object.values(info.guidEntityMap).map((h: any) => h.attributes.qualifiedName).sort();

  before(async function () {
    this.timeout(180_000);
    ({ sandbox } = await startTestSandbox('purview-lineage', { tickIntervalMs: 0 }));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    await provisionTenant(sandbox, contoso, names.provider);
    await provisionTenant(sandbox, fabrikam, names.consumer);
    providerPv = purviewClient(sandbox, names.provider.purview, spCredential(sandbox, contoso));
    consumerPv = purviewClient(sandbox, names.consumer.purview, spCredential(sandbox, fabrikam));
  });

  after(async () => {
    await sandbox?.stop();
  });

  it('records the share in each tenant; lineage reads downstream from the provider container', async () => {
    const p = await recordShare(providerPv);
    const c = await recordShare(consumerPv);
    assert.equal(p.mutatedEntities.CREATE.length, 3);
    assert.equal(c.mutatedEntities.CREATE.length, 3);
    const src = await guidOf(providerPv, 'azure_blob_container', shared);
    const proc = await guidOf(providerPv, 'Process', shareQn);
    const dst = await guidOf(providerPv, 'azure_blob_container', received);
    const info = await lineage(providerPv, src, 'OUTPUT', 1);
    assert.equal(info.baseEntityGuid, src);
    assert.equal(info.lineageDirection, 'OUTPUT');
    assert.deepEqual(names_(info), [received, shared, shareQn].sort());
    assert.deepEqual(
      info.relations.map((r: any) => [r.fromEntityId, r.toEntityId]).sort(),
      [
        [src, proc],
        [proc, dst],
      ].sort(),
    );
    for (const r of info.relations) assert.match(r.relationshipId, /^[0-9a-f-]{36}$/);
    assert.equal(info.guidEntityMap[proc].typeName, 'Process');
  });

  it('the consumer reads upstream from its received container, and further at depth', async () => {
    const recv = await guidOf(consumerPv, 'azure_blob_container', received);
    const up = await lineage(consumerPv, recv, 'INPUT', 1);
    assert.deepEqual(names_(up), [received, shared, shareQn].sort());
    // The consumer curates the received data further: depth 2 downstream from the provider container reaches it.
    const res = await consumerPv.path('/datamap/api/atlas/v2/entity').post({
      body: {
        entity: {
          typeName: 'Process',
          attributes: {
            qualifiedName: `etl://curate/${suffix}`,
            name: 'curate',
            inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: received } }],
            outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: curated } }],
          },
        },
        referredEntities: {},
      },
    });
    assert.equal(res.status, '404', 'outputs must exist first');
    assert.equal((res.body as any).errorCode, 'ATLAS-404-00-00A');
    await consumerPv.path('/datamap/api/atlas/v2/entity').post({ body: { entity: { typeName: 'azure_blob_container', attributes: { qualifiedName: curated, name: 'curated' } } } });
    const ok = await consumerPv.path('/datamap/api/atlas/v2/entity').post({
      body: {
        entity: {
          typeName: 'Process',
          attributes: {
            qualifiedName: `etl://curate/${suffix}`,
            name: 'curate',
            inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: received } }],
            outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: curated } }],
          },
        },
      },
    });
    assert.equal(ok.status, '200');
    const src = await guidOf(consumerPv, 'azure_blob_container', shared);
    assert.deepEqual(names_(await lineage(consumerPv, src, 'OUTPUT', 1)), [received, shared, shareQn].sort());
    assert.deepEqual(names_(await lineage(consumerPv, src, 'OUTPUT', 2)), [curated, received, shared, shareQn, `etl://curate/${suffix}`].sort());
    const both = await lineage(consumerPv, recv, 'BOTH', 3);
    assert.deepEqual(names_(both), [curated, received, shared, shareQn, `etl://curate/${suffix}`].sort());
    const byQn = await consumerPv.path('/datamap/api/atlas/v2/lineage/uniqueAttribute/type/{t}', 'azure_blob_container').get({ queryParameters: { 'attr:qualifiedName': curated, direction: 'INPUT', depth: 5 } });
    assert.deepEqual(names_(byQn.body), [curated, received, shared, shareQn, `etl://curate/${suffix}`].sort());
    const next = await consumerPv.path('/datamap/api/lineage/{guid}/next', recv).get({ queryParameters: { direction: 'OUTPUT', offset: 0, limit: 10, 'api-version': '2023-09-01' } });
    assert.equal(next.status, '200');
    assert.equal((next.body as any).childrenCount, 1);
  });

  it('each tenant sees only its own catalog', async () => {
    const consumerAsProvider = purviewClient(sandbox, names.consumer.purview, spCredential(sandbox, contoso));
    const res = await consumerAsProvider.path('/datamap/api/atlas/v2/lineage/uniqueAttribute/type/{t}', 'azure_blob_container').get({ queryParameters: { 'attr:qualifiedName': received, direction: 'BOTH' } });
    assert.equal(res.status, '403');
    const proc = await guidOf(providerPv, 'Process', shareQn);
    const crossGuid = await consumerPv.path('/datamap/api/atlas/v2/entity/guid/{guid}', proc).get();
    assert.equal(crossGuid.status, '404', 'a guid of the other catalog does not exist here');
    assert.equal((crossGuid.body as any).errorCode, 'ATLAS-404-00-005');
  });
});
