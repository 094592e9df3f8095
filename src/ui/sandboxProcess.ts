/**
 * "Start Local Sandbox": runs the sandbox cloud (dist/sandbox.js) as a child process of the
 * extension host, with its data under the extension's global storage and any free port, waits
 * for the sandbox.json it writes, and stops it when the window closes (the disposable is on the
 * extension context; the sandbox also exits when its parent dies).
 */
import type * as vscode from 'vscode';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, type ChildProcess } from 'child_process';
import { UserFacingError } from '../workflows/errors';
import type { Log } from './log';

const START_TIMEOUT_MS = 90_000;

export class SandboxProcess implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private starting: Promise<string> | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log) {}

  /** The data folder (sandbox.json, state, certificate) under the extension's global storage. */
  get dataDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'sandbox');
  }

  /** The extension's folder (examples/ lives there). */
  get extensionPath(): string {
    return this.context.extensionPath;
  }

  /** Under tests, nothing is asked unless the caller chose (see Start Local Sandbox's `estate`). */
  get testMode(): boolean {
    return this.context.extensionMode === 3; // vscode.ExtensionMode.Test
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the sandbox (or returns the running one's sandbox.json path). */
  start(): Promise<string> {
    if (this.running && this.starting) return this.starting;
    this.starting = this.spawn().catch((e: unknown) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async spawn(): Promise<string> {
    const entry = this.context.asAbsolutePath(path.join('dist', 'sandbox.js'));
    if (!fs.existsSync(entry)) {
      throw new UserFacingError(`The sandbox is not built (${entry} is missing).`, 'Run `npm run build` in the extension folder, then start the sandbox again.');
    }
    const dataDir = this.dataDir;
    fs.mkdirSync(dataDir, { recursive: true });
    const descriptionPath = path.join(dataDir, 'sandbox.json');
    const child = spawn(process.execPath, [entry, '--port', '0', '--data-dir', dataDir, '--quiet'], {
      cwd: this.context.extensionPath,
      // In the Electron build, process.execPath is the app itself: run it as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => this.log.info(`[sandbox] ${b.toString('utf8').trimEnd()}`));
    child.stderr?.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-2000);
      this.log.warn(`[sandbox] ${b.toString('utf8').trimEnd()}`);
    });
    child.once('exit', (code, signal) => {
      this.log.info(`The local sandbox stopped (${signal ?? `exit ${code}`}).`);
      if (this.child === child) this.child = undefined;
    });
    this.log.info(`Starting the local sandbox (pid ${child.pid}) with data in ${dataDir}`);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new UserFacingError(`The local sandbox exited while starting (${child.signalCode ?? `exit ${child.exitCode}`}): ${stderr.trim().split('\n').pop() ?? ''}`.trim(), 'Show the log for details; `npm run sandbox -- --reset` starts from scratch.');
      }
      const pid = readPid(descriptionPath);
      if (pid !== undefined && pid === child.pid) return descriptionPath;
      await new Promise((r) => setTimeout(r, 250));
    }
    this.stop();
    throw new UserFacingError(`The local sandbox did not write ${descriptionPath} within ${START_TIMEOUT_MS / 1000} s.`, 'Show the log for details.');
  }

  /** Stops the sandbox (SIGTERM: it shuts down Azurite and closes its store). */
  stop(): void {
    const child = this.child;
    this.child = undefined;
    this.starting = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }

  /** Stops the sandbox, waits for it to exit, and empties its data folder (tests: the next start is a first start). */
  async reset(): Promise<void> {
    const child = this.child;
    this.stop();
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 15000);
        child.once('exit', () => { clearTimeout(timer); resolve(); });
      });
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  dispose(): void {
    this.stop();
  }
}

/** The pid a sandbox.json was written by (undefined while absent, partial or from an older run). */
function readPid(file: string): number | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown };
    return typeof json.pid === 'number' ? json.pid : undefined;
  } catch {
    return undefined;
  }
}
