/**
 * The workflow engine: a recipe is a graph of small steps. Each step says what it would do
 * (`plan`) and does it (`execute`) idempotently: it reads the real state first and writes only
 * what is missing or different, so a re-run after success changes nothing and a re-run after a
 * failure or a kill picks up where it stopped. Steps whose dependencies are done run concurrently
 * (the two tenants' infrastructure, for instance). Progress, cancellation (AbortSignal) and the
 * audit trail are threaded through a context every step receives.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { AuditActor, AuditRecord, AuditSink } from './audit';
import { CancelledError, describeError, isCancellation } from './errors';

export type Side = 'provider' | 'consumer';

/** One thing a step would create, change or delete, in which tenant, and what keeping it costs. */
export interface PlannedChange {
  action: 'create' | 'update' | 'delete' | 'run' | 'manual' | 'check';
  tenantId: string;
  /** A readable resource path, e.g. `rg/storage account/container`. */
  resource: string;
  detail?: string;
  /** What Azure bills for keeping it (omitted when free). */
  cost?: string;
}

export interface StepResult {
  /** False when everything already was as asked (a no-op re-run). */
  changed: boolean;
  summary: string;
  resourceIds?: string[];
}

export interface ProgressEvent {
  stepId: string;
  title: string;
  status: 'started' | 'progress' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  message?: string;
  elapsedMs?: number;
}

export interface StepContext {
  readonly signal: AbortSignal;
  readonly runId: string;
  report(message: string): void;
  audit(record: Omit<AuditRecord, 'time' | 'runId' | 'actor' | 'resourceIds'> & { actor?: AuditActor; resourceIds?: string[] }): void;
  throwIfCancelled(): void;
}

export interface Step<E> {
  id: string;
  title: string;
  /** Steps that must succeed first. */
  dependsOn: string[];
  side?: Side | 'both';
  plan(env: E): PlannedChange[] | Promise<PlannedChange[]>;
  execute(env: E, ctx: StepContext): Promise<StepResult>;
}

export interface StepOutcome {
  id: string;
  title: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  changed: boolean;
  summary: string;
  error?: { message: string; nextStep?: string };
  elapsedMs: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  audit?: AuditSink;
  onProgress?: (e: ProgressEvent) => void;
  runId?: string;
  /** Most steps in flight at once (default 4). */
  concurrency?: number;
  /** Who acts for a step (the audit trail's "who"); resolved from the signed-in identity. */
  actor?: (step: { id: string; side?: Side | 'both' }) => Promise<AuditActor | undefined>;
}

export interface RunResult {
  runId: string;
  ok: boolean;
  outcomes: StepOutcome[];
  elapsedMs: number;
}

const currentStep = new AsyncLocalStorage<string>();

/** The id of the step whose code is running (for attributing HTTP calls to steps), if any. */
export function currentStepId(): string | undefined {
  return currentStep.getStore();
}

/** Checks the graph: unknown dependencies and cycles are programming errors. */
export function checkGraph<E>(steps: readonly Step<E>[]): void {
  const ids = new Set(steps.map((s) => s.id));
  if (ids.size !== steps.length) throw new Error('Duplicate step ids in the workflow.');
  for (const s of steps) for (const d of s.dependsOn) if (!ids.has(d)) throw new Error(`Step ${s.id} depends on unknown step ${d}.`);
  const state = new Map<string, 1 | 2>();
  const byId = new Map(steps.map((s) => [s.id, s]));
  const visit = (id: string, trail: string[]) => {
    if (state.get(id) === 2) return;
    if (state.get(id) === 1) throw new Error(`Cycle in the workflow: ${[...trail, id].join(' -> ')}`);
    state.set(id, 1);
    for (const d of byId.get(id)!.dependsOn) visit(d, [...trail, id]);
    state.set(id, 2);
  };
  for (const s of steps) visit(s.id, []);
}

/** Length (in steps) of the longest chain of dependent steps, weighted by `weight` (e.g. calls). */
export function longestChain<E>(steps: readonly Step<E>[], weight: (s: Step<E>) => number = () => 1): { length: number; path: string[] } {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map<string, { length: number; path: string[] }>();
  const best = (id: string): { length: number; path: string[] } => {
    const hit = memo.get(id);
    if (hit) return hit;
    const s = byId.get(id)!;
    let top = { length: 0, path: [] as string[] };
    for (const d of s.dependsOn) {
      const c = best(d);
      if (c.length > top.length) top = c;
    }
    const r = { length: top.length + weight(s), path: [...top.path, id] };
    memo.set(id, r);
    return r;
  };
  return steps.map((s) => best(s.id)).reduce((a, b) => (b.length > a.length ? b : a), { length: 0, path: [] });
}

