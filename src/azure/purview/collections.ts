/**
 * Purview collections on the account data plane (`{endpoint}/account/collections`,
 * api-version 2019-11-01-preview, swagger `Azure.Analytics.Purview.Account/preview/2019-11-01-preview/account.json`).
 * The root collection's name is the account name; a new collection names its parent with
 * `parentCollection: {referenceName}`.
 */
import type { PagedIterable } from '../core/paging';
import type { SignalLike } from '../pipeline';
import { seg, type PurviewCaller, type PurviewQueryValue } from './caller';
import { nextLinkPaged } from './paging';

export const COLLECTIONS_API_VERSION = '2019-11-01-preview';
const BASE = '/account/collections';

export interface CollectionsOperationOptions {
  abortSignal?: SignalLike;
}

export interface CollectionsListOptions extends CollectionsOperationOptions {
  /** Start from a `$skipToken` (pages are followed automatically). */
  skipToken?: string;
}

export type CollectionProvisioningState = 'Unknown' | 'Creating' | 'Moving' | 'Deleting' | 'Failed' | 'Succeeded';

export interface CollectionParentReference {
  referenceName: string;
  readonly type?: 'CollectionReference' | (string & {});
}

export interface CollectionSystemData {
  createdAt?: string;
  createdBy?: string;
  createdByType?: string;
  lastModifiedAt?: string;
  lastModifiedBy?: string;
  lastModifiedByType?: string;
}

export interface PurviewCollection {
  readonly name?: string;
  friendlyName?: string;
  description?: string;
  parentCollection?: CollectionParentReference;
  readonly collectionProvisioningState?: CollectionProvisioningState;
  readonly systemData?: CollectionSystemData;
}

/** What `createOrUpdate` sends (read-only fields are dropped). */
export interface PurviewCollectionInput {
  friendlyName?: string;
  description?: string;
  /** Required when creating anything but the root collection. */
  parentCollection?: { referenceName: string };
}

export interface CollectionNameResponse {
  readonly name?: string;
  readonly friendlyName?: string;
}

export interface CollectionPathResponse {
  /** Friendly names from the root down to the immediate parent. */
  readonly parentFriendlyNameChain?: string[];
  /** Names from the root down to the immediate parent. */
  readonly parentNameChain?: string[];
}

export class CollectionsClient {
  constructor(readonly caller: PurviewCaller) {}

  /** `{endpoint}/account/collections` */
  get baseUrl(): string {
    return `${this.caller.endpoint}${BASE}`;
  }

  private url(path: string, query: Record<string, PurviewQueryValue> = {}): string {
    return this.caller.url(`${BASE}${path}`, { 'api-version': COLLECTIONS_API_VERSION, ...query });
  }

  /** Collections_CreateOrUpdate */
  createOrUpdate(collectionName: string, collection: PurviewCollectionInput, options?: CollectionsOperationOptions): Promise<PurviewCollection> {
    const body: PurviewCollectionInput = {};
    if (collection.friendlyName !== undefined) {
      body.friendlyName = collection.friendlyName;
    }
    if (collection.description !== undefined) {
      body.description = collection.description;
    }
    if (collection.parentCollection) {
      body.parentCollection = { referenceName: collection.parentCollection.referenceName };
    }
    return this.caller.call('PUT', this.url(`/${seg(collectionName, 'collection name')}`), body, options);
  }

  /** Collections_Get */
  get(collectionName: string, options?: CollectionsOperationOptions): Promise<PurviewCollection> {
    return this.caller.call('GET', this.url(`/${seg(collectionName, 'collection name')}`), undefined, options);
  }

  /** Collections_ListByAccount */
  list(options?: CollectionsListOptions): PagedIterable<PurviewCollection> {
    return nextLinkPaged(this.caller, this.url('', { $skipToken: options?.skipToken }), COLLECTIONS_API_VERSION, { abortSignal: options?.abortSignal });
  }

  /** Collections_Delete (204); the collection must have no children and no assets. */
  async delete(collectionName: string, options?: CollectionsOperationOptions): Promise<void> {
    await this.caller.call('DELETE', this.url(`/${seg(collectionName, 'collection name')}`), undefined, options);
  }

  /** Collections_GetCollectionPath: the ancestors of a collection, root first. */
  getCollectionPath(collectionName: string, options?: CollectionsOperationOptions): Promise<CollectionPathResponse> {
    return this.caller.call('GET', this.url(`/${seg(collectionName, 'collection name')}/getCollectionPath`), undefined, options);
  }

  /** Collections_GetChildCollectionNames: direct children (paged). */
  getChildCollectionNames(collectionName: string, options?: CollectionsListOptions): PagedIterable<CollectionNameResponse> {
    return nextLinkPaged(this.caller, this.url(`/${seg(collectionName, 'collection name')}/getChildCollectionNames`, { $skipToken: options?.skipToken }), COLLECTIONS_API_VERSION, {
      abortSignal: options?.abortSignal,
    });
  }
}
