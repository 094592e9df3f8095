/**
 * ARM long-running operations for hand-written clients, following the same rules as
 * `@azure/core-lro` (see reference §6) with our error type, an injectable clock and a resume token:
 *
 * - `Azure-AsyncOperation` / `Operation-Location` → poll it; `status` Succeeded/Failed/Canceled
 *   (any other value, or 202 without a status, means still running);
 * - else `Location` → poll it; 202 = running, 200/201/204 = done and that body is the result;
 * - else a PUT/PATCH → re-GET the resource until `properties.provisioningState` is terminal;
 * - final result: PUT/PATCH → GET the resource; POST with final-state-via location → GET `Location`;
 *   DELETE → nothing.
 * - every wait honours `Retry-After` (seconds or HTTP date), clamped by the LRO settings, and
 *   rejects at once with an AbortError when the signal fires (no further requests are sent;
 *   the service-side operation is not cancelled).
 */
import { AzureRequestError, requestIdFrom, retryAfterMsFrom } from '../../common/azureErrors';
import { defaultSleep, type LroSettings, type PipelineSettings, type SignalLike, type Sleep } from '../pipeline';
import type { HttpMethod, RawResponse, RestCaller } from './rest';

export type LroStatus = 'running' | 'succeeded' | 'failed' | 'canceled';

export interface LroState<T> {
  status: LroStatus;
  /** The final result, once succeeded. */
  result?: T;
  /** Why the operation failed or was canceled by the service. */
  error?: AzureRequestError;
  /** Body of the initial response (e.g. a synchronization with its `synchronizationId`). */
  initialResult?: unknown;
  /** Last status reported by the service (e.g. `InProgress`), for progress display. */
  serviceStatus?: string;
  pollCount: number;
}

export interface PollOptions {
  abortSignal?: SignalLike;
}

export interface LroPoller<T> {
  /** Polls (honouring Retry-After) until the operation ends; resolves the final resource. */
  pollUntilDone(options?: PollOptions): Promise<T>;
  /** Sends one status request (no wait). */
  poll(options?: PollOptions): Promise<LroState<T>>;
  getOperationState(): LroState<T>;
  isDone(): boolean;
  getResult(): T | undefined;
  /** Called after every poll; returns an unsubscribe function. */
  onProgress(callback: (state: LroState<T>) => void): () => void;
  /** A resume token: pass it as `resumeFrom` to continue polling later (e.g. after a restart). */
  toString(): string;
}

export interface LroOptions<T> {
  abortSignal?: SignalLike;
  /** Called after every poll. */
  onProgress?: (state: LroState<T>) => void;
  /** Resume a poller from `poller.toString()` instead of sending the initial request. */
  resumeFrom?: string;
  /** Poll interval when the service sends no Retry-After, for this call. */
  intervalInMs?: number;
}

export type FinalStateVia = 'location' | 'azure-async-operation' | 'original-uri';

export interface LroRequest {
  method: Exclude<HttpMethod, 'GET'>;
  url: string;
  body?: unknown;
  finalStateVia?: FinalStateVia;
}

type Mode = 'async' | 'location' | 'body' | 'done';

interface ResumeToken {
  v: 1;
  method: LroRequest['method'];
  resourceUrl: string;
  mode: Mode;
  pollUrl?: string;
  locationUrl?: string;
  finalStateVia?: FinalStateVia;
  initialResult?: unknown;
}

// ARM's terminal states, matched exactly: Data Share's `TransientFailure` means "still trying".
const TERMINAL_OK = /^succeeded$/i;
const TERMINAL_FAIL = /^failed$/i;
const TERMINAL_CANCEL = /^cancel+ed$/i;

export async function beginLro<T>(caller: RestCaller, request: LroRequest, options: LroOptions<T> = {}): Promise<LroPoller<T>> {
  if (options.resumeFrom) {
    const token = parseToken(options.resumeFrom);
    for (const u of [token.resourceUrl, token.pollUrl, token.locationUrl]) {
      if (u) {
        caller.assertFollowable(u);
      }
    }
    return new Poller<T>(caller, token, options);
  }
  const initial = await caller.send(request.method, request.url, request.body, { abortSignal: options.abortSignal });
  const opLocation = initial.headers.get('azure-asyncoperation') ?? initial.headers.get('operation-location');
  const location = initial.headers.get('location');
  const token: ResumeToken = {
    v: 1,
    method: request.method,
    resourceUrl: request.url,
    mode: 'done',
    finalStateVia: request.finalStateVia,
    initialResult: initial.body,
  };
  if (opLocation) {
    caller.assertFollowable(opLocation);
    token.mode = 'async';
    token.pollUrl = opLocation;
    if (location) {
      caller.assertFollowable(location);
      token.locationUrl = location;
    }
  } else if (location) {
    caller.assertFollowable(location);
    token.mode = 'location';
    token.pollUrl = location;
  } else if (request.method === 'PUT' || request.method === 'PATCH') {
    token.mode = 'body';
  }
  const poller = new Poller<T>(caller, token, options);
  poller.observeInitial(initial);
  return poller;
}