export async function planSteps<E>(steps: readonly Step<E>[], env: E): Promise<Array<{ id: string; title: string; changes: PlannedChange[] }>> {
  checkGraph(steps);
  return Promise.all(steps.map(async (s) => ({ id: s.id, title: s.title, changes: await s.plan(env) })));
}

/** Runs the steps in dependency order, concurrently where possible. Never throws for a step's failure. */
export async function runSteps<E>(steps: readonly Step<E>[], env: E, options: RunOptions = {}): Promise<RunResult> {
  checkGraph(steps);
  const runId = options.runId ?? randomUUID();
  const started = Date.now();
  const signal = options.signal ?? new AbortController().signal;
  const limit = Math.max(1, options.concurrency ?? 4);
  const outcomes = new Map<string, StepOutcome>();
  const pending = new Set(steps.map((s) => s.id));
  const running = new Map<string, Promise<void>>();
  const emit = (e: ProgressEvent) => options.onProgress?.(e);

  const execute = async (step: Step<E>): Promise<void> => {
    const t0 = Date.now();
    const actor = options.actor ? await options.actor(step).catch(() => undefined) : undefined;
    const ctx: StepContext = {
      signal,
      runId,
      report: (message) => emit({ stepId: step.id, title: step.title, status: 'progress', message }),
      audit: (r) => options.audit?.append({ runId, actor, resourceIds: [], ...r }),
      throwIfCancelled: () => {
        if (signal.aborted) throw new CancelledError();
      },
    };
    emit({ stepId: step.id, title: step.title, status: 'started' });
    try {
      ctx.throwIfCancelled();
      const r = await currentStep.run(step.id, () => step.execute(env, ctx));
      outcomes.set(step.id, { id: step.id, title: step.title, status: 'succeeded', changed: r.changed, summary: r.summary, elapsedMs: Date.now() - t0 });
      options.audit?.append({ runId, actor, action: step.id, resourceIds: r.resourceIds ?? [], outcome: r.changed ? 'succeeded' : 'skipped', message: r.summary });
      emit({ stepId: step.id, title: step.title, status: 'succeeded', message: r.summary, elapsedMs: Date.now() - t0 });
    } catch (e) {
      const cancelled = isCancellation(e) || signal.aborted;
      const error = describeError(e);
      outcomes.set(step.id, { id: step.id, title: step.title, status: cancelled ? 'cancelled' : 'failed', changed: false, summary: error.message, error, elapsedMs: Date.now() - t0 });
      options.audit?.append({ runId, actor, action: step.id, resourceIds: [], outcome: cancelled ? 'cancelled' : 'failed', message: error.nextStep ? `${error.message} Next: ${error.nextStep}` : error.message });
      emit({ stepId: step.id, title: step.title, status: cancelled ? 'cancelled' : 'failed', message: error.message, elapsedMs: Date.now() - t0 });
    }
  };

  while (pending.size || running.size) {
    for (const step of steps) {
      if (!pending.has(step.id) || running.size >= limit) continue;
      const deps = step.dependsOn.map((d) => outcomes.get(d));
      if (deps.some((o) => o && o.status !== 'succeeded') || (signal.aborted && deps.every(Boolean))) {
        pending.delete(step.id);
        const why = signal.aborted ? 'cancelled' : `skipped: ${step.dependsOn.filter((d) => outcomes.get(d)?.status !== 'succeeded').join(', ')} did not succeed`;
        outcomes.set(step.id, { id: step.id, title: step.title, status: signal.aborted ? 'cancelled' : 'skipped', changed: false, summary: why, elapsedMs: 0 });
        emit({ stepId: step.id, title: step.title, status: signal.aborted ? 'cancelled' : 'skipped', message: why });
        continue;
      }
      if (deps.every(Boolean)) {
        pending.delete(step.id);
        const p = execute(step).finally(() => running.delete(step.id));
        running.set(step.id, p);
      }
    }
    if (running.size) await Promise.race(running.values());
    else if (pending.size) {
      // Everything left waits on something that will never finish (cannot happen after checkGraph).
      break;
    }
  }
  const ordered = steps.map((s) => outcomes.get(s.id)!).filter(Boolean);
  return { runId, ok: ordered.every((o) => o.status === 'succeeded'), outcomes: ordered, elapsedMs: Date.now() - started };
}
