/**
 * The provider -> consumer Azure Data Share flow, step by step, through the typed clients of
 * src/azure (real SDK clients over HTTPS) against a running sandbox. Used by the flow tests (one
 * step per `it`), the faults run and the sandbox bench. Steps are idempotent where Azure's are
 * (PUTs with fixed names, role assignments with stable names), so a step may be run again.
 */
import * as crypto from 'node:crypto';
import {
  createAzureClients,
  loadSandboxCloud,
  sandboxCredentials,
  type Account,
  type AzureClients,
  type CloudConfig,
  type ConsumerInvitation,
  type ConsumerSourceDataSet,
  type DataSet,
  type DataSetMapping,
  type FactoryOptions,
  type Invitation,
  type SandboxDescription,
  type Share,
  type ShareSubscription,
  type ShareSubscriptionSynchronization,
  type SynchronizationSetting,
} from '../../../src/azure';
import type { StorageAccount } from '../../../src/azure/arm/storage';
import type { RunningSandbox } from '../../../src/sandbox';

export const LOCATION = 'westeurope';

/** Poll fast: the sandbox answers LROs at once (and with Retry-After 0 when started so). */
export const FAST_CLIENTS: FactoryOptions = {
  lro: { intervalInMs: 25, minIntervalInMs: 10, maxIntervalInMs: 250 },
  retry: { maxRetries: 6, retryDelayInMs: 50, maxRetryDelayInMs: 1000, maxRetryAfterInMs: 5000 },
};

export interface FlowEnv {
  cloud: CloudConfig;
  description: SandboxDescription;
  providerTenantId: string;
  consumerTenantId: string;
  providerSub: string;
  consumerSub: string;
  consumerEmail: string;
  consumerUserName: string;
  /** Contoso's service principal. */
  provider: AzureClients;
  /** Fabrikam's service principal (provisioning). */
  consumer: AzureClients;
  /** Fabrikam's user (the invitation's addressee). */
  consumerUser: AzureClients;
}

export async function flowEnv(sandbox: RunningSandbox, options: FactoryOptions = FAST_CLIENTS): Promise<FlowEnv> {
  const { cloud, description } = await loadSandboxCloud(sandbox.descriptionPath);
  const contoso = description.tenants.find((t) => t.displayName === 'Contoso');
  const fabrikam = description.tenants.find((t) => t.displayName === 'Fabrikam');
  if (!contoso || !fabrikam) {
    throw new Error('The sandbox was not started with the demo seed (Contoso and Fabrikam).');
  }
  const caPem = cloud.caPem;
  const user = fabrikam.users[0];
  return {
    cloud,
    description,
    providerTenantId: contoso.tenantId,
    consumerTenantId: fabrikam.tenantId,
    providerSub: contoso.subscriptions[0].subscriptionId,
    consumerSub: fabrikam.subscriptions[0].subscriptionId,
    consumerEmail: user.email,
    consumerUserName: user.displayName ?? user.email,
    provider: createAzureClients(cloud, contoso.tenantId, sandboxCredentials(description, contoso.tenantId, 'servicePrincipal', { caPem }), options),
    consumer: createAzureClients(cloud, fabrikam.tenantId, sandboxCredentials(description, fabrikam.tenantId, 'servicePrincipal', { caPem }), options),
    consumerUser: createAzureClients(cloud, fabrikam.tenantId, sandboxCredentials(description, fabrikam.tenantId, 'user', { caPem }), options),
  };
}

export interface FlowNames {
  providerRg: string;
  providerStorage: string;
  providerContainer: string;
  providerAccount: string;
  share: string;
  dataSet: string;
  syncSetting: string;
  invitation: string;
  consumerRg: string;
  consumerStorage: string;
  consumerContainer: string;
  consumerAccount: string;
  shareSubscription: string;
  mapping: string;
}

