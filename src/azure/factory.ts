/**
 * The one factory that builds every Azure client for a (cloud, tenant credential) pair.
 * Clients are created on first use and cached per (cloud, tenant); ARM SDK wrappers are further
 * cached per subscription, blob clients per endpoint. Tenancy is explicit: nothing here assumes a
 * single signed-in tenant, and one tenant's failure cannot affect another's clients.
 */
import type { TokenCredential } from '@azure/core-auth';
import { AuthorizationApi } from './arm/authorization';
import { KeyVaultApi } from './arm/keyvault';
import { MsiApi } from './arm/msi';
import { KeyVaultKeysApi } from './keyvaultKeys';
import { EventGridApi } from './arm/eventgrid';
import { EventGridPublisher } from './eventgrid/publisher';
import type { ArmSettings } from './arm/common';
import { LogicApi } from './arm/logic';
import { PurviewApi } from './arm/purview';
import { ResourcesApi } from './arm/resources';
import { StorageApi } from './arm/storage';
import { BlobApi } from './blob';
import { blobEndpointFor, purviewEndpointFor, SCOPES, type CloudConfig } from './cloud';
import { DataShareClient } from './datashare/client';
import { GRAPH_PUBLIC_ENDPOINT, GraphApi } from './graph';
import { allowArmBatching } from './http2Client';
import type { PipelineSettings } from './pipeline';
import { normalizeEndpoint } from './purview/caller';
import { assertPurviewAccountName, isEndpointUrl, PurviewDataPlaneClient } from './purview/client';

/** Everything but the CA (which comes from the cloud). */
export type FactoryOptions = Omit<PipelineSettings, 'caPem'>;

export class AzureClients {
  private dataShareClient: DataShareClient | undefined;
  private readonly perSubscription = new Map<string, unknown>();
  private readonly blobs = new Map<string, BlobApi>();
  private readonly purviewPlanes = new Map<string, PurviewDataPlaneClient>();
  private graphClient: GraphApi | undefined;

  constructor(
    readonly cloud: CloudConfig,
    readonly tenantId: string,
    readonly credential: TokenCredential,
    private readonly options: FactoryOptions = {},
  ) {
    allowArmBatching(cloud.armEndpoint);
  }

  /** Pipeline settings every ARM client of this tenant uses. */
  get armSettings(): ArmSettings {
    return { ...this.options, caPem: this.cloud.caPem, endpoint: this.cloud.armEndpoint, scopes: [SCOPES.arm] };
  }

  /** Azure Data Share (2021-08-01); subscription ids are passed per call. */
  get dataShare(): DataShareClient {
    this.dataShareClient ??= new DataShareClient(this.credential, { ...this.armSettings, batchReads: true });
    return this.dataShareClient;
  }

  resources(subscriptionId: string): ResourcesApi {
    return this.cached('resources', subscriptionId, () => new ResourcesApi(this.credential, subscriptionId, this.armSettings));
  }

  storage(subscriptionId: string): StorageApi {
    return this.cached('storage', subscriptionId, () => new StorageApi(this.credential, subscriptionId, this.armSettings));
  }

  authorization(subscriptionId: string): AuthorizationApi {
    return this.cached('authorization', subscriptionId, () => new AuthorizationApi(this.credential, subscriptionId, this.armSettings));
  }

  purview(subscriptionId: string): PurviewApi {
    return this.cached('purview', subscriptionId, () => new PurviewApi(this.credential, subscriptionId, this.armSettings));
  }

  /** Logic Apps (Consumption workflows, runs) and the approval channel their wait action uses. */
  logic(subscriptionId: string): LogicApi {
    return this.cached('logic', subscriptionId, () => new LogicApi(this.credential, subscriptionId, this.armSettings));
  }

  /** Event Grid topics and event subscriptions (ARM, @azure/arm-eventgrid). */
  eventGrid(subscriptionId: string): EventGridApi {
    return this.cached('eventGrid', subscriptionId, () => new EventGridApi(this.credential, subscriptionId, this.armSettings));
  }

  /** Publishes CloudEvents to a topic endpoint with this tenant's Entra credential (or a topic key); the cloud's CA. */
  eventGridPublisher(topicEndpoint: string, key?: string): EventGridPublisher {
    return new EventGridPublisher(topicEndpoint, key ? { key } : this.credential, { ...this.options, caPem: this.cloud.caPem });
  }

  /** Key Vault vaults (ARM, @azure/arm-keyvault). */
  keyVault(subscriptionId: string): KeyVaultApi {
    return this.cached('keyVault', subscriptionId, () => new KeyVaultApi(this.credential, subscriptionId, this.armSettings));
  }

  /** User-assigned managed identities (ARM, @azure/arm-msi). */
  msi(subscriptionId: string): MsiApi {
    return this.cached('msi', subscriptionId, () => new MsiApi(this.credential, subscriptionId, this.armSettings));
  }

  /** Keys of one vault (data plane, @azure/keyvault-keys) by its `vaultUri`; the 401 challenge picks the token. */
  keyVaultKeys(vaultUrl: string): KeyVaultKeysApi {
    return this.cached('keyVaultKeys', vaultUrl.replace(/\/+$/, ''), () => new KeyVaultKeysApi(vaultUrl, this.credential, { ...this.options, cloud: this.cloud }));
  }

