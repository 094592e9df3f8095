/**
 * A scan run as a long-running operation. `PUT …/runs/{runId}?scanLevel=…` answers 202 with an
 * OperationResponse (`{scanResultId, status: 'Accepted'}`) and an `Operation-Location`; this
 * poller GETs that URL (or, without the header, the run itself: `GET …/runs/{runId}`) until the
 * run status is terminal:
 *
 * - `Succeeded` (also `CompletedWithExceptions`, `CompleteWithWarning`, `PartialSucceeded`, which
 *   end a run with results) → the result is the run (`ScanRun`, read from the run URL);
 * - `Failed` → `AzureRequestError` with the run's `error.code` (or `ScanRunFailed`);
 * - `Canceled` / `Cancelled` → `AzureRequestError` `ScanRunCanceled`;
 * - anything else (`Accepted`, `InProgress`, `Queued`, `TransientFailure`, …) → keep polling.
 *
 * The run body may come bare (swagger) or wrapped as `{value: {...}}` (published example): both
 * are read. Waits honour `Retry-After` (clamped by the LRO settings) and reject at once with an
 * AbortError when the signal fires; the service-side run is not canceled (use `runs.cancel`).
 */
import { AzureRequestError, requestIdFrom, retryAfterMsFrom } from '../../common/azureErrors';
import { PollerBase, type LroOptions, type LroPoller, type LroState, type PollOptions } from '../core/lro';
import type { SignalLike } from '../pipeline';
import type { PurviewCaller, PurviewResponse } from './caller';
import type { ErrorInfo, ScanRun, ScanRunOperation } from './scanningModels';

export interface ScanRunPoller extends LroPoller<ScanRun> {
  /** The run id (a GUID; the one passed in, or generated). */
  readonly runId: string;
}

interface Token {
  v: 1;
  kind: 'purviewScanRun';
  runId: string;
  /** `GET` run status URL (with api-version). */
  runUrl: string;
  pollUrl: string;
  initialResult?: unknown;
}

const OK = /^(succeeded|completedwithexceptions|completewithwarning|partialsucceeded)$/i;
const FAILED = /^failed$/i;
const CANCELED = /^cancel+ed$/i;

/** Reads a run (or operation) body, bare or wrapped in `{value: {...}}`. */
export function unwrapRun<T extends object = ScanRun>(body: unknown): T | undefined {
  const rec = asRecord(body);
  if (!rec) {
    return undefined;
  }
  const inner = asRecord(rec.value);
  if (inner && rec.status === undefined && (inner.status !== undefined || inner.id !== undefined)) {
    return inner as T;
  }
  return rec as T;
}

export async function beginScanRun(
  caller: PurviewCaller,
  request: { runId: string; startUrl: string; runUrl: string },
  options: LroOptions<ScanRun> = {},
): Promise<ScanRunPoller> {
  if (options.resumeFrom) {
    const token = parseToken(options.resumeFrom);
    caller.assertFollowable(token.runUrl);
    caller.assertFollowable(token.pollUrl);
    return new Poller(caller, token, options);
  }
  const initial = await caller.send<ScanRunOperation>('PUT', request.startUrl, undefined, { abortSignal: options.abortSignal });
  const opLocation = initial.headers.get('operation-location') ?? initial.headers.get('azure-asyncoperation');
  const pollUrl = opLocation ? caller.assertFollowable(opLocation, request.startUrl) : request.runUrl;
  const poller = new Poller(caller, { v: 1, kind: 'purviewScanRun', runId: request.runId, runUrl: request.runUrl, pollUrl, initialResult: initial.body }, options);
  poller.observeInitial(initial);
  return poller;
}

class Poller extends PollerBase<ScanRun> implements ScanRunPoller {
  constructor(
    private readonly caller: PurviewCaller,
    private readonly token: Token,
    options: LroOptions<ScanRun>,
  ) {
    super(caller.settings, options, token, { status: 'running', initialResult: token.initialResult, pollCount: 0 });
    this.state.serviceStatus = statusOf(unwrapRun(token.initialResult));
  }

  get runId(): string {
    return this.token.runId;
  }

  observeInitial(initial: PurviewResponse): void {
    this.retryAfterMs = retryAfterMsFrom(initial.headers);
  }

