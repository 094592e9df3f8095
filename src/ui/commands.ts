import * as vscode from 'vscode';
import type { ActivityLog } from './activity';
import type { Log } from './log';
import { describeError, isCancellation } from '../workflows/errors';

export interface CommandOptions {
  /** Title shown in the Activity view; commands without one (refresh, show log) are not recorded. */
  activityTitle?: string;
}

/**
 * The one wrapper every command goes through: records the run in the Activity view, logs it,
 * turns failures into a message that says what to do next (with a way to the log), and treats
 * cancellation as a quiet outcome rather than an error.
 */
export class CommandRegistry {
  private readonly registered: string[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly activity: ActivityLog,
  ) {}

  register(id: string, handler: (...args: unknown[]) => unknown, options: CommandOptions = {}): void {
    this.registered.push(id);
    this.context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      const entry = options.activityTitle ? this.activity.start(options.activityTitle) : undefined;
      try {
        const result = await handler(...args);
        if (entry) this.activity.finish(entry, 'succeeded');
        return result;
      } catch (error) {
        if (isCancellation(error)) {
          if (entry) this.activity.finish(entry, 'cancelled');
          this.log.info(`${id}: cancelled`);
          return undefined;
        }
        const { message, nextStep } = describeError(error);
        if (entry) this.activity.finish(entry, 'failed', nextStep ? `${message} ${nextStep}` : message);
        this.log.error(`${id} failed: ${message}${nextStep ? ` Next step: ${nextStep}` : ''}`);
        if (error instanceof Error && error.stack) this.log.error(error.stack);
        void this.showError(message, nextStep);
        return undefined;
      }
    }));
  }

  ids(): string[] { return [...this.registered]; }

  private async showError(message: string, nextStep?: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(nextStep ? `${message} ${nextStep}` : message, 'Show Log');
    if (choice === 'Show Log') this.log.show();
  }
}
