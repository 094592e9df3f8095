/**
 * The two paging styles of the Purview data plane, both as our `PagedIterable`:
 *
 * - `nextLinkPaged`: scanning and collections lists, `{value: [...], nextLink?, count?}`; the
 *   next link is followed as given (relative links resolve against the request URL), on the
 *   account endpoint only, with the client's `api-version` added when the link lacks one;
 * - `continuationPaged`: Data Map search, a POST whose body is re-sent with the
 *   `continuationToken` of the previous response until the service returns none.
 */
import { pagedFrom, type Page, type PagedIterable, type PageSettings } from '../core/paging';
import { AzureRequestError } from '../../common/azureErrors';
import type { SignalLike } from '../pipeline';
import type { PurviewCaller } from './caller';

export interface PurviewListOptions {
  abortSignal?: SignalLike;
}

interface ListBody<T> {
  value?: T[];
  nextLink?: string | null;
}


/** GET lists with `nextLink`. `apiVersion` is added to a next link that lacks one. */
export function nextLinkPaged<T>(caller: PurviewCaller, firstUrl: string, apiVersion: string | undefined, options: PurviewListOptions = {}): PagedIterable<T> {
  return pagedFrom<T, Page<T>>(async function* pages(settings: PageSettings = {}) {
    const seen = new Set<string>();
    let url: string | undefined = settings.continuationToken ? follow(caller, settings.continuationToken, firstUrl, apiVersion) : firstUrl;
    while (url) {
      const res: { body: ListBody<T> | undefined } = await caller.send<ListBody<T>>('GET', url, undefined, options);
      const page = (Array.isArray(res.body?.value) ? [...(res.body?.value ?? [])] : []) as Page<T>;
      const raw = res.body?.nextLink || undefined;
      let next: string | undefined;
      if (raw) {
        next = follow(caller, raw, url, apiVersion);
        if (seen.has(next) || next === url) {
          throw new AzureRequestError({ code: 'InvalidResponse', message: 'The service returned the same nextLink twice; the listing was stopped to avoid a loop.', service: 'purview' });
        }
        seen.add(next);
        page.continuationToken = next;
      }
      yield page;
      url = next;
    }
  });
}

function follow(caller: PurviewCaller, link: string, base: string, apiVersion: string | undefined): string {
  const absolute = caller.assertFollowable(link, base);
  if (!apiVersion) {
    return absolute;
  }
  const u = new URL(absolute);
  if (u.searchParams.has('api-version')) {
    return absolute;
  }
  return `${absolute}${u.search ? '&' : '?'}api-version=${encodeURIComponent(apiVersion)}`;
}

/** A page of a continuation-token listing plus whatever else the response carried. */
export type ContinuationPage<T, Extra> = Page<T> & Extra;

/**
 * POST listings that page by a `continuationToken` in the request body (Data Map search).
 * `extra` copies response fields (count, facets) onto each page.
 */
export function continuationPaged<T, B extends { continuationToken?: string }, R extends { value?: T[]; continuationToken?: string | null }, Extra extends object>(
  caller: PurviewCaller,
  url: string,
  body: B,
  extra: (response: R) => Extra,
  options: PurviewListOptions = {},
): PagedIterable<T> & { byPage(settings?: PageSettings): AsyncIterableIterator<ContinuationPage<T, Extra>> } {
  return pagedFrom<T, ContinuationPage<T, Extra>>(async function* pages(settings: PageSettings = {}) {
    const seen = new Set<string>();
    let token: string | undefined = settings.continuationToken ?? body.continuationToken ?? undefined;
    for (;;) {
      const request: B = { ...body };
      if (token) {
        request.continuationToken = token;
      } else {
        delete request.continuationToken;
      }
      const res = await caller.send<R>('POST', url, request, options);
      const response = (res.body ?? {}) as R;
      const items = Array.isArray(response.value) ? [...response.value] : [];
      const next = continuationTokenOf(response);
      const page = Object.assign(items, extra(response)) as ContinuationPage<T, Extra>;
      if (next) {
        if (seen.has(next) || next === token) {
          throw new AzureRequestError({ code: 'InvalidResponse', message: 'The service returned the same continuation token twice; the search was stopped to avoid a loop.', service: 'purview' });
        }
        seen.add(next);
        page.continuationToken = next;
      }
      yield page;
      // An empty page ends the listing even if a token came back (nothing more to read).
      if (!next || items.length === 0) {
        return;
      }
      token = next;
    }
  });
}

/** `continuationToken`, or the `continuousToken` spelling one published example uses. */
function continuationTokenOf(response: { continuationToken?: string | null }): string | undefined {
  const r = response as { continuationToken?: unknown; continuousToken?: unknown };
  const t = typeof r.continuationToken === 'string' && r.continuationToken ? r.continuationToken : typeof r.continuousToken === 'string' && r.continuousToken ? r.continuousToken : undefined;
  return t;
}