  /** Blob data access for an account's blob endpoint (prefer ARM's `primaryEndpoints.blob`). */
  blob(blobEndpoint: string): BlobApi {
    const key = blobEndpoint.replace(/\/?$/, '/').toLowerCase();
    let api = this.blobs.get(key);
    if (!api) {
      api = new BlobApi(blobEndpoint, this.credential, { caPem: this.cloud.caPem, userAgent: this.options.userAgent, retry: this.options.retry, scopes: [SCOPES.storage] });
      this.blobs.set(key, api);
    }
    return api;
  }

  /** Blob data access by account name, using the cloud's endpoint convention. */
  blobForAccount(accountName: string): BlobApi {
    return this.blob(blobEndpointFor(this.cloud, accountName));
  }

  /**
   * The Purview data plane of one account (Data Map, scanning, collections), by account name
   * (endpoint from the cloud: `https://{name}.purview.azure.com`, or the sandbox's) or by endpoint
   * URL. Cached per endpoint; token scope `https://purview.azure.net/.default`; the cloud's CA.
   */
  purviewDataPlane(accountEndpointOrName: string): PurviewDataPlaneClient {
    const input = accountEndpointOrName.trim();
    if (!isEndpointUrl(input)) {
      assertPurviewAccountName(input);
    }
    const endpoint = normalizeEndpoint(isEndpointUrl(input) ? input : purviewEndpointFor(this.cloud, input));
    const key = endpointKey(endpoint);
    let client = this.purviewPlanes.get(key);
    if (!client) {
      client = new PurviewDataPlaneClient(endpoint, this.credential, { ...this.options, caPem: this.cloud.caPem, scopes: [SCOPES.purview] });
      this.purviewPlanes.set(key, client);
    }
    return client;
  }

  /**
   * Microsoft Graph (v1.0) for this tenant: B2B guest invitations and cross-tenant access partners.
   * Endpoint: the cloud's `graphEndpoint` when it has one, the sandbox's `{armEndpoint}/graph`, else
   * public Graph; token scope `https://graph.microsoft.com/.default`; the cloud's CA.
   */
  graph(): GraphApi {
    this.graphClient ??= new GraphApi(this.credential, { ...this.options, caPem: this.cloud.caPem, endpoint: graphEndpointFor(this.cloud), scopes: [SCOPES.graph], tenantId: this.tenantId });
    return this.graphClient;
  }

  private cached<T>(kind: string, subscriptionId: string, create: () => T): T {
    const key = `${kind}:${subscriptionId.toLowerCase()}`;
    let client = this.perSubscription.get(key) as T | undefined;
    if (!client) {
      client = create();
      this.perSubscription.set(key, client);
    }
    return client;
  }
}

export class AzureClientFactory {
  private readonly tenants = new Map<string, AzureClients>();

  constructor(private readonly options: FactoryOptions = {}) {}

  /**
   * Clients for one tenant in one cloud. The same (cloud, tenant) returns the cached set unless
   * a different credential object is passed (e.g. after signing in again), which replaces it.
   */
  forTenant(cloud: CloudConfig, tenantId: string, credential: TokenCredential): AzureClients {
    const key = cacheKey(cloud, tenantId);
    const existing = this.tenants.get(key);
    if (existing && existing.credential === credential) {
      return existing;
    }
    const clients = new AzureClients(cloud, tenantId, credential, this.options);
    this.tenants.set(key, clients);
    return clients;
  }

  /** Drops cached clients for one tenant (or for every tenant of a cloud, or everything). */
  forget(cloud?: CloudConfig, tenantId?: string): void {
    if (!cloud) {
      this.tenants.clear();
      return;
    }
    if (tenantId) {
      this.tenants.delete(cacheKey(cloud, tenantId));
      return;
    }
    for (const key of [...this.tenants.keys()]) {
      if (key.startsWith(`${cloud.id}|`)) {
        this.tenants.delete(key);
      }
    }
  }
}

/** Graph's base for a cloud (a `graphEndpoint` on the cloud config wins, should it carry one). */
function graphEndpointFor(cloud: CloudConfig): string {
  const announced = (cloud as CloudConfig & { graphEndpoint?: string }).graphEndpoint;
  if (announced) {
    return announced;
  }
  return cloud.kind === 'sandbox' ? `${cloud.armEndpoint}/graph` : GRAPH_PUBLIC_ENDPOINT;
}

/** Scheme, host and port case-insensitive; the path as given. */
function endpointKey(endpoint: string): string {
  const u = new URL(endpoint);
  return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
}

function cacheKey(cloud: CloudConfig, tenantId: string): string {
  return `${cloud.id}|${tenantId.toLowerCase()}`;
}

/** Convenience: one-off clients without a shared factory. */
export function createAzureClients(cloud: CloudConfig, tenantId: string, credential: TokenCredential, options?: FactoryOptions): AzureClients {
  return new AzureClients(cloud, tenantId, credential, options);
}
