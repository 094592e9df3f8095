/**
 * "Start Local Sandbox": runs the sandbox cloud (dist/sandbox.js) as a child process of the
 * extension host, with its data under the extension's global storage and any free port, waits
 * for the sandbox.json it writes, and stops it when the window closes (the disposable is on the
 * extension context; the sandbox also exits when its parent dies).
 *
 * dist/sandbox.js ships in the .vsix with its own packages bundled; Azurite (the blob service) does
 * not. It is found, in this order: the repository's node_modules (development), a copy installed on
 * first use under global storage, the Azurite VS Code extension's folder; else the user is offered
 * an install of the pinned version into global storage (npm from PATH), with progress.
 */
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, type ChildProcess } from 'child_process';
import { CancelledError, UserFacingError } from '../workflows/errors';
import type { Log } from './log';

const START_TIMEOUT_MS = 90_000;

/** The Azurite version the sandbox is built and tested with (src/sandbox/core/azurite.ts AZURITE_VERSION). */
export const AZURITE_VERSION = '3.35.0';
/** The Azurite VS Code extension (its folder holds the same package layout as the npm package). */
export const AZURITE_EXTENSION_ID = 'Azurite.azurite';

/** A folder holding an Azurite package the sandbox can run (its blob server module is there). */
function isAzuriteDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'dist', 'src', 'blob', 'BlobServer.js'));
}

export interface AzuriteLocation {
  dir: string;
  source: 'repository' | 'globalStorage' | 'extension' | 'installed';
}

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

  /** Where a first-use install of Azurite goes (an npm --prefix folder). */
  get azuriteInstallDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'azurite');
  }

  /** The Azurite already on this machine, in the order the header describes (undefined: none). */
  findAzurite(): AzuriteLocation | undefined {
    const repo = path.join(this.context.extensionPath, 'node_modules', 'azurite');
    if (isAzuriteDir(repo)) return { dir: repo, source: 'repository' };
    const installed = path.join(this.azuriteInstallDir, 'node_modules', 'azurite');
    if (isAzuriteDir(installed)) return { dir: installed, source: 'globalStorage' };
    const ext = vscode.extensions.getExtension(AZURITE_EXTENSION_ID)?.extensionPath;
    if (ext && isAzuriteDir(ext)) return { dir: ext, source: 'extension' };
    return undefined;
  }

  /** Finds Azurite or (after asking, unless `ask` is false) installs the pinned version into global storage. */
  async azurite(ask = true): Promise<AzuriteLocation> {
    const found = this.findAzurite();
    if (found) return found;
    if (ask) {
      const install = `Install Azurite ${AZURITE_VERSION}`;
      const picked = await vscode.window.showInformationMessage(
        'The local sandbox needs Azurite, the Azure Storage emulator, for its blob data. It is not installed yet.',
        { modal: true, detail: `Install azurite@${AZURITE_VERSION} from npm into this extension's storage (a download of about 27 MB, 186 MB on disk, once; needs npm on PATH), or install the Azurite extension (${AZURITE_EXTENSION_ID}) and start the sandbox again.` },
        install,
      );
      if (picked !== install) throw new CancelledError();
    }
    const dir = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing Azurite ${AZURITE_VERSION} for the local sandbox…`, cancellable: true },
      (progress, token) => installAzurite(this.azuriteInstallDir, (m) => { progress.report({ message: m }); this.log.info(`[azurite install] ${m}`); }, token),
    );
    return { dir, source: 'installed' };
  }

  private async spawn(): Promise<string> {
    const entry = this.context.asAbsolutePath(path.join('dist', 'sandbox.js'));
    if (!fs.existsSync(entry)) {
      throw new UserFacingError(`The sandbox is not built (${entry} is missing).`, 'Run `npm run build` in the extension folder, then start the sandbox again.');
    }
    const azurite = await this.azurite(!this.testMode);
    this.log.info(`Azurite for the sandbox: ${azurite.dir} (${azurite.source}).`);
    const dataDir = this.dataDir;
    fs.mkdirSync(dataDir, { recursive: true });
    const descriptionPath = path.join(dataDir, 'sandbox.json');
    const child = spawn(process.execPath, [entry, '--port', '0', '--data-dir', dataDir, '--azurite', azurite.dir, '--quiet'], {
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

/**
 * `npm install azurite@AZURITE_VERSION` into `prefix` (staged in a sibling folder, renamed when
 * complete, so a cancelled or failed install leaves nothing half-done). Returns the package folder.
 */
export async function installAzurite(prefix: string, report: (message: string) => void, token?: vscode.CancellationToken): Promise<string> {
  const staging = `${prefix}.installing-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const windows = process.platform === 'win32';
  const args = ['install', `azurite@${AZURITE_VERSION}`, '--prefix', staging, '--no-save', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'];
  report(`npm ${args.slice(0, 2).join(' ')}`);
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const npm = spawn(windows ? 'npm.cmd' : 'npm', args, { cwd: staging, shell: windows, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      const cancel = token?.onCancellationRequested(() => npm.kill());
      const keep = (b: Buffer) => { output = (output + b.toString('utf8')).slice(-2000); };
      npm.stdout?.on('data', keep);
      npm.stderr?.on('data', keep);
      const ticker = setInterval(() => report('downloading packages…'), 5000);
      npm.once('error', (e: NodeJS.ErrnoException) => {
        clearInterval(ticker);
        cancel?.dispose();
        reject(e.code === 'ENOENT'
          ? new UserFacingError('npm was not found on PATH, so Azurite cannot be installed for the local sandbox.', `Install Node.js (it includes npm) and start the sandbox again, or install the Azurite extension (${AZURITE_EXTENSION_ID}), or run \`npm install azurite@${AZURITE_VERSION} --prefix "${prefix}"\` yourself.`)
          : e);
      });
      npm.once('exit', (code, signal) => {
        clearInterval(ticker);
        cancel?.dispose();
        if (token?.isCancellationRequested) reject(new CancelledError());
        else if (code === 0) resolve();
        else reject(new UserFacingError(`Installing Azurite failed (npm ${signal ?? `exit ${code}`}): ${output.trim().split('\n').pop() ?? ''}`.trim(), `Check your network and npm configuration, or run \`npm install azurite@${AZURITE_VERSION} --prefix "${prefix}"\` yourself, then start the sandbox again.`));
      });
    });
    const dir = path.join(staging, 'node_modules', 'azurite');
    if (!isAzuriteDir(dir)) throw new UserFacingError(`npm finished but no Azurite package is in ${dir}.`, `Run \`npm install azurite@${AZURITE_VERSION} --prefix "${prefix}"\` yourself, then start the sandbox again.`);
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.renameSync(staging, prefix);
    report('done');
    return path.join(prefix, 'node_modules', 'azurite');
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
