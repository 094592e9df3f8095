/**
 * `npm run sandbox`: runs the sandbox cloud in the foreground until Ctrl+C.
 *
 *   node dist/sandbox.js [--port 8443] [--blob-port 0] [--data-dir .sandbox] [--reset] [--seed demo|empty|bench|history|history-bench] [--azurite DIR]
 *                        [--latency-ms N] [--fault kind:rate[:pattern]]... [--throttle[=reads=B/R,...]] [--quiet]
 */
import * as path from 'node:path';
import { parseFaultFlag, parseThrottleFlag, startSandbox, type FaultRule, type ThrottleOptions } from './index';
import type { SeedName } from './core/seed';

const USAGE = `Usage: npm run sandbox -- [options]
  --port N            HTTPS port for ARM and the token endpoint (default 8443; 0 = any free port)
  --blob-port N       Azurite blob port (default 0 = any free port)
  --data-dir DIR      data folder (default .sandbox in the current folder)
  --reset             start from scratch (keeps the TLS certificate)
  --seed NAME         seed for a new data folder (default demo: Contoso + Fabrikam;
                      bench: the demo plus a second subscription in each tenant; history: the demo
                      plus consumer tenants Northwind and Woodgrove, 6 shares with a year of daily
                      snapshots and classified, lineage-linked assets in Purview (for the sharing
                      dashboard); history-bench: 2 x 50 shares over 5 subscriptions per tenant)
  --azurite DIR       the Azurite package folder (or an npm --prefix folder holding it) to run the
                      blob service from (default: env SANDBOX_AZURITE_DIR, else node_modules/azurite)
  --latency-ms N      add N ms to every ARM request
  --fault K:R[:P]     inject faults: kind (latency|throttle|error500|error503|slowLro), rate 0..1, path regex
  --throttle[=SPEC]   ARM throttling: token buckets per subscription, principal and operation type, as ARM
                      (reads 250 + 25/s, writes 200 + 10/s, deletes 200 + 10/s); 429 + Retry-After when empty.
                      SPEC overrides some: type=burst/refillPerSecond,... e.g. --throttle=reads=20/2,writes=10/1
                      (counters: GET /admin/stats)
  --quiet             no request log
  --help`;

interface CliOptions {
  port: number;
  blobPort: number;
  dataDir: string;
  reset: boolean;
  seed: SeedName;
  azuriteDir: string | undefined;
  faults: FaultRule[];
  throttle: ThrottleOptions | undefined;
  quiet: boolean;
}

function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { port: 8443, blobPort: 0, dataDir: path.resolve('.sandbox'), reset: false, seed: 'demo', azuriteDir: undefined, faults: [], throttle: undefined, quiet: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) {
      throw new Error(`${flag} needs a value.\n${USAGE}`);
    }
    return v;
  };
  const int = (v: string, flag: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      throw new Error(`${flag} must be an integer from 0 to 65535; got '${v}'.`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => {
      if (inline !== undefined) {
        return inline;
      }
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--port':
        opts.port = int(take(), flag);
        break;
      case '--blob-port':
        opts.blobPort = int(take(), flag);
        break;
      case '--data-dir':
        opts.dataDir = path.resolve(take());
        break;
      case '--reset':
        opts.reset = true;
        break;
      case '--seed': {
        const seed = take();
        if (seed !== 'demo' && seed !== 'empty' && seed !== 'bench' && seed !== 'history' && seed !== 'history-bench') {
          throw new Error(`--seed must be 'demo', 'empty', 'bench', 'history' or 'history-bench'; got '${seed}'.`);
        }
        opts.seed = seed;
        break;
      }
      case '--azurite':
        opts.azuriteDir = path.resolve(take());
        break;
      case '--latency-ms':
        opts.faults.push({ kind: 'latency', rate: 1, pattern: '.*', latencyMs: int(take(), flag) });
        break;
      case '--fault':
        opts.faults.push(parseFaultFlag(take()));
        break;
      case '--throttle':
        // Optional value, inline only (`--throttle=reads=20/2`): a bare --throttle takes ARM's numbers.
        opts.throttle = parseThrottleFlag(inline);
        break;
      case '--quiet':
        opts.quiet = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown option '${arg}'.\n${USAGE}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const sandbox = await startSandbox({ port: opts.port, blobPort: opts.blobPort, dataDir: opts.dataDir, reset: opts.reset, seed: opts.seed, azuriteDir: opts.azuriteDir, faults: opts.faults, throttle: opts.throttle, quiet: opts.quiet });
  process.stdout.write(`Sandbox cloud listening: ARM ${sandbox.armEndpoint} (blob ${sandbox.description.blobEndpoint}); description in ${sandbox.descriptionPath}\n`);
  if (opts.throttle) {
    const l = sandbox.core.throttle.stats().limits;
    process.stdout.write(`ARM throttling on: reads ${l?.reads.burst}+${l?.reads.refillPerSecond}/s, writes ${l?.writes.burst}+${l?.writes.refillPerSecond}/s, deletes ${l?.deletes.burst}+${l?.deletes.refillPerSecond}/s\n`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    process.stdout.write(`Stopping the sandbox (${signal})...\n`);
    sandbox
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`Error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  watchParent(() => shutdown('its parent process exited'));
}

/**
 * `npm run sandbox` runs `sh -c "… node dist/sandbox.js"`: SIGTERM sent to npm (by a process
 * manager, a VS Code task, a CI step) ends npm and its shell, but not this process, which the
 * system re-parents. Noticing the new parent is the one signal-free way to know and stop (with
 * Azurite) instead of running on as an orphan holding the data folder's lock.
 */
function watchParent(onOrphaned: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, 250);
  timer.unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`The sandbox could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