/**
 * What every poller shares: state, progress listeners, the resume token, the wait between polls
 * (Retry-After, else the configured interval, within bounds) and the poll-until-done loop.
 * Subclasses implement one `poll()` and call `emit()` after it.
 */
export abstract class PollerBase<T> implements LroPoller<T> {
  protected readonly state: LroState<T>;
  private readonly listeners = new Set<(s: LroState<T>) => void>();
  protected readonly sleep: Sleep;
  private readonly lro: Required<LroSettings>;
  protected retryAfterMs: number | undefined;

  protected constructor(
    settings: PipelineSettings,
    protected readonly options: LroOptions<T>,
    private readonly resumeToken: object,
    state: LroState<T>,
  ) {
    this.state = state;
    this.sleep = settings.sleep ?? defaultSleep;
    this.lro = {
      intervalInMs: options.intervalInMs ?? settings.lro?.intervalInMs ?? 2000,
      minIntervalInMs: settings.lro?.minIntervalInMs ?? 0,
      maxIntervalInMs: settings.lro?.maxIntervalInMs ?? 60_000,
    };
    if (options.onProgress) {
      this.listeners.add(options.onProgress);
    }
  }

  abstract poll(options?: PollOptions): Promise<LroState<T>>;

  getOperationState(): LroState<T> {
    return { ...this.state };
  }

  isDone(): boolean {
    return this.state.status !== 'running';
  }

  getResult(): T | undefined {
    return this.state.result;
  }

  onProgress(callback: (state: LroState<T>) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  toString(): string {
    return JSON.stringify(this.resumeToken);
  }

  async pollUntilDone(options: PollOptions = {}): Promise<T> {
    const signal = options.abortSignal ?? this.options.abortSignal;
    while (!this.isDone()) {
      await this.sleep(this.nextDelay(), signal);
      await this.poll({ abortSignal: signal });
    }
    if (this.state.status === 'succeeded') {
      return this.state.result as T;
    }
    throw this.state.error as AzureRequestError;
  }

  protected nextDelay(): number {
    const base = this.retryAfterMs ?? this.lro.intervalInMs;
    return Math.min(this.lro.maxIntervalInMs, Math.max(this.lro.minIntervalInMs, base));
  }

  protected emit(): void {
    const snapshot = this.getOperationState();
    for (const l of this.listeners) {
      try {
        l(snapshot);
      } catch {
        // A progress listener must never break polling.
      }
    }
  }
}

class Poller<T> extends PollerBase<T> {
  constructor(
    private readonly caller: RestCaller,
    private readonly token: ResumeToken,
    options: LroOptions<T>,
  ) {
    super(caller.settings, options, token, { status: token.mode === 'done' ? 'succeeded' : 'running', initialResult: token.initialResult, pollCount: 0 });
    if (token.mode === 'done') {
      this.state.result = token.initialResult as T;
    }
  }

  /** Applies the first response: body mode may already be terminal. */
  observeInitial(initial: RawResponse): void {
    this.retryAfterMs = retryAfterMsFrom(initial.headers);
    if (this.token.mode === 'body') {
      this.applyProvisioningState(initial, initial.body);
    }
  }

  override async poll(options: PollOptions = {}): Promise<LroState<T>> {
    if (this.isDone()) {
      return this.getOperationState();
    }
    const signal = options.abortSignal ?? this.options.abortSignal;
    const t = this.token;
    switch (t.mode) {
      case 'async': {
        const res = await this.get(t.pollUrl as string, signal);
        const body = asRecord(res.body);
        const status = typeof body?.status === 'string' ? body.status : undefined;
        this.state.serviceStatus = status;
        if (status === undefined ? res.status !== 202 : TERMINAL_OK.test(status)) {
          await this.finishAfterAsync(res, signal);
        } else if (status && TERMINAL_FAIL.test(status)) {
          this.fail('failed', res, body);
        } else if (status && TERMINAL_CANCEL.test(status)) {
          this.fail('canceled', res, body);
        }
        break;
      }
      case 'location': {
        const res = await this.get(t.pollUrl as string, signal);
        if (res.status !== 202) {
          await this.finishWithBody(res.body, signal);
        }
        break;
      }
      case 'body': {
        const res = await this.get(t.resourceUrl, signal);
        this.applyProvisioningState(res, res.body);
        break;
      }
      case 'done':
        break;
    }
    this.state.pollCount++;
    this.emit();
    return this.getOperationState();
  }

