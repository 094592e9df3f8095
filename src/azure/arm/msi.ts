/** Thin wrapper over `@azure/arm-msi` 2.2 (api 2024-11-30): user-assigned managed identities. */
import type { TokenCredential } from '@azure/core-auth';
import { ManagedServiceIdentityClient, type Identity } from '@azure/arm-msi';
import { applyPipelinePolicies } from '../pipeline';
import { coreClientArmOptions, sdkCall, type ArmSettings, type OperationOptions } from './common';

export type { Identity as UserAssignedIdentity };

export class MsiApi {
  readonly sdk: ManagedServiceIdentityClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    settings: ArmSettings,
  ) {
    this.sdk = new ManagedServiceIdentityClient(credential, subscriptionId, coreClientArmOptions(settings));
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  readonly userAssigned = {
    get: (resourceGroupName: string, name: string, options?: OperationOptions): Promise<Identity> =>
      sdkCall(() => this.sdk.userAssignedIdentities.get(resourceGroupName, name, { abortSignal: options?.abortSignal })),
    createOrUpdate: (resourceGroupName: string, name: string, parameters: { location: string; tags?: Record<string, string> }, options?: OperationOptions): Promise<Identity> =>
      sdkCall(() => this.sdk.userAssignedIdentities.createOrUpdate(resourceGroupName, name, parameters, { abortSignal: options?.abortSignal })),
    delete: (resourceGroupName: string, name: string, options?: OperationOptions): Promise<void> =>
      sdkCall(() => this.sdk.userAssignedIdentities.delete(resourceGroupName, name, { abortSignal: options?.abortSignal })),
  };
}
