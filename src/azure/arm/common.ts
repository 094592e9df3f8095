/** Shared helpers for the thin wrappers over the ARM SDKs. */
import { rethrowAsAzureError } from '../../common/azureErrors';
import type { Page, PagedIterable, PageSettings } from '../core/paging';
import { pagedFrom } from '../core/paging';
import { commonPipelineOptions, type CommonPipelineOptions, type PipelineSettings, type SignalLike } from '../pipeline';

export interface ArmSettings extends PipelineSettings {
  /** ARM endpoint (no trailing slash). */
  endpoint: string;
  /** ARM token scopes, always explicit. */
  scopes: string[];
}

export interface OperationOptions {
  abortSignal?: SignalLike;
}

/** Options for `@azure/core-client` based ARM SDKs (resources, authorization, purview). */
export function coreClientArmOptions(settings: ArmSettings): CommonPipelineOptions & { endpoint: string; credentialScopes: string[] } {
  return { ...commonPipelineOptions(settings), endpoint: settings.endpoint, credentialScopes: settings.scopes };
}

/** Runs an SDK call, converting failures to AzureRequestError (aborts stay AbortErrors). */
export async function sdkCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    rethrowAsAzureError(e);
  }
}

interface SdkPaged<T> extends AsyncIterable<T> {
  byPage(settings?: { continuationToken?: string }): AsyncIterableIterator<T[]>;
}

/** Wraps an SDK pager in our PagedIterable, converting errors. */
export function wrapPaged<T>(create: () => SdkPaged<T>): PagedIterable<T> {
  async function* pages(settings?: PageSettings): AsyncIterableIterator<Page<T>> {
    try {
      for await (const page of create().byPage(settings?.continuationToken ? { continuationToken: settings.continuationToken } : undefined)) {
        yield page as Page<T>;
      }
    } catch (e) {
      rethrowAsAzureError(e);
    }
  }
  return pagedFrom<T, Page<T>>(pages);
}

/** Strips one leading slash: ARM SDKs template scopes as `/{scope}`. */
export function sdkScope(scope: string): string {
  return scope.replace(/^\/+/, '');
}
