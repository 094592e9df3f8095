/**
 * ARM's batch endpoint (`POST /batch?api-version=2020-06-01`), the one the Azure portal uses to
 * read many resources in one round trip: `{requests:[{httpMethod, url, name?, content?}]}` in,
 * `{responses:[{name, httpStatusCode, headers, content, contentLength}]}` out, always 200 once
 * the batch itself is accepted. Each inner request is its own ARM request: authenticated with the
 * batch's token, throttled, authorized, fault-injected and logged as if sent alone; they run in
 * parallel, so a batch takes as long as its slowest request. At most 20 requests per batch.
 *
 * This module validates the envelope and shapes the answers; server.ts dispatches the requests.
 */
import { ArmError, type SandboxResponse } from './contract';

export const BATCH_API_VERSIONS = ['2015-11-01', '2020-06-01'];
export const MAX_BATCH_REQUESTS = 20;

export interface BatchItem {
  httpMethod: string;
  /** Absolute (this ARM host) or a path starting with `/`. */
  url: string;
  name?: string;
  content?: unknown;
}

/** A response body already serialized as JSON (the batch's answers are written once, not twice). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The batch's requests, or a 400 as ARM answers a malformed batch (nothing is run). */
export function parseBatch(body: unknown, apiVersion: string): BatchItem[] {
  if (!apiVersion) {
    throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  if (!BATCH_API_VERSIONS.includes(apiVersion)) {
    throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid for the batch endpoint. The supported versions are '${BATCH_API_VERSIONS.join(',')}'.`);
  }
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new ArmError(400, 'InvalidRequestContent', "The batch request content must be an object with a non-empty 'requests' array.", 'requests');
  }
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw new ArmError(400, 'InvalidRequestContent', `The batch holds ${requests.length} requests; at most ${MAX_BATCH_REQUESTS} are allowed in one batch. Split it.`, 'requests');
  }
  return requests.map((r, i) => {
    const item = r as Partial<BatchItem> | null;
    if (!item || typeof item !== 'object' || typeof item.httpMethod !== 'string' || typeof item.url !== 'string' || !item.url) {
      throw new ArmError(400, 'InvalidRequestContent', `Batch request ${i} needs a string 'httpMethod' and 'url'.`, `requests[${i}]`);
    }
    if (item.name !== undefined && typeof item.name !== 'string') {
      throw new ArmError(400, 'InvalidRequestContent', `Batch request ${i} has a 'name' that is not a string.`, `requests[${i}].name`);
    }
    return { httpMethod: item.httpMethod.toUpperCase(), url: item.url, name: item.name, content: item.content };
  });
}

/**
 * The inner request's path and query, or undefined when its URL points elsewhere than this ARM
 * host (absolute URLs must name it; loopback names are interchangeable).
 */
export function innerTarget(url: string, base: URL): URL | undefined {
  let u: URL;
  try {
    u = new URL(url.replace(/^\/{2,}/, '/'), base);
  } catch {
    return undefined;
  }
  const loop = (h: string) => h === 'localhost' || h === '127.0.0.1' || h === '[::1]';
  const sameHost = u.hostname === base.hostname || (loop(u.hostname) && loop(base.hostname));
  if (u.protocol !== base.protocol || !sameHost || (u.port || '443') !== (base.port || '443')) return undefined;
  if (/^\/(admin|batch)(\/|$)/i.test(u.pathname)) return undefined;
  return u;
}

/** One inner answer as JSON text: `{name, httpStatusCode, headers, content, contentLength}`. */
export function batchAnswerJson(name: string | undefined, response: SandboxResponse, headers: Record<string, string>): string {
  const content = response.status === 204 || response.body === undefined ? undefined : JSON.stringify(response.body);
  const parts = [
    ...(name !== undefined ? [`"name":${JSON.stringify(name)}`] : []),
    `"httpStatusCode":${response.status}`,
    `"headers":${JSON.stringify({ ...headers, ...(response.headers ?? {}) })}`,
    ...(content !== undefined ? [`"content":${content}`] : []),
    `"contentLength":${content === undefined ? 0 : Buffer.byteLength(content, 'utf8')}`,
  ];
  return `{${parts.join(',')}}`;
}

export function batchResponseBody(answers: string[]): JsonText {
  return new JsonText(`{"responses":[${answers.join(',')}]}`);
}
