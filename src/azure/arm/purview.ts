/**
 * Thin wrapper over `@azure/arm-purview` 1.1 pinned to the latest stable ARM api `2021-12-01`
 * (the SDK defaults to 2021-07-01).
 */
import type { TokenCredential } from '@azure/core-auth';
import { PurviewManagementClient, type Account as PurviewAccount, type CheckNameAvailabilityResult as PurviewNameAvailability } from '@azure/arm-purview';
import type { PagedIterable } from '../core/paging';
import { applyPipelinePolicies } from '../pipeline';
import { coreClientArmOptions, sdkCall, wrapPaged, type ArmSettings, type OperationOptions } from './common';

export type { PurviewAccount, PurviewNameAvailability };

export const PURVIEW_ARM_API_VERSION = '2021-12-01';

export interface PurviewAccountInput {
  location: string;
  tags?: Record<string, string>;
  managedResourceGroupName?: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled' | 'NotSpecified';
}

export class PurviewApi {
  readonly sdk: PurviewManagementClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    private readonly settings: ArmSettings,
  ) {
    this.sdk = new PurviewManagementClient(credential, subscriptionId, { ...coreClientArmOptions(settings), apiVersion: PURVIEW_ARM_API_VERSION });
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  readonly accounts = {
    /** Creates (or updates) an account with a system-assigned identity and waits for provisioning. */
    createAndWait: (resourceGroupName: string, accountName: string, input: PurviewAccountInput, options?: OperationOptions): Promise<PurviewAccount> =>
      sdkCall(() =>
        this.sdk.accounts.beginCreateOrUpdateAndWait(
          resourceGroupName,
          accountName,
          {
            location: input.location,
            identity: { type: 'SystemAssigned' },
            ...(input.tags ? { tags: input.tags } : {}),
            ...(input.managedResourceGroupName ? { managedResourceGroupName: input.managedResourceGroupName } : {}),
            ...(input.publicNetworkAccess ? { publicNetworkAccess: input.publicNetworkAccess } : {}),
          },
          { abortSignal: options?.abortSignal, updateIntervalInMs: this.settings.lro?.intervalInMs },
        ),
      ),
    get: (resourceGroupName: string, accountName: string, options?: OperationOptions): Promise<PurviewAccount> =>
      sdkCall(() => this.sdk.accounts.get(resourceGroupName, accountName, { abortSignal: options?.abortSignal })),
    list: (options?: OperationOptions): PagedIterable<PurviewAccount> => wrapPaged(() => this.sdk.accounts.listBySubscription({ abortSignal: options?.abortSignal })),
    listByResourceGroup: (resourceGroupName: string, options?: OperationOptions): PagedIterable<PurviewAccount> =>
      wrapPaged(() => this.sdk.accounts.listByResourceGroup(resourceGroupName, { abortSignal: options?.abortSignal })),
    deleteAndWait: (resourceGroupName: string, accountName: string, options?: OperationOptions): Promise<void> =>
      sdkCall(() => this.sdk.accounts.beginDeleteAndWait(resourceGroupName, accountName, { abortSignal: options?.abortSignal, updateIntervalInMs: this.settings.lro?.intervalInMs })),
    checkNameAvailability: (name: string, options?: OperationOptions): Promise<PurviewNameAvailability> =>
      sdkCall(() => this.sdk.accounts.checkNameAvailability({ name, type: 'Microsoft.Purview/accounts' }, { abortSignal: options?.abortSignal })),
  };
}
