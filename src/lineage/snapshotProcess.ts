/**
 * The contract between the workflows that record cross-tenant lineage and the graph builder that
 * reads it: a custom Atlas type (a Process) for a Data Share snapshot, registered once in each
 * tenant's Purview account, and the canonical qualifiedNames assets are matched by.
 *
 * One entity per (share subscription, dataset): its qualifiedName is stable, so a later snapshot
 * updates the same entity (never a duplicate) and its attributes describe the last snapshot.
 */

/** Atlas entity type name of a Data Share snapshot process. */
export const SNAPSHOT_PROCESS_TYPE = 'azure_datashare_snapshot';

/** Attributes of a snapshot process (besides qualifiedName, name, inputs and outputs). */
export interface SnapshotProcessAttributes {
  providerTenantId: string;
  consumerTenantId: string;
  /** Provider's Data Share account and share. */
  providerAccountName: string;
  shareName: string;
  /** Consumer's Data Share account and share subscription. */
  consumerAccountName: string;
  shareSubscriptionName: string;
  dataSetName: string;
  /** Last synchronization recorded: id, mode (FullSync | Incremental), status and end time (ISO 8601). */
  synchronizationId: string;
  synchronizationMode: string;
  synchronizationStatus: string;
  snapshotTime: string;
}

/** Typedef body for POST /datamap/api/atlas/v2/types/typedefs (registered once per account). */
export function snapshotProcessTypeDef(): { entityDefs: Array<Record<string, unknown>> } {
  const str = (name: string) => ({ name, typeName: 'string', isOptional: true, cardinality: 'SINGLE', isUnique: false, isIndexable: true });
  return {
    entityDefs: [
      {
        name: SNAPSHOT_PROCESS_TYPE,
        description: 'An Azure Data Share snapshot copying data from a provider tenant to a consumer tenant (recorded by Governed Data Share).',
        superTypes: ['Process'],
        serviceType: 'Azure Data Share',
        typeVersion: '1.0',
        attributeDefs: [
          'providerTenantId', 'consumerTenantId', 'providerAccountName', 'shareName', 'consumerAccountName',
          'shareSubscriptionName', 'dataSetName', 'synchronizationId', 'synchronizationMode', 'synchronizationStatus', 'snapshotTime',
        ].map(str),
      },
    ],
  };
}

/** `datashare://{providerTenant}/{providerAccount}/{share}/{consumerTenant}/{consumerAccount}/{shareSubscription}/{dataSet}` (lowercase). */
export function snapshotProcessQualifiedName(a: Pick<SnapshotProcessAttributes, 'providerTenantId' | 'providerAccountName' | 'shareName' | 'consumerTenantId' | 'consumerAccountName' | 'shareSubscriptionName' | 'dataSetName'>): string {
  return `datashare://${[a.providerTenantId, a.providerAccountName, a.shareName, a.consumerTenantId, a.consumerAccountName, a.shareSubscriptionName, a.dataSetName].map((s) => encodeURIComponent(s.toLowerCase())).join('/')}`;
}

/**
 * Purview's canonical qualifiedName of a blob asset, built from the storage account NAME (never
 * from the endpoint the data is served from, which differs in the sandbox and sovereign clouds):
 * `https://{account}.blob.core.windows.net/{container}` or `…/{container}/{path}`.
 */
export function blobQualifiedName(storageAccountName: string, container: string, blobPath?: string): string {
  const base = `https://${storageAccountName.toLowerCase()}.blob.core.windows.net/${container}`;
  const p = (blobPath ?? '').replace(/^\/+|\/+$/g, '');
  return p ? `${base}/${p}` : base;
}

/** Parses a canonical blob qualifiedName back into its parts, or undefined when it is not one. */
export function parseBlobQualifiedName(qualifiedName: string): { storageAccountName: string; container: string; path: string } | undefined {
  const m = /^https:\/\/([a-z0-9]{3,24})\.blob\.core\.windows\.net\/([^/]+)(?:\/(.*?))?\/?$/i.exec(qualifiedName);
  return m ? { storageAccountName: m[1].toLowerCase(), container: m[2], path: m[3] ?? '' } : undefined;
}
