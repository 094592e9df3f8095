import type * as vscode from 'vscode';
import { redactSecrets } from '../common/redact';

/** The extension's output channel; every line passes through secret redaction. */
export class Log implements vscode.Disposable {
  constructor(private readonly channel: vscode.LogOutputChannel) {}

  info(message: string): void { this.channel.info(redactSecrets(message)); }
  warn(message: string): void { this.channel.warn(redactSecrets(message)); }
  error(message: string | Error): void {
    const text = message instanceof Error ? `${message.message}${message.stack ? `\n${message.stack}` : ''}` : message;
    this.channel.error(redactSecrets(text));
  }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}
