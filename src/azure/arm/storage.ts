/**
 * Thin wrapper over `@azure/arm-storage` 20 (api 2025-08-01): storage accounts and blob
 * containers. arm-storage is built on `@azure-rest/core-client` and asks for
 * `https://management.azure.com/.default` unless `credentials.scopes` is given: we always give it.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  StorageManagementClient,
  type BlobContainer,
  type CheckNameAvailabilityResult,
  type ListContainerItem,
  type StorageAccount,
  type StorageAccountCreateParameters,
  type StorageAccountKey,
} from '@azure/arm-storage';
import type { PagedIterable } from '../core/paging';
import { applyPipelinePolicies, commonPipelineOptions } from '../pipeline';
import { sdkCall, wrapPaged, type ArmSettings, type OperationOptions } from './common';

export type { BlobContainer, CheckNameAvailabilityResult, ListContainerItem, StorageAccount, StorageAccountCreateParameters, StorageAccountKey };

/** Sensible defaults for a data-sharing account: StorageV2, LRS, TLS 1.2, no public blob access. */
export function defaultStorageAccountParameters(location: string, options: { hierarchicalNamespace?: boolean; tags?: Record<string, string> } = {}): StorageAccountCreateParameters {
  return {
    location,
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    minimumTlsVersion: 'TLS1_2',
    allowBlobPublicAccess: false,
    enableHttpsTrafficOnly: true,
    ...(options.hierarchicalNamespace ? { isHnsEnabled: true } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
  };
}

export class StorageApi {
  readonly sdk: StorageManagementClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    private readonly settings: ArmSettings,
  ) {
    this.sdk = new StorageManagementClient(credential, subscriptionId, {
      ...commonPipelineOptions(settings),
      endpoint: settings.endpoint,
      credentials: { scopes: settings.scopes },
    });
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  readonly accounts = {
    /** Creates (or updates) an account and waits for provisioning (202 + Location polling). */
    createAndWait: (resourceGroupName: string, accountName: string, parameters: StorageAccountCreateParameters, options?: OperationOptions): Promise<StorageAccount> =>
      sdkCall(() =>
        this.sdk.storageAccounts.beginCreateAndWait(resourceGroupName, accountName, parameters, {
          abortSignal: options?.abortSignal,
          updateIntervalInMs: this.settings.lro?.intervalInMs,
        }),
      ),
    get: (resourceGroupName: string, accountName: string, options?: OperationOptions): Promise<StorageAccount> =>
      sdkCall(() => this.sdk.storageAccounts.getProperties(resourceGroupName, accountName, { abortSignal: options?.abortSignal })),
    list: (options?: OperationOptions): PagedIterable<StorageAccount> => wrapPaged(() => this.sdk.storageAccounts.list({ abortSignal: options?.abortSignal })),
    listByResourceGroup: (resourceGroupName: string, options?: OperationOptions): PagedIterable<StorageAccount> =>
      wrapPaged(() => this.sdk.storageAccounts.listByResourceGroup(resourceGroupName, { abortSignal: options?.abortSignal })),
    delete: (resourceGroupName: string, accountName: string, options?: OperationOptions): Promise<void> =>
      sdkCall(() => this.sdk.storageAccounts.delete(resourceGroupName, accountName, { abortSignal: options?.abortSignal })),
    checkNameAvailability: (name: string, options?: OperationOptions): Promise<CheckNameAvailabilityResult> =>
      sdkCall(() => this.sdk.storageAccounts.checkNameAvailability({ name, type: 'Microsoft.Storage/storageAccounts' }, { abortSignal: options?.abortSignal })),
    /** Account keys are secrets: never log or display them. */
    listKeys: async (resourceGroupName: string, accountName: string, options?: OperationOptions): Promise<StorageAccountKey[]> =>
      (await sdkCall(() => this.sdk.storageAccounts.listKeys(resourceGroupName, accountName, { abortSignal: options?.abortSignal }))).keys ?? [],
  };

  readonly containers = {
    create: (resourceGroupName: string, accountName: string, containerName: string, container: BlobContainer = { publicAccess: 'None' }, options?: OperationOptions): Promise<BlobContainer> =>
      sdkCall(() => this.sdk.blobContainers.create(resourceGroupName, accountName, containerName, container, { abortSignal: options?.abortSignal })),
    get: (resourceGroupName: string, accountName: string, containerName: string, options?: OperationOptions): Promise<BlobContainer> =>
      sdkCall(() => this.sdk.blobContainers.get(resourceGroupName, accountName, containerName, { abortSignal: options?.abortSignal })),
    list: (resourceGroupName: string, accountName: string, options?: OperationOptions): PagedIterable<ListContainerItem> =>
      wrapPaged(() => this.sdk.blobContainers.list(resourceGroupName, accountName, { abortSignal: options?.abortSignal })),
    delete: (resourceGroupName: string, accountName: string, containerName: string, options?: OperationOptions): Promise<void> =>
      sdkCall(() => this.sdk.blobContainers.delete(resourceGroupName, accountName, containerName, { abortSignal: options?.abortSignal })),
  };
}
