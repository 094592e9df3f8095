import * as vscode from 'vscode';
import { redactSecrets } from '../common/redact';
import { describeError, isCancellation } from '../workflows/errors';

export type ActivityStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** What went wrong and what the person can do about it (both redacted). */
export interface ActivityError { message: string; nextStep?: string }

/** One step of an operation (e.g. a recipe step), shown as a child of its activity. */
export interface ActivityStep {
  id: string;
  title: string;
  status: ActivityStatus;
  startedAt: Date;
  endedAt?: Date;
  /** Outcome message (redacted). */
  message?: string;
  error?: ActivityError;
}

/** Handle for one step: finish it once. */
export interface StepHandle {
  readonly step: ActivityStep;
  succeed(message?: string): void;
  fail(error: unknown): void;
  cancel(): void;
  /** Latest progress message while it runs. */
  report(message: string): void;
}

export interface ActivityOptions {
  /** Runs the operation again (the Retry action); typically the function that produced this activity. */
  retry?: () => unknown;
}

/**
 * One operation the person ran in this window: title, status, timing, steps, error with next
 * step, and how to run it again. The object is live: the Activity view redraws it as it changes.
 * `activity.start(title)` returns one; call `step(id, title)` for each step, then `succeed()`,
 * `fail(error)` or `cancel()`.
 */
export class Activity {
  status: ActivityStatus = 'running';
  readonly startedAt = new Date();
  endedAt?: Date;
  /** Outcome text (redacted): success summary or "message next step" on failure. */
  detail?: string;
  /** Latest progress message while running. */
  progress?: string;
  error?: ActivityError;
  readonly steps: ActivityStep[] = [];
  retry?: () => unknown;

  constructor(readonly id: number, public title: string, private readonly onChange: (a: Activity) => void, options: ActivityOptions = {}) {
    this.retry = options.retry;
  }

  /** Starts (or restarts) a step shown under this activity. */
  step(id: string, title: string): StepHandle {
    let step = this.steps.find((s) => s.id === id);
    if (step) Object.assign(step, { title, status: 'running', startedAt: new Date(), endedAt: undefined, message: undefined, error: undefined });
    else {
      step = { id, title, status: 'running', startedAt: new Date() };
      this.steps.push(step);
    }
    const s = step;
    const end = (status: ActivityStatus, message?: string, error?: ActivityError) => {
      if (s.status !== 'running') return;
      s.status = status;
      s.endedAt = new Date();
      s.message = message === undefined ? undefined : redactSecrets(message);
      s.error = error;
      this.onChange(this);
    };
    this.onChange(this);
    return {
      step: s,
      succeed: (message) => end('succeeded', message),
      fail: (error) => {
        if (isCancellation(error)) return end('cancelled');
        const e = redactError(error);
        end('failed', e.message, e);
      },
      cancel: () => end('cancelled'),
      report: (message) => { s.message = redactSecrets(message); this.onChange(this); },
    };
  }

  /** Latest progress message (shown as the running activity's description). */
  report(message: string): void {
    this.progress = redactSecrets(message);
    this.onChange(this);
  }

  succeed(detail?: string): void { this.end('succeeded', detail); }

  fail(error: unknown): void {
    if (isCancellation(error)) return this.cancel();
    const e = redactError(error);
    this.error = e;
    this.end('failed', e.nextStep ? `${e.message} ${e.nextStep}` : e.message);
  }

  cancel(): void { this.end('cancelled'); }

  /** Ends the activity (a second call is ignored unless the first left it running). */
  end(status: Exclude<ActivityStatus, 'running'>, detail?: string): void {
    if (this.status !== 'running') return;
    this.status = status;
    this.endedAt = new Date();
    this.detail = detail === undefined ? undefined : redactSecrets(detail);
    if (status === 'failed' && !this.error && this.detail) this.error = { message: this.detail };
    // Steps still running when the operation ends did not finish.
    for (const s of this.steps) if (s.status === 'running') { s.status = 'cancelled'; s.endedAt = this.endedAt; }
    this.progress = undefined;
    this.onChange(this);
  }
}

