/**
 * A cross-tenant lineage scene in a running sandbox, set up through the product's own clients
 * (shared by the lineage extension-host and UI tests): Contoso shares a container with Fabrikam
 * through Azure Data Share (account, share, data set, invitation, acceptance, mapping, a FullSync
 * snapshot), and both tenants' Purview accounts record the lineage the way the workflows do:
 * the `azure_datashare_snapshot` type, one snapshot process per (share subscription, data set) in
 * BOTH catalogs, the other tenant's asset as a stub with the canonical qualifiedName.
 *
 *   Contoso catalog:  raw (container) -> nightly-etl -> sales (container, Email) -> snapshot -> landing (stub)
 *   Fabrikam catalog: sales (stub) -> snapshot -> landing (container) -> report-job -> reports (container)
 */
import type { AzureClients } from '../../src/azure';
import { createAzureClients, loadSandboxCloud, sandboxCredentials } from '../../src/azure';
import { blobQualifiedName, SNAPSHOT_PROCESS_TYPE, snapshotProcessQualifiedName, snapshotProcessTypeDef } from '../../src/lineage/snapshotProcess';
import type { RunningSandbox } from '../../src/sandbox';
import { DataShareFlow, FIRST_FILES, flowEnv, flowNames, LOCATION } from '../integration/support/flow';

export interface LineageScene {
  flow: DataShareFlow;
  providerPurview: string;
  consumerPurview: string;
  providerQn: string;
  consumerQn: string;
  reportsQn: string;
  rawQn: string;
  snapshotStatus: string;
}

async function registerPurview(clients: AzureClients, sub: string, rg: string, name: string): Promise<void> {
  await clients.resources(sub).providers.register('Microsoft.Purview', { pollIntervalInMs: 20 });
  await clients.resources(sub).resourceGroups.createOrUpdate(rg, { location: LOCATION });
  await clients.purview(sub).accounts.createAndWait(rg, name, { location: LOCATION });
  await clients.purviewDataPlane(name).dataMap.typeDefinitions.create(snapshotProcessTypeDef() as never);
}

export async function createLineageScene(sandbox: Pick<RunningSandbox, 'descriptionPath'>, tag = 'lin'): Promise<LineageScene> {
  const env = await flowEnv(sandbox as RunningSandbox);
  const flow = new DataShareFlow(env, flowNames(tag));
  await flow.provide(FIRST_FILES);
  await flow.receive();
  const sync = await flow.synchronize('FullSync');
  const n = flow.names;

  // The people of each tenant (the extension reads Purview as them).
  const { cloud, description } = await loadSandboxCloud(sandbox.descriptionPath);
  const user = (tenantId: string) => createAzureClients(cloud, tenantId, sandboxCredentials(description, tenantId, 'user', { caPem: cloud.caPem }), { lro: { intervalInMs: 25 } });
  const providerUser = user(env.providerTenantId);
  const consumerUser = user(env.consumerTenantId);
  const suffix = n.providerStorage.slice(3, 12);
  const providerPurview = `cso-pv-${suffix}`;
  const consumerPurview = `fab-pv-${suffix}`;
  await registerPurview(providerUser, env.providerSub, n.providerRg, providerPurview);
  await registerPurview(consumerUser, env.consumerSub, n.consumerRg, consumerPurview);

  const providerQn = blobQualifiedName(n.providerStorage, n.providerContainer);
  const consumerQn = blobQualifiedName(n.consumerStorage, n.consumerContainer);
  const rawQn = blobQualifiedName(n.providerStorage, 'raw');
  const reportsQn = blobQualifiedName(n.consumerStorage, 'reports');
  const attrs = {
    providerTenantId: env.providerTenantId, consumerTenantId: env.consumerTenantId, providerAccountName: n.providerAccount, shareName: n.share,
    consumerAccountName: n.consumerAccount, shareSubscriptionName: n.shareSubscription, dataSetName: n.dataSet,
    synchronizationId: sync.synchronizationId, synchronizationMode: sync.synchronizationMode ?? 'FullSync', synchronizationStatus: sync.status ?? 'Succeeded', snapshotTime: sync.endTime ?? new Date().toISOString(),
  };
  const qualifiedName = snapshotProcessQualifiedName(attrs);
  const container = (guid: string, qn: string, name: string, extra: Record<string, unknown> = {}) => ({ guid, typeName: 'azure_blob_container', attributes: { qualifiedName: qn, name }, ...extra });
  const snapshot = (ins: string, outs: string) => ({ guid: '-9', typeName: SNAPSHOT_PROCESS_TYPE, attributes: { qualifiedName, name: `Snapshot ${n.dataSet}`, ...attrs, inputs: [{ guid: ins }], outputs: [{ guid: outs }] } });

  await providerUser.purviewDataPlane(providerPurview).dataMap.entities.bulkCreateOrUpdate({
    entities: [
      container('-1', rawQn, 'raw'),
      { guid: '-2', typeName: 'Process', attributes: { qualifiedName: `adf://contoso/${suffix}/nightly-etl`, name: 'nightly-etl', inputs: [{ guid: '-1' }], outputs: [{ guid: '-3' }] } },
      container('-3', providerQn, n.providerContainer, { classifications: [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }] }),
      container('-4', consumerQn, n.consumerContainer),
      snapshot('-3', '-4'),
    ],
  } as never);
  await consumerUser.purviewDataPlane(consumerPurview).dataMap.entities.bulkCreateOrUpdate({
    entities: [
      container('-3', providerQn, n.providerContainer),
      container('-4', consumerQn, n.consumerContainer),
      snapshot('-3', '-4'),
      { guid: '-5', typeName: 'Process', attributes: { qualifiedName: `adf://fabrikam/${suffix}/report-job`, name: 'report-job', inputs: [{ guid: '-4' }], outputs: [{ guid: '-6' }] } },
      container('-6', reportsQn, 'reports'),
    ],
  } as never);
  return { flow, providerPurview, consumerPurview, providerQn, consumerQn, reportsQn, rawQn, snapshotStatus: attrs.synchronizationStatus };
}