/** Fresh names for one run (storage account names are global: 3-24 lowercase letters and digits). */
export function flowNames(tag: string): FlowNames {
  const s = `${tag}${crypto.randomBytes(3).toString('hex')}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  return {
    providerRg: `contoso-${s}`,
    providerStorage: `cso${s}`.slice(0, 24),
    providerContainer: 'sales',
    providerAccount: `contoso-share-${s}`,
    share: `sales-${s}`,
    dataSet: 'sales-container',
    syncSetting: 'daily',
    invitation: 'to-fabrikam',
    consumerRg: `fabrikam-${s}`,
    consumerStorage: `fab${s}`.slice(0, 24),
    consumerContainer: 'landing',
    consumerAccount: `fabrikam-share-${s}`,
    shareSubscription: `sales-from-contoso-${s}`,
    mapping: 'sales-to-landing',
  };
}

/** Deterministic bytes (a pattern, not random) so a copy can be compared exactly. */
export function patternBytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    b[i] = (i * 31 + seed * 17 + (i >> 8)) & 0xff;
  }
  return b;
}

export const FIRST_FILES: Record<string, Buffer> = {
  '2024/01/sales.csv': Buffer.from('id,region,amount\n1,north,10.50\n2,south,20.00\n', 'utf8'),
  '2024/02/sales.csv': Buffer.from('id,region,amount\n3,east,7.25\n4,west,99.99\n5,north,1.00\n', 'utf8'),
  'images/chart.bin': patternBytes(70_000, 3),
};
export const FOURTH_FILE: [string, Buffer] = ['2024/03/sales.csv', Buffer.from('id,region,amount\n6,south,42.00\n', 'utf8')];

export class DataShareFlow {
  storageProvider?: StorageAccount;
  storageConsumer?: StorageAccount;
  providerAccount?: Account;
  consumerAccount?: Account;
  share?: Share;
  dataSet?: DataSet;
  syncSetting?: SynchronizationSetting;
  invitation?: Invitation;
  consumerInvitation?: ConsumerInvitation;
  shareSubscription?: ShareSubscription;
  sources?: ConsumerSourceDataSet[];
  mapping?: DataSetMapping;

  constructor(
    readonly env: FlowEnv,
    readonly names: FlowNames,
  ) {}

  // ---- refs --------------------------------------------------------------------------------------

  get providerAccountRef() {
    return { subscriptionId: this.env.providerSub, resourceGroupName: this.names.providerRg, accountName: this.names.providerAccount };
  }
  get shareRef() {
    return { ...this.providerAccountRef, shareName: this.names.share };
  }
  get consumerAccountRef() {
    return { subscriptionId: this.env.consumerSub, resourceGroupName: this.names.consumerRg, accountName: this.names.consumerAccount };
  }
  get shareSubscriptionRef() {
    return { ...this.consumerAccountRef, shareSubscriptionName: this.names.shareSubscription };
  }
  providerShareSubscriptionRef(id: string) {
    return { ...this.shareRef, providerShareSubscriptionId: id };
  }

  providerBlob() {
    return this.env.provider.blob(this.storageProvider?.primaryEndpoints?.blob ?? this.env.provider.blobForAccount(this.names.providerStorage).blobEndpoint);
  }
  consumerBlob() {
    return this.env.consumer.blob(this.storageConsumer?.primaryEndpoints?.blob ?? this.env.consumer.blobForAccount(this.names.consumerStorage).blobEndpoint);
  }

  // ---- provider ----------------------------------------------------------------------------------

  async providerRegister(): Promise<string | undefined> {
    return (await this.env.provider.resources(this.env.providerSub).providers.register('Microsoft.DataShare', { pollIntervalInMs: 20 })).registrationState;
  }

  /** Resource group, HNS storage account, container; the SP gets a data role to upload with its token. */
  async providerStorage(): Promise<StorageAccount> {
    const { provider, providerSub } = this.env;
    const n = this.names;
    await provider.resources(providerSub).resourceGroups.createOrUpdate(n.providerRg, { location: LOCATION });
    const storage = provider.storage(providerSub);
    this.storageProvider = await storage.accounts.createAndWait(n.providerRg, n.providerStorage, {
      location: LOCATION,
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      isHnsEnabled: true,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
    });
    await storage.containers.create(n.providerRg, n.providerStorage, n.providerContainer);
    return this.storageProvider;
  }

  /** Storage Blob Data Contributor for the caller itself (Owner has no data actions in Azure). */
  async providerDataRoleForSelf(): Promise<void> {
    const sp = this.env.description.tenants.find((t) => t.tenantId === this.env.providerTenantId)?.servicePrincipals[0];
    if (!sp || !this.storageProvider?.id) {
      throw new Error('provider storage first');
    }
    await this.env.provider.authorization(this.env.providerSub).ensureRoleAssignment({ scope: this.storageProvider.id, role: 'StorageBlobDataContributor', principalId: sp.objectId, principalType: 'ServicePrincipal' });
  }

  async upload(files: Record<string, Buffer>, concurrency = 8): Promise<void> {
    const blob = this.providerBlob();
    const entries = Object.entries(files);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, entries.length) }, async () => {
        while (next < entries.length) {
          const [name, bytes] = entries[next++];
          await blob.upload(this.names.providerContainer, name, bytes);
        }
      }),
    );
  }

  async createProviderAccount(): Promise<Account> {
    this.providerAccount = await this.env.provider.dataShare.accounts.createOrUpdateAndWait(this.providerAccountRef, { location: LOCATION });
    return this.providerAccount;
  }

  async grantReader() {
    return this.env.provider.authorization(this.env.providerSub).ensureRoleAssignment({
      scope: this.storageProvider?.id as string,
      role: 'StorageBlobDataReader',
      principalId: this.providerAccount?.identity.principalId as string,
      principalType: 'ServicePrincipal',
      description: 'Data Share account reads the shared container',
    });
  }

  async createShare(): Promise<Share> {
    const ds = this.env.provider.dataShare;
    this.share = await ds.shares.createOrUpdate(this.shareRef, { properties: { shareKind: 'CopyBased', description: 'Monthly sales by region', terms: 'Internal analytics only' } });
    return this.share;
  }

  async createDataSet(): Promise<DataSet> {
    this.dataSet = await this.env.provider.dataShare.dataSets.createOrUpdate(
      { ...this.shareRef, dataSetName: this.names.dataSet },
      { kind: 'Container', properties: { containerName: this.names.providerContainer, resourceGroup: this.names.providerRg, storageAccountName: this.names.providerStorage, subscriptionId: this.env.providerSub } },
    );
    return this.dataSet;
  }

  async createSyncSetting(): Promise<SynchronizationSetting> {
    this.syncSetting = await this.env.provider.dataShare.synchronizationSettings.createOrUpdate(
      { ...this.shareRef, synchronizationSettingName: this.names.syncSetting },
      { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: '2030-01-01T06:00:00Z' } },
    );
    return this.syncSetting;
  }

  async invite(): Promise<Invitation> {
    this.invitation = await this.env.provider.dataShare.invitations.createOrUpdate({ ...this.shareRef, invitationName: this.names.invitation }, { properties: { targetEmail: this.env.consumerEmail } });
    return this.invitation;
  }

  /** Everything the provider does before the consumer acts. */
  async provide(files: Record<string, Buffer>): Promise<void> {
    await this.providerRegister();
    await this.providerStorage();
    await this.providerDataRoleForSelf();
    await this.upload(files);
    await this.createProviderAccount();
    await this.grantReader();
    await this.createShare();
    await this.createDataSet();
    await this.createSyncSetting();
    await this.invite();
  }

  // ---- consumer ----------------------------------------------------------------------------------

  async consumerRegister(): Promise<string | undefined> {
    return (await this.env.consumer.resources(this.env.consumerSub).providers.register('Microsoft.DataShare', { pollIntervalInMs: 20 })).registrationState;
  }

  async listInvitationsAsConsumer(): Promise<ConsumerInvitation[]> {
    return (await this.env.consumerUser.dataShare.consumerInvitations.list().collect()).items;
  }

  async findInvitation(): Promise<ConsumerInvitation> {
    const id = this.invitation?.properties?.invitationId;
    const found = (await this.listInvitationsAsConsumer()).find((i) => i.properties.invitationId === id);
    if (!found) {
      throw new Error(`invitation ${String(id)} not visible to the consumer`);
    }
    this.consumerInvitation = found;
    return found;
  }

  async consumerStorage(): Promise<StorageAccount> {
    const { consumer, consumerSub } = this.env;
    const n = this.names;
    await consumer.resources(consumerSub).resourceGroups.createOrUpdate(n.consumerRg, { location: LOCATION });
    const storage = consumer.storage(consumerSub);
    this.storageConsumer = await storage.accounts.createAndWait(n.consumerRg, n.consumerStorage, {
      location: LOCATION,
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
    });
    await storage.containers.create(n.consumerRg, n.consumerStorage, n.consumerContainer);
    // The consumer's own SP reads the received data with a token: it needs a data role too.
    const sp = this.env.description.tenants.find((t) => t.tenantId === this.env.consumerTenantId)?.servicePrincipals[0];
    await consumer.authorization(consumerSub).ensureRoleAssignment({ scope: this.storageConsumer.id as string, role: 'StorageBlobDataReader', principalId: sp?.objectId as string, principalType: 'ServicePrincipal' });
    return this.storageConsumer;
  }

  async createConsumerAccount(): Promise<Account> {
    this.consumerAccount = await this.env.consumer.dataShare.accounts.createOrUpdateAndWait(this.consumerAccountRef, { location: LOCATION });
    return this.consumerAccount;
  }

  async grantContributor() {
    return this.env.consumer.authorization(this.env.consumerSub).ensureRoleAssignment({
      scope: this.storageConsumer?.id as string,
      role: 'StorageBlobDataContributor',
      principalId: this.consumerAccount?.identity.principalId as string,
      principalType: 'ServicePrincipal',
      description: 'Data Share account writes received data',
    });
  }

  /** The user accepts (creates the share subscription). */
  async accept(): Promise<ShareSubscription> {
    const inv = this.consumerInvitation ?? (await this.findInvitation());
    this.shareSubscription = await this.env.consumerUser.dataShare.shareSubscriptions.accept(this.shareSubscriptionRef, {
      invitationId: inv.properties.invitationId,
      sourceShareLocation: inv.properties.location as string,
    });
    return this.shareSubscription;
  }

  async listSources(): Promise<ConsumerSourceDataSet[]> {
    this.sources = (await this.env.consumerUser.dataShare.consumerSourceDataSets.listByShareSubscription(this.shareSubscriptionRef).collect()).items;
    return this.sources;
  }

  async map(): Promise<DataSetMapping> {
    const source = (this.sources ?? (await this.listSources()))[0];
    this.mapping = await this.env.consumerUser.dataShare.dataSetMappings.createOrUpdate(
      { ...this.shareSubscriptionRef, dataSetMappingName: this.names.mapping },
      {
        kind: 'Container',
        properties: {
          dataSetId: source.properties?.dataSetId as string,
          containerName: this.names.consumerContainer,
          resourceGroup: this.names.consumerRg,
          storageAccountName: this.names.consumerStorage,
          subscriptionId: this.env.consumerSub,
        },
      },
    );
    return this.mapping;
  }

  synchronize(mode: 'FullSync' | 'Incremental'): Promise<ShareSubscriptionSynchronization> {
    return this.env.consumerUser.dataShare.shareSubscriptions.synchronizeAndWait(this.shareSubscriptionRef, { synchronizationMode: mode });
  }

  /** Everything the consumer does up to (not including) the first snapshot. */
  async receive(): Promise<void> {
    await this.consumerRegister();
    await this.findInvitation();
    await this.consumerStorage();
    await this.createConsumerAccount();
    await this.grantContributor();
    await this.accept();
    await this.listSources();
    await this.map();
  }

  async consumerBlobs(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for await (const b of this.consumerBlob().list(this.names.consumerContainer)) {
      out.set(b.name, b.size);
    }
    return out;
  }
}