function redactError(error: unknown): ActivityError {
  const { message, nextStep } = describeError(error);
  return { message: redactSecrets(message), nextStep: nextStep ? redactSecrets(nextStep) : undefined };
}

/** In-memory record of what the person ran in this window, newest first. */
export class ActivityLog {
  private readonly items: Activity[] = [];
  private nextId = 1;
  private readonly changed = new vscode.EventEmitter<Activity | undefined>();
  /** Fires with the activity that changed (undefined: the list changed). */
  readonly onDidChange = this.changed.event;

  start(title: string, options: ActivityOptions = {}): Activity {
    const activity = new Activity(this.nextId++, title, (a) => this.changed.fire(a), options);
    this.items.unshift(activity);
    this.changed.fire(undefined);
    return activity;
  }

  /** Ends an activity (kept for callers of the first API; same as `activity.end`). */
  finish(activity: Activity, status: Exclude<ActivityStatus, 'running'>, detail?: string): void {
    activity.end(status, detail);
  }

  clear(): void {
    const running = this.items.filter((a) => a.status === 'running');
    this.items.splice(0, this.items.length, ...running);
    this.changed.fire(undefined);
  }

  entries(): readonly Activity[] { return this.items; }

  /**
   * Runs `task` as an activity: success, failure (with next step) or cancellation recorded, and
   * Retry runs the same task again as a new activity. Rethrows the task's error.
   */
  async run<T>(title: string, task: (activity: Activity) => Promise<T>): Promise<T> {
    const activity = this.start(title, { retry: () => this.run(title, task) });
    try {
      const result = await task(activity);
      activity.succeed();
      return result;
    } catch (error) {
      activity.fail(error);
      throw error;
    }
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const WORD: Record<ActivityStatus, string> = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' };

/** A redacted plain-text summary of an activity (Copy Details). */
export function activityDetailsText(a: Activity): string {
  const elapsed = formatDuration((a.endedAt ?? new Date()).getTime() - a.startedAt.getTime());
  const lines = [
    `${a.title}`,
    `Status: ${WORD[a.status]}${a.status === 'running' ? ` (${elapsed} so far)` : ` in ${elapsed}`}`,
    `Started: ${a.startedAt.toISOString()}${a.endedAt ? `; ended: ${a.endedAt.toISOString()}` : ''}`,
  ];
  if (a.progress) lines.push(`Progress: ${a.progress}`);
  if (a.error) {
    lines.push(`Error: ${a.error.message}`);
    if (a.error.nextStep) lines.push(`Next step: ${a.error.nextStep}`);
  } else if (a.detail) lines.push(`Detail: ${a.detail}`);
  if (a.steps.length) {
    lines.push('Steps:');
    for (const s of a.steps) {
      const took = s.endedAt ? ` (${formatDuration(s.endedAt.getTime() - s.startedAt.getTime())})` : '';
      lines.push(`  - [${WORD[s.status]}] ${s.title}${took}${s.message ? `: ${s.message}` : ''}${s.error?.nextStep ? ` Next step: ${s.error.nextStep}` : ''}`);
    }
  }
  return redactSecrets(lines.join('\n'));
}

const ICONS: Record<ActivityStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('loading~spin'),
  succeeded: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

/** Rows of the Activity view: an operation, one of its steps, or a line of its error. */
export type ActivityElement =
  | Activity
  | { kind: 'step'; activity: Activity; step: ActivityStep }
  | { kind: 'detail'; activity: Activity; label: string; icon: string; tooltip?: string };

export class ActivityTreeProvider implements vscode.TreeDataProvider<ActivityElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ActivityElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly log: ActivityLog) {
    log.onDidChange((a) => {
      this.changed.fire(a);
      this.tick();
    });
  }

  /** Redraws running activities once a second (their elapsed time), only while something runs. */
  private tick(): void {
    const running = this.log.entries().some((a) => a.status === 'running');
    if (running && !this.timer) {
      this.timer = setInterval(() => {
        const now = this.log.entries().filter((a) => a.status === 'running');
        if (now.length === 0) { clearInterval(this.timer); this.timer = undefined; return; }
        for (const a of now) this.changed.fire(a);
      }, 1000);
    }
  }

