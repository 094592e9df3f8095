/**
 * Thin wrapper over `@azure/arm-keyvault` 5 (api 2026-02-01): Key Vault vaults for customer-managed
 * keys (soft delete, purge protection, RBAC authorization), plus the storage account update that
 * points an account's encryption at a key (through the account's own `@azure/arm-storage` client).
 * arm-keyvault is built on `@azure-rest/core-client`, like arm-storage: scopes always given.
 */
import type { TokenCredential } from '@azure/core-auth';
import { KeyVaultManagementClient, type Vault, type VaultCreateOrUpdateParameters } from '@azure/arm-keyvault';
import type { StorageAccount, StorageAccountUpdateParameters } from '@azure/arm-storage';
import { applyPipelinePolicies, commonPipelineOptions } from '../pipeline';
import { sdkCall, wrapPaged, type ArmSettings, type OperationOptions } from './common';
import type { StorageApi } from './storage';
import type { PagedIterable } from '../core/paging';

export type { Vault, VaultCreateOrUpdateParameters };

/** Key Vault's built-in roles used for customer-managed keys. */
export const KEY_VAULT_ROLES = {
  /** Manage keys (create, rotate, update, delete): the signed-in user in an RBAC vault. */
  CryptoOfficer: '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
  Administrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  /** Read the key and wrap/unwrap with it: the storage account's identity. */
  CryptoServiceEncryptionUser: 'e147488a-f6f5-4113-8e2d-b22465e65bf6',
  CryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424',
} as const;

export class KeyVaultApi {
  readonly sdk: KeyVaultManagementClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    settings: ArmSettings,
  ) {
    this.sdk = new KeyVaultManagementClient(credential, subscriptionId, {
      ...commonPipelineOptions(settings),
      endpoint: settings.endpoint,
      credentials: { scopes: settings.scopes },
    });
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  readonly vaults = {
    get: (resourceGroupName: string, vaultName: string, options?: OperationOptions): Promise<Vault> =>
      sdkCall(() => this.sdk.vaults.get(resourceGroupName, vaultName, { abortSignal: options?.abortSignal })),
    /** Creates or updates a vault and waits until it is provisioned. */
    createOrUpdate: (resourceGroupName: string, vaultName: string, parameters: VaultCreateOrUpdateParameters, options?: OperationOptions): Promise<Vault> =>
      sdkCall(async () => this.sdk.vaults.createOrUpdate(resourceGroupName, vaultName, parameters, { abortSignal: options?.abortSignal, updateIntervalInMs: 50 })),
    update: (resourceGroupName: string, vaultName: string, properties: NonNullable<Parameters<KeyVaultManagementClient['vaults']['update']>[2]>['properties'], options?: OperationOptions): Promise<Vault> =>
      sdkCall(() => this.sdk.vaults.update(resourceGroupName, vaultName, { properties }, { abortSignal: options?.abortSignal })),
    /** Soft-deletes the vault (with purge protection it stays recoverable, and its name held, for the retention period). */
    delete: (resourceGroupName: string, vaultName: string, options?: OperationOptions): Promise<void> =>
      sdkCall(() => this.sdk.vaults.delete(resourceGroupName, vaultName, { abortSignal: options?.abortSignal })),
    listByResourceGroup: (resourceGroupName: string, options?: OperationOptions): PagedIterable<Vault> =>
      wrapPaged(() => this.sdk.vaults.listByResourceGroup(resourceGroupName, { abortSignal: options?.abortSignal })),
    checkNameAvailability: (name: string, options?: OperationOptions) =>
      sdkCall(() => this.sdk.vaults.checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' }, { abortSignal: options?.abortSignal })),
  };
}

/**
 * PATCHes a storage account's identity and/or encryption (e.g. to a customer-managed key).
 * Azure checks the vault (soft delete, purge protection), the key and the identity's access
 * before accepting; a refusal changes nothing.
 */
export function updateStorageAccount(storage: StorageApi, resourceGroupName: string, accountName: string, parameters: StorageAccountUpdateParameters, options?: OperationOptions): Promise<StorageAccount> {
  return sdkCall(() => storage.sdk.storageAccounts.update(resourceGroupName, accountName, parameters, { abortSignal: options?.abortSignal }));
}