  private async get(url: string, signal: SignalLike | undefined): Promise<RawResponse> {
    const res = await this.caller.send('GET', url, undefined, { abortSignal: signal });
    this.retryAfterMs = retryAfterMsFrom(res.headers);
    return res;
  }

  private applyProvisioningState(res: RawResponse, body: unknown): void {
    const props = asRecord(asRecord(body)?.properties);
    const ps = typeof props?.provisioningState === 'string' ? props.provisioningState : undefined;
    this.state.serviceStatus = ps;
    if (ps === undefined || TERMINAL_OK.test(ps)) {
      this.succeed(body as T);
    } else if (TERMINAL_FAIL.test(ps)) {
      this.fail('failed', res, asRecord(body));
    } else if (TERMINAL_CANCEL.test(ps)) {
      this.fail('canceled', res, asRecord(body));
    }
  }

  private async finishAfterAsync(statusResponse: RawResponse, signal: SignalLike | undefined): Promise<void> {
    const t = this.token;
    if (t.method === 'DELETE') {
      this.succeed(undefined as T);
      return;
    }
    if (t.method === 'POST') {
      if (t.finalStateVia !== 'azure-async-operation' && t.locationUrl) {
        await this.finalFromLocation(t.locationUrl, signal);
        return;
      }
      const initial = asRecord(t.initialResult);
      this.succeed((initial && Object.keys(initial).length ? t.initialResult : statusResponse.body) as T);
      return;
    }
    // PUT / PATCH
    if (t.finalStateVia === 'location' && t.locationUrl) {
      await this.finalFromLocation(t.locationUrl, signal);
      return;
    }
    const res = await this.get(t.resourceUrl, signal);
    this.succeed(res.body as T);
  }

  /** GET the Location URL; if it still says 202, keep polling it as a Location operation. */
  private async finalFromLocation(url: string, signal: SignalLike | undefined): Promise<void> {
    const res = await this.get(url, signal);
    if (res.status === 202) {
      this.token.mode = 'location';
      this.token.pollUrl = url;
      return;
    }
    await this.finishWithBody(res.body, signal);
  }

  private async finishWithBody(body: unknown, signal: SignalLike | undefined): Promise<void> {
    const t = this.token;
    if (t.method === 'DELETE') {
      this.succeed(undefined as T);
    } else if ((body === undefined || body === null) && (t.method === 'PUT' || t.method === 'PATCH')) {
      const res = await this.get(t.resourceUrl, signal);
      this.succeed(res.body as T);
    } else if (body === undefined && t.method === 'POST') {
      this.succeed(t.initialResult as T);
    } else {
      this.succeed(body as T);
    }
  }

  private succeed(result: T): void {
    this.token.mode = 'done';
    this.state.status = 'succeeded';
    this.state.result = result;
  }

  private fail(status: 'failed' | 'canceled', res: RawResponse, body: Record<string, unknown> | undefined): void {
    const err = asRecord(body?.error) ?? asRecord(asRecord(body?.properties)?.error);
    const code = typeof err?.code === 'string' && err.code ? err.code : status === 'failed' ? 'OperationFailed' : 'OperationCanceled';
    const message =
      typeof err?.message === 'string' && err.message
        ? err.message
        : status === 'failed'
          ? 'The long-running operation failed.'
          : 'The service canceled the long-running operation.';
    this.token.mode = 'done';
    this.state.status = status;
    this.state.error = new AzureRequestError({
      // The operation failed; the poll that reported it succeeded, so there is no HTTP error status.
      statusCode: res.status >= 400 ? res.status : undefined,
      code,
      message,
      target: typeof err?.target === 'string' ? err.target : undefined,
      details: Array.isArray(err?.details)
        ? (err.details as Record<string, unknown>[]).map((d) => ({ code: String(d.code ?? 'Error'), message: String(d.message ?? '') }))
        : undefined,
      requestId: requestIdFrom(res.headers),
      method: this.token.method,
      url: this.token.resourceUrl,
    });
  }

}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseToken(text: string): ResumeToken {
  let t: ResumeToken;
  try {
    t = JSON.parse(text) as ResumeToken;
  } catch {
    throw new AzureRequestError({ code: 'InvalidResumeToken', message: 'The saved operation state could not be read.', nextStep: 'Start the operation again.' });
  }
  if (t?.v !== 1 || typeof t.resourceUrl !== 'string' || !t.method || !t.mode) {
    throw new AzureRequestError({ code: 'InvalidResumeToken', message: 'The saved operation state is not valid.', nextStep: 'Start the operation again.' });
  }
  return t;
}
