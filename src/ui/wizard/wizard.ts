/**
 * A small wizard of our own: prompt steps that each fill one key of a shared context, then the
 * caller executes. A key that is already set (from a tree node or from pre-filled answers) is not
 * asked; Back returns to the last step that prompted and forgets what was answered after it.
 * Pre-filled answers are checked with the same validators the input boxes use, so a bad value
 * stops before anything runs, with the validator's message.
 */
import * as vscode from 'vscode';
import { CancelledError, UserFacingError } from '../../workflows/errors';

export type WizardContext = Record<string, unknown>;

export class GoBackError extends Error {
  constructor() {
    super('Back');
    this.name = 'GoBackError';
  }
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface PromptStep<C extends WizardContext = WizardContext> {
  /** The context key this step fills. */
  key: string;
  /** Skip even when the key is missing (e.g. a name only asked when creating something new). */
  shouldPrompt?(ctx: C): boolean;
  /** Checks a pre-filled value (from answers): the message says what is wrong. */
  validate?(value: unknown, ctx: C): string | undefined | Promise<string | undefined>;
  prompt(ctx: C, ui: WizardUi): Promise<unknown>;
}

export interface WizardUiOptions {
  title: string;
  /** Under tests with answers: a prompt that would be shown fails instead of waiting for a person. */
  noPrompts?: boolean;
}

/** Quick picks and input boxes with a Back button and "step n of m". */
export class WizardUi {
  step = 1;
  total = 1;
  canGoBack = false;
  currentKey = '';

  constructor(readonly options: WizardUiOptions) {}

  private refuse(): never {
    throw new UserFacingError(`No answer given for '${this.currentKey}' and prompting is off.`, 'Pass it in the answers object.');
  }

  async pick<T>(items: PickItem<T>[] | Promise<PickItem<T>[]>, placeholder: string, options: { matchOnDetail?: boolean } = {}): Promise<T> {
    if (this.options.noPrompts) this.refuse();
    const qp = vscode.window.createQuickPick<PickItem<T>>();
    qp.title = this.options.title;
    qp.step = this.step;
    qp.totalSteps = this.total;
    qp.placeholder = placeholder;
    qp.matchOnDescription = true;
    qp.matchOnDetail = options.matchOnDetail ?? true;
    qp.ignoreFocusOut = true;
    qp.buttons = this.canGoBack ? [vscode.QuickInputButtons.Back] : [];
    qp.busy = true;
    qp.show();
    try {
      qp.items = await items;
    } catch (e) {
      qp.dispose();
      throw e;
    }
    qp.busy = false;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      qp.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) {
          done = true;
          reject(new GoBackError());
          qp.hide();
        }
      });
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0];
        if (!chosen) return;
        done = true;
        resolve(chosen.value);
        qp.hide();
      });
      qp.onDidHide(() => {
        qp.dispose();
        if (!done) reject(new CancelledError());
      });
    });
  }

  async input(options: { prompt: string; value?: string; placeholder?: string; validate?: (v: string) => string | undefined; password?: false }): Promise<string> {
    if (this.options.noPrompts) this.refuse();
    const box = vscode.window.createInputBox();
    box.title = this.options.title;
    box.step = this.step;
    box.totalSteps = this.total;
    box.prompt = options.prompt;
    box.placeholder = options.placeholder;
    box.value = options.value ?? '';
    box.ignoreFocusOut = true;
    box.buttons = this.canGoBack ? [vscode.QuickInputButtons.Back] : [];
    const check = (v: string) => (options.validate ? options.validate(v) : undefined);
    // Checked on every keystroke; only the latest result shows.
    box.validationMessage = options.value ? check(options.value) : undefined;
    box.onDidChangeValue((v) => { box.validationMessage = check(v); });
    box.show();
    return new Promise<string>((resolve, reject) => {
      let done = false;
      box.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) {
          done = true;
          reject(new GoBackError());
          box.hide();
        }
      });
      box.onDidAccept(() => {
        const message = check(box.value);
        if (message) {
          box.validationMessage = message;
          return;
        }
        done = true;
        resolve(box.value);
        box.hide();
      });
      box.onDidHide(() => {
        box.dispose();
        if (!done) reject(new CancelledError());
      });
    });
  }
}

function isSet(ctx: WizardContext, key: string): boolean {
  return ctx[key] !== undefined;
}

/** Runs the prompt steps over `ctx`; keys set before it starts are never asked nor cleared. */
export async function runWizard<C extends WizardContext>(ctx: C, steps: PromptStep<C>[], ui: WizardUi): Promise<C> {
  const fixed = new Set(Object.keys(ctx).filter((k) => isSet(ctx, k)));
  // Pre-filled values go through the same checks as typed ones.
  const problems: string[] = [];
  for (const s of steps) {
    if (!fixed.has(s.key) || !s.validate) continue;
    const message = await s.validate(ctx[s.key], ctx);
    if (message) problems.push(message);
  }
  if (problems.length) throw new UserFacingError(problems.join(' '), 'Correct the value and run the command again; nothing was changed.');

  const asked: Array<{ index: number; keysBefore: Set<string> }> = [];
  let i = 0;
  while (i < steps.length) {
    const s = steps[i];
    if (isSet(ctx, s.key) || (s.shouldPrompt && !s.shouldPrompt(ctx))) {
      i++;
      continue;
    }
    ui.canGoBack = asked.length > 0;
    ui.step = asked.length + 1;
    ui.total = Math.max(ui.step, asked.length + steps.slice(i).filter((x) => !isSet(ctx, x.key)).length);
    ui.currentKey = s.key;
    const keysBefore = new Set(Object.keys(ctx).filter((k) => isSet(ctx, k)));
    try {
      const value = await s.prompt(ctx, ui);
      if (value !== undefined) (ctx as WizardContext)[s.key] = value;
      else if (!isSet(ctx, s.key)) (ctx as WizardContext)[s.key] = null;
      asked.push({ index: i, keysBefore });
      i++;
    } catch (e) {
      if (!(e instanceof GoBackError)) throw e;
      const last = asked.pop();
      if (!last) continue;
      for (const k of Object.keys(ctx)) if (!last.keysBefore.has(k) && !fixed.has(k)) delete (ctx as WizardContext)[k];
      i = last.index;
    }
  }
  return ctx;
}
