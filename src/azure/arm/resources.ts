/** Thin wrapper over `@azure/arm-resources`: resource groups and resource provider registration. */
import type { TokenCredential } from '@azure/core-auth';
import { ResourceManagementClient, type Provider, type ResourceGroup } from '@azure/arm-resources';
import { AzureRequestError } from '../../common/azureErrors';
import type { PagedIterable } from '../core/paging';
import { applyPipelinePolicies, defaultSleep } from '../pipeline';
import { coreClientArmOptions, sdkCall, wrapPaged, type ArmSettings, type OperationOptions } from './common';

export type { Provider, ResourceGroup };

export interface RegisterProviderOptions extends OperationOptions {
  /** Wait until `registrationState` is `Registered` (default true). */
  wait?: boolean;
  /** Poll interval while waiting (default: LRO interval setting, else 5 s). */
  pollIntervalInMs?: number;
  /** Give up after this long (default 10 minutes). */
  timeoutInMs?: number;
  /** Called with each observed registration state. */
  onProgress?: (state: string | undefined) => void;
}

export class ResourcesApi {
  readonly sdk: ResourceManagementClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    private readonly settings: ArmSettings,
  ) {
    this.sdk = new ResourceManagementClient(credential, subscriptionId, coreClientArmOptions(settings));
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  readonly resourceGroups = {
    createOrUpdate: (name: string, parameters: { location: string; tags?: Record<string, string> }, options?: OperationOptions): Promise<ResourceGroup> =>
      sdkCall(() => this.sdk.resourceGroups.createOrUpdate(name, parameters, { abortSignal: options?.abortSignal })),
    get: (name: string, options?: OperationOptions): Promise<ResourceGroup> => sdkCall(() => this.sdk.resourceGroups.get(name, { abortSignal: options?.abortSignal })),
    exists: async (name: string, options?: OperationOptions): Promise<boolean> =>
      (await sdkCall(() => this.sdk.resourceGroups.checkExistence(name, { abortSignal: options?.abortSignal }))).body,
    list: (options?: OperationOptions & { filter?: string }): PagedIterable<ResourceGroup> =>
      wrapPaged(() => this.sdk.resourceGroups.list({ abortSignal: options?.abortSignal, filter: options?.filter })),
    /** Deletes the group and everything in it (LRO). */
    deleteAndWait: (name: string, options?: OperationOptions): Promise<void> =>
      sdkCall(() => this.sdk.resourceGroups.beginDeleteAndWait(name, { abortSignal: options?.abortSignal, updateIntervalInMs: this.settings.lro?.intervalInMs })),
  };

  readonly providers = {
    get: (namespace: string, options?: OperationOptions): Promise<Provider> => sdkCall(() => this.sdk.providers.get(namespace, { abortSignal: options?.abortSignal })),
    /**
     * Registers a resource provider (e.g. `Microsoft.DataShare`) unless already registered, and by
     * default waits until it shows `Registered`.
     */
    register: async (namespace: string, options: RegisterProviderOptions = {}): Promise<Provider> => {
      const signal = options.abortSignal;
      let provider = await this.providers.get(namespace, options);
      options.onProgress?.(provider.registrationState);
      if (provider.registrationState?.toLowerCase() === 'registered') {
        return provider;
      }
      provider = await sdkCall(() => this.sdk.providers.register(namespace, { abortSignal: signal }));
      options.onProgress?.(provider.registrationState);
      if (options.wait === false) {
        return provider;
      }
      const sleep = this.settings.sleep ?? defaultSleep;
      const interval = options.pollIntervalInMs ?? this.settings.lro?.intervalInMs ?? 5000;
      const deadline = Date.now() + (options.timeoutInMs ?? 10 * 60_000);
      while (provider.registrationState?.toLowerCase() !== 'registered') {
        if (Date.now() > deadline) {
          throw new AzureRequestError({
            code: 'RegistrationTimeout',
            message: `${namespace} is still ${provider.registrationState ?? 'registering'} in subscription ${this.subscriptionId}.`,
            nextStep: 'Registration can take several minutes: check again shortly, then retry.',
          });
        }
        await sleep(interval, signal);
        provider = await this.providers.get(namespace, options);
        options.onProgress?.(provider.registrationState);
      }
      return provider;
    },
  };
}
