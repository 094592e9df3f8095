/**
 * Runs Azurite's blob service in a child process (`azurite/host.ts`) and keeps its account list in
 * step with the storage accounts that exist in the sandbox's ARM.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AzuriteHostConfig, BlobDataAccess, HostMessage, HostReply } from '../azurite/host';

export interface AzuriteOptions {
  dataDir: string;
  host: string;
  port: number;
  certPath: string;
  keyPath: string;
  caPath: string;
  /** Azurite package folder (see resolveAzuriteDir); default: found from here or SANDBOX_AZURITE_DIR. */
  azuriteDir?: string;
  /** Initial `AZURITE_ACCOUNTS` value. */
  accounts: string;
  /** See AzuriteHostConfig.trustedCopyKey. */
  trustedCopyKey?: string;
  /** See AzuriteHostConfig.tokenPublicKeyPem and tenants (initial account -> tenant map). */
  tokenPublicKeyPem?: string;
  tenants?: Record<string, string>;
  /** See AzuriteHostConfig.dataRoles. */
  dataRoles?: Record<string, BlobDataAccess>;
  /** See AzuriteHostConfig.keyUnavailable. */
  keyUnavailable?: Record<string, string>;
  log(message: string): void;
}

/**
 * Finds the host script both when bundled (dist/sandbox.js next to dist/azurite-host.js) and when
 * compiled by tsc (out/src/sandbox/core/azurite.js -> out/src/sandbox/azurite/host.js).
 */
export function azuriteHostScript(): string {
  const candidates = [
    path.join(__dirname, 'azurite-host.js'),
    path.join(__dirname, 'azurite', 'host.js'),
    path.join(__dirname, '..', 'azurite', 'host.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`Cannot find the Azurite host script (looked for ${candidates.join(', ')}). Run 'npm run build' (or compile with tsc) first.`);
  }
  return found;
}

/** The Azurite version the sandbox is built and tested with (what a first-use install fetches). */
export const AZURITE_VERSION = '3.35.0';

/** True when `dir` holds an Azurite package the host can run (its blob server module is there). */
export function isAzuriteDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'dist', 'src', 'blob', 'BlobServer.js'));
}

/**
 * Where Azurite is: the folder given (option `azuriteDir` / flag `--azurite`), else env
 * `SANDBOX_AZURITE_DIR`, else the `azurite` package Node finds from this script (the repository's
 * node_modules in development). The packaged extension ships without Azurite: it passes a folder.
 */
export function resolveAzuriteDir(given?: string): string {
  const explicit = given ?? process.env.SANDBOX_AZURITE_DIR;
  if (explicit) {
    const dir = path.resolve(explicit);
    // Accept the package folder itself or a prefix folder an `npm install --prefix` filled.
    for (const candidate of [dir, path.join(dir, 'node_modules', 'azurite')]) {
      if (isAzuriteDir(candidate)) return candidate;
    }
    throw new Error(`No Azurite package in ${dir} (expected dist/src/blob/BlobServer.js there). Install it with 'npm install azurite@${AZURITE_VERSION} --prefix <folder>' and pass that folder.`);
  }
  try {
    // A runtime lookup (kept out of the bundle): resolves from dist/ or out/ up to node_modules.
    const dir = path.dirname(require.resolve('azurite/package.json'));
    if (isAzuriteDir(dir)) return dir;
  } catch {
    // fall through
  }
  throw new Error(`Azurite (the blob emulator) was not found. Install it (npm install azurite@${AZURITE_VERSION} --prefix <folder>) and start the sandbox with --azurite <folder>.`);
}

export class AzuriteProcess {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly acks = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private lastAccounts = '';
  private exited = false;
  port = 0;

  constructor(private readonly options: AzuriteOptions) {}

  async start(): Promise<void> {
    const { options } = this;
    const location = path.join(options.dataDir, 'azurite');
    fs.mkdirSync(location, { recursive: true });
    const config: AzuriteHostConfig = { azuriteDir: resolveAzuriteDir(options.azuriteDir), host: options.host, port: options.port, location, cert: options.certPath, key: options.keyPath, trustedCopyKey: options.trustedCopyKey, tokenPublicKeyPem: options.tokenPublicKeyPem, tenants: options.tenants, dataRoles: options.dataRoles, keyUnavailable: options.keyUnavailable };
    this.lastAccounts = options.accounts + JSON.stringify(options.tenants ?? {}) + JSON.stringify(options.dataRoles ?? {}) + JSON.stringify(options.keyUnavailable ?? {});
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SANDBOX_AZURITE_CONFIG: JSON.stringify(config),
      // Azurite fetches copy sources over HTTPS itself (to validate a SAS): it must trust our CA.
      NODE_EXTRA_CA_CERTS: options.caPath,
      AZURITE_ACCOUNTS: options.accounts,
    };
    if (!options.accounts) {
      delete env.AZURITE_ACCOUNTS;
    }
    const child = fork(azuriteHostScript(), [], { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => options.log(`[azurite] ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => options.log(`[azurite] ${d.toString().trimEnd()}`));
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Azurite did not start within 60 seconds. Check the data folder is writable and the port is free.')), 60_000);
      child.on('message', (msg: HostReply) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve(msg.port);
        } else if (msg.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`Azurite failed to start: ${msg.message}`));
        } else if (msg.type === 'ack') {
          const waiter = this.acks.get(msg.id);
          this.acks.delete(msg.id);
          waiter?.resolve();
        }
      });
      child.on('exit', (code, signal) => {
        this.exited = true;
        clearTimeout(timer);
        const err = new Error(`Azurite exited (code ${String(code)}, signal ${String(signal)}). Restart the sandbox.`);
        for (const w of this.acks.values()) {
          w.reject(err);
        }
        this.acks.clear();
        reject(err);
      });
    });
  }

  /** Sends the account list if it changed and resolves once Azurite has reloaded it. */
  async setAccounts(value: string, tenants: Record<string, string> = {}, dataRoles: Record<string, BlobDataAccess> = {}, keyUnavailable: Record<string, string> = {}): Promise<void> {
    const state = value + JSON.stringify(tenants) + JSON.stringify(dataRoles) + JSON.stringify(keyUnavailable);
    if (state === this.lastAccounts) {
      return;
    }
    if (!this.child || this.exited) {
      throw new Error('Azurite is not running; restart the sandbox.');
    }
    this.lastAccounts = state;
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      this.acks.set(id, { resolve, reject });
      const msg: HostMessage = { type: 'accounts', id, value, tenants, dataRoles, keyUnavailable };
      this.child?.send(msg);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      child.send({ type: 'stop' } satisfies HostMessage);
    } catch {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