  override async poll(options: PollOptions = {}): Promise<LroState<ScanRun>> {
    if (this.isDone()) {
      return this.getOperationState();
    }
    const signal = options.abortSignal ?? this.options.abortSignal;
    const res = await this.get(this.token.pollUrl, signal);
    const body = unwrapRun<ScanRun & ScanRunOperation>(res.body);
    const status = statusOf(body);
    this.state.serviceStatus = status;
    if (status && OK.test(status)) {
      const run = this.token.pollUrl === this.token.runUrl ? body : await this.readRun(body, signal);
      this.finish('succeeded', run ?? {});
    } else if (status && (FAILED.test(status) || CANCELED.test(status))) {
      const canceled = CANCELED.test(status);
      let source = body;
      if (!errorOf(source) && this.token.pollUrl !== this.token.runUrl) {
        // The operation status may carry no detail: the run itself has `error` / `errorMessage`.
        source = unwrapRun<ScanRun & ScanRunOperation>((await this.get(this.token.runUrl, signal)).body) ?? source;
      }
      this.fail(canceled, res, source);
    }
    this.state.pollCount++;
    this.emit();
    return this.getOperationState();
  }

  private async get(url: string, signal: SignalLike | undefined): Promise<PurviewResponse> {
    const res = await this.caller.send('GET', url, undefined, { abortSignal: signal });
    this.retryAfterMs = retryAfterMsFrom(res.headers);
    return res;
  }

  /** The finished run from the run URL; if the service cannot show it (404), what the operation said. */
  private async readRun(operation: (ScanRun & ScanRunOperation) | undefined, signal: SignalLike | undefined): Promise<ScanRun | undefined> {
    try {
      return unwrapRun<ScanRun>((await this.get(this.token.runUrl, signal)).body);
    } catch (e) {
      if (e instanceof AzureRequestError && e.isNotFound) {
        const { scanResultId, ...rest } = operation ?? {};
        return { id: scanResultId ?? this.token.runId, ...rest };
      }
      throw e;
    }
  }

  private finish(status: 'succeeded', result: ScanRun): void {
    this.state.status = status;
    this.state.result = result;
  }

  private fail(canceled: boolean, res: PurviewResponse, body: (ScanRun & ScanRunOperation) | undefined): void {
    const err = errorOf(body);
    const message =
      err?.message ||
      (typeof body?.errorMessage === 'string' && body.errorMessage) ||
      (canceled ? `Scan run ${this.token.runId} was canceled.` : `Scan run ${this.token.runId} failed.`);
    this.state.status = canceled ? 'canceled' : 'failed';
    this.state.error = new AzureRequestError({
      // The run failed; the poll that reported it succeeded, so there is no HTTP error status.
      statusCode: res.status >= 400 ? res.status : undefined,
      code: err?.code || (canceled ? 'ScanRunCanceled' : 'ScanRunFailed'),
      message,
      target: err?.target,
      details: Array.isArray(err?.details) ? err.details.map((d) => ({ code: String(d.code ?? 'Error'), message: String(d.message ?? '') })) : undefined,
      requestId: requestIdFrom(res.headers),
      method: 'PUT',
      url: this.token.runUrl,
      service: 'purview',
    });
  }
}

function statusOf(body: { status?: unknown } | undefined): string | undefined {
  return typeof body?.status === 'string' && body.status ? body.status : undefined;
}

function errorOf(body: { error?: ErrorInfo | null } | undefined): ErrorInfo | undefined {
  const e = asRecord(body?.error);
  return e && (typeof e.code === 'string' || typeof e.message === 'string') ? (e as ErrorInfo) : undefined;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseToken(text: string): Token {
  let t: Token;
  try {
    t = JSON.parse(text) as Token;
  } catch {
    throw new AzureRequestError({ code: 'InvalidResumeToken', message: 'The saved scan run state could not be read.', nextStep: 'Run the scan again, or check its status in the scan history.' });
  }
  if (t?.v !== 1 || t.kind !== 'purviewScanRun' || typeof t.runUrl !== 'string' || typeof t.pollUrl !== 'string' || typeof t.runId !== 'string') {
    throw new AzureRequestError({ code: 'InvalidResumeToken', message: 'The saved scan run state is not valid.', nextStep: 'Run the scan again, or check its status in the scan history.' });
  }
  return t;
}