  getParent(element: ActivityElement): ActivityElement | undefined {
    return element instanceof Activity ? undefined : element.activity;
  }

  getChildren(element?: ActivityElement): ActivityElement[] {
    if (!element) return [...this.log.entries()];
    if (element instanceof Activity) {
      const out: ActivityElement[] = element.steps.map((step) => ({ kind: 'step', activity: element, step }));
      if (element.error) {
        out.push({ kind: 'detail', activity: element, label: element.error.message, icon: 'error', tooltip: element.error.message });
        if (element.error.nextStep) out.push({ kind: 'detail', activity: element, label: `Next step: ${element.error.nextStep}`, icon: 'lightbulb', tooltip: element.error.nextStep });
      } else if (element.detail && element.status !== 'failed' && element.steps.length) {
        out.push({ kind: 'detail', activity: element, label: element.detail, icon: 'info' });
      }
      return out;
    }
    if (element.kind === 'step' && element.step.error) {
      const e = element.step.error;
      return [
        { kind: 'detail', activity: element.activity, label: e.message, icon: 'error', tooltip: e.message },
        ...(e.nextStep ? [{ kind: 'detail' as const, activity: element.activity, label: `Next step: ${e.nextStep}`, icon: 'lightbulb', tooltip: e.nextStep }] : []),
      ];
    }
    return [];
  }

  getTreeItem(el: ActivityElement): vscode.TreeItem {
    if (el instanceof Activity) {
      const hasChildren = el.steps.length > 0 || el.error !== undefined || (el.detail !== undefined && el.steps.length > 0);
      const item = new vscode.TreeItem(el.title, hasChildren ? (el.status === 'failed' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
      item.id = `activity/${el.id}/${hasChildren ? 'p' : 'l'}${el.status === 'failed' ? 'f' : ''}`;
      const elapsed = formatDuration((el.endedAt ?? new Date()).getTime() - el.startedAt.getTime());
      const done = el.steps.filter((s) => s.status === 'succeeded').length;
      item.description = el.status === 'running'
        ? [`Running… ${elapsed}`, el.steps.length ? `${done}/${el.steps.length} steps` : undefined, el.progress].filter(Boolean).join(' · ')
        : `${WORD[el.status]} in ${elapsed}`;
      item.iconPath = ICONS[el.status];
      const md = new vscode.MarkdownString(`**${el.title}**\n\n${WORD[el.status]}${el.status === 'running' ? '' : ` in ${elapsed}`} · started ${el.startedAt.toLocaleTimeString()}`);
      if (el.error) md.appendMarkdown(`\n\n${el.error.message}${el.error.nextStep ? `\n\n*Next step:* ${el.error.nextStep}` : ''}`);
      else if (el.detail) md.appendMarkdown(`\n\n${el.detail}`);
      item.tooltip = md;
      item.accessibilityInformation = { label: `${el.title}, ${item.description}` };
      item.contextValue = ['activity', el.status, el.retry && el.status !== 'running' ? 'canRetry' : ''].filter(Boolean).join(';');
      return item;
    }
    if (el.kind === 'step') {
      const s = el.step;
      const item = new vscode.TreeItem(s.title, s.error ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      const elapsed = s.endedAt ? formatDuration(s.endedAt.getTime() - s.startedAt.getTime()) : undefined;
      item.description = [s.status === 'running' ? 'Running…' : `${WORD[s.status]}${elapsed ? ` in ${elapsed}` : ''}`, s.error ? undefined : s.message].filter(Boolean).join(' · ');
      item.iconPath = ICONS[s.status];
      item.tooltip = [s.title, item.description, s.error?.nextStep].filter(Boolean).join('\n');
      item.contextValue = `activityStep;${s.status}`;
      item.accessibilityInformation = { label: `Step ${s.title}, ${item.description}` };
      return item;
    }
    const item = new vscode.TreeItem(el.label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon(el.icon, el.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    item.tooltip = el.tooltip;
    item.contextValue = 'activityDetail';
    item.accessibilityInformation = { label: el.label };
    return item;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
