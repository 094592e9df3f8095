/**
 * ARM list paging: `{value: [...], nextLink?}` pages, following `nextLink` verbatim. POST list
 * actions (`listSynchronizations`, …) POST their next pages too, with the same body.
 */
import { AzureRequestError } from '../../common/azureErrors';
import type { SignalLike } from '../pipeline';
import type { HttpMethod, RestCaller } from './rest';

/** One page of items; `continuationToken` is the next page's URL (absent on the last page). */
export type Page<T> = T[] & { continuationToken?: string };

export interface PageSettings {
  /** A `continuationToken` from an earlier page, to resume there. */
  continuationToken?: string;
}

export interface CollectOptions {
  /** Stop after this many items (default: no cap). */
  max?: number;
}

export interface Collected<T> {
  items: T[];
  /** True when `max` cut the listing short. */
  truncated: boolean;
}

/** An async iterable over all items, plus page access and a capped collect. */
export interface PagedIterable<T> extends AsyncIterable<T> {
  byPage(settings?: PageSettings): AsyncIterableIterator<Page<T>>;
  collect(options?: CollectOptions): Promise<Collected<T>>;
}

export interface ListRequest {
  method: Extract<HttpMethod, 'GET' | 'POST'>;
  url: string;
  body?: unknown;
}

interface ListBody<T> {
  value?: T[];
  nextLink?: string | null;
}

/** Builds a PagedIterable (items, pages, collect) from a page generator. */
export function pagedFrom<T, P extends Page<T>>(pages: (settings?: PageSettings) => AsyncIterableIterator<P>): PagedIterable<T> & { byPage(settings?: PageSettings): AsyncIterableIterator<P> } {
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of pages()) {
      yield* page;
    }
  }
  return {
    [Symbol.asyncIterator]: items,
    byPage: pages,
    collect: (o?: CollectOptions): Promise<Collected<T>> => collectAll(items(), o),
  };
}

export function pagedList<T>(caller: RestCaller, first: ListRequest, options: { abortSignal?: SignalLike } = {}): PagedIterable<T> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<Page<T>> {
    const seen = new Set<string>();
    let url: string | undefined = settings.continuationToken ?? first.url;
    let isNext = settings.continuationToken !== undefined;
    while (url) {
      if (isNext) {
        caller.assertFollowable(url);
      }
      const res: { body: ListBody<T> | undefined } = await caller.send<ListBody<T>>(first.method, url, first.body, options);
      const page = (Array.isArray(res.body?.value) ? [...(res.body?.value ?? [])] : []) as Page<T>;
      const next: string | undefined = res.body?.nextLink || undefined;
      if (next) {
        if (seen.has(next) || next === url) {
          throw new AzureRequestError({ code: 'InvalidResponse', message: 'The service returned the same nextLink twice; the listing was stopped to avoid a loop.' });
        }
        seen.add(next);
        page.continuationToken = next;
      }
      yield page;
      url = next;
      isNext = true;
    }
  }
  return pagedFrom<T, Page<T>>(pages);
}

/** Collects items from any async iterable (SDK lists included), stopping at `max`. */
export async function collectAll<T>(iterable: AsyncIterable<T>, options: CollectOptions = {}): Promise<Collected<T>> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  if (max <= 0) {
    return { items, truncated: true };
  }
  for await (const item of iterable) {
    items.push(item);
    if (items.length >= max) {
      return { items, truncated: true };
    }
  }
  return { items, truncated: false };
}
