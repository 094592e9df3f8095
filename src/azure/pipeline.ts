/**
 * The one HTTP pipeline story shared by every client in src/azure: the hand-written Data Share
 * client, the ARM SDK wrappers, and (as far as its options allow) storage-blob.
 *
 * - retry: 429/503 honouring Retry-After (seconds, HTTP date, retry-after-ms), 408/5xx and
 *   connection resets with jittered exponential backoff, bounded attempts, abortable waits;
 * - TLS: `tlsOptions.ca` when the cloud is the sandbox (one shared object per CA so connection
 *   agents are reused);
 * - User-Agent `governed-data-share/<version>` ahead of the SDK's own token;
 * - logging never includes Authorization (the core log policy redacts every header not allowed).
 */
import type { HttpClient, Pipeline, PipelinePolicy, PipelineRequest, PipelineResponse, TlsSettings } from '@azure/core-rest-pipeline';
import { createAbortError, isAbortError, retryAfterMsFrom } from '../common/azureErrors';
import { tlsOptionsFor } from '../common/tls';
import { sharedHttpClient } from './http2Client';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../common/version';

/** Any AbortSignal-like object (DOM AbortSignal or the SDK's AbortSignalLike). */
export type SignalLike = NonNullable<PipelineRequest['abortSignal']>;

export type Sleep = (ms: number, signal?: SignalLike) => Promise<void>;

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` fires. */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(createAbortError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(createAbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetrySettings {
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** First backoff delay for 5xx / resets / 429 without Retry-After (default 800 ms). */
  retryDelayInMs?: number;
  /** Cap for exponential backoff (default 30 s). */
  maxRetryDelayInMs?: number;
  /**
   * A server asking to wait longer than this (default 60 s) is not retried automatically: the
   * error surfaces with `retryAfterMs` so the person decides.
   */
  maxRetryAfterInMs?: number;
}

export interface LroSettings {
  /** Poll interval when the service sends no Retry-After (default 2000 ms). */
  intervalInMs?: number;
  /** Lower bound applied to every poll delay, including Retry-After (default 0). */
  minIntervalInMs?: number;
  /** Upper bound applied to every poll delay (default 60 s). */
  maxIntervalInMs?: number;
}

export interface PipelineSettings {
  /** Product token for User-Agent; default `governed-data-share/<version>`. */
  userAgent?: string;
  /** PEM of a CA to trust (the sandbox). */
  caPem?: string;
  /** Replaces the network layer (tests pass a fake here). */
  httpClient?: HttpClient;
  retry?: RetrySettings;
  lro?: LroSettings;
  /** Test hook for every wait (retry backoff and LRO polling). */
  sleep?: Sleep;
}

export const DEFAULT_USER_AGENT = `${PRODUCT_NAME}/${PRODUCT_VERSION}`;

export { tlsOptionsFor };

/** Options every core-client / rest-core-client based SDK accepts. */
export interface CommonPipelineOptions {
  httpClient?: HttpClient;
  tlsOptions?: TlsSettings;
  userAgentOptions: { userAgentPrefix: string };
  retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  loggingOptions: { additionalAllowedHeaderNames: string[] };
}

export function commonPipelineOptions(settings: PipelineSettings = {}): CommonPipelineOptions {
  const r = resolvedRetry(settings.retry);
  return {
    // One client for the process: HTTP/2 where the server offers it, so parallel reads share a connection.
    httpClient: settings.httpClient ?? sharedHttpClient(),
    ...(settings.caPem ? { tlsOptions: tlsOptionsFor(settings.caPem) } : {}),
    userAgentOptions: { userAgentPrefix: settings.userAgent ?? DEFAULT_USER_AGENT },
    retryOptions: { maxRetries: r.maxRetries, retryDelayInMs: r.retryDelayInMs, maxRetryDelayInMs: r.maxRetryDelayInMs },
    loggingOptions: { additionalAllowedHeaderNames: ['x-ms-request-id', 'x-ms-correlation-request-id', 'retry-after', 'x-ms-ratelimit-remaining-subscription-reads', 'x-ms-ratelimit-remaining-subscription-writes'] },
  };
}

/**
 * Swaps the SDK's default retry policy for ours (same everywhere, testable sleep, bounded), and
 * drops the tracing policy: nothing here records OpenTelemetry spans, yet the policy parsed and
 * sanitized every request's URL for a span that was never kept (about 8% of the extension host's
 * CPU on the tree bench). Works for `@azure/core-client` ServiceClients and `@azure-rest/core-client`
 * clients alike.
 */
export function applyPipelinePolicies(pipeline: Pipeline, settings: PipelineSettings = {}): void {
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.removePolicy({ name: 'tracingPolicy' });
  pipeline.addPolicy(createRetryPolicy(settings), { phase: 'Retry' });
}

function resolvedRetry(r: RetrySettings | undefined): Required<RetrySettings> {
  return {
    maxRetries: r?.maxRetries ?? 4,
    retryDelayInMs: r?.retryDelayInMs ?? 800,
    maxRetryDelayInMs: r?.maxRetryDelayInMs ?? 30_000,
    maxRetryAfterInMs: r?.maxRetryAfterInMs ?? 60_000,
  };
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_SESSION_ERROR', 'ERR_HTTP2_INVALID_SESSION']);

export const RETRY_POLICY_NAME = 'governedDataShareRetryPolicy';

export function createRetryPolicy(settings: PipelineSettings = {}): PipelinePolicy {
  const r = resolvedRetry(settings.retry);
  const sleep = settings.sleep ?? defaultSleep;
  return {
    name: RETRY_POLICY_NAME,
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      for (let attempt = 0; ; attempt++) {
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          response = await next(request);
        } catch (e) {
          error = e;
        }
        const delay = attempt < r.maxRetries && !request.abortSignal?.aborted ? retryDelay(attempt, r, response, error) : undefined;
        if (delay === undefined) {
          if (error !== undefined) {
            throw error;
          }
          return response as PipelineResponse;
        }
        discardBody(response);
        await sleep(delay, request.abortSignal);
      }
    },
  };
}

/** Milliseconds to wait before the next attempt, or undefined when the outcome is final. */
function retryDelay(attempt: number, r: Required<RetrySettings>, response: PipelineResponse | undefined, error: unknown): number | undefined {
  if (error !== undefined) {
    if (isAbortError(error)) {
      return undefined;
    }
    const code = (error as { code?: unknown }).code;
    const causeCode = ((error as { cause?: { code?: unknown } }).cause ?? {}).code;
    const retryable = (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) || (typeof causeCode === 'string' && RETRYABLE_NETWORK_CODES.has(causeCode));
    return retryable ? backoff(attempt, r) : undefined;
  }
  if (!response) {
    return undefined;
  }
  const status = response.status;
  if (status === 429 || status === 503) {
    const after = retryAfterMsFrom(response.headers);
    if (after !== undefined) {
      return after <= r.maxRetryAfterInMs ? after : undefined;
    }
    return backoff(attempt, r);
  }
  if (status === 408 || (status >= 500 && status !== 501 && status !== 505)) {
    return backoff(attempt, r);
  }
  return undefined;
}

function backoff(attempt: number, r: Required<RetrySettings>): number {
  const exp = r.retryDelayInMs * 2 ** attempt;
  const jitter = 0.8 + Math.random() * 0.4;
  return Math.min(r.maxRetryDelayInMs, Math.round(exp * jitter));
}

function discardBody(response: PipelineResponse | undefined): void {
  const stream = response?.readableStreamBody as { resume?: () => void } | undefined;
  stream?.resume?.();
}
