/**
 * The sandbox cloud: a local stand-in for the Azure services the extension uses (ARM for
 * Microsoft.Resources/Storage/Authorization/Purview/DataShare, the Purview data plane, a Microsoft
 * Graph subset for B2B invitations and cross-tenant access, an OAuth authority, Azurite for blob
 * data), over HTTPS on 127.0.0.1. Start it with `startSandbox` (tests, the extension) or
 * `npm run sandbox` (src/sandbox/main.ts).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ResourceProvider } from './core/contract';
import type { FaultRule } from './core/faults';
import { SandboxCore, type CoreOptions } from './core/server';
export type { RequestLogEntry } from './core/server';
import { providers as defaultProviders } from './providers';
import { isHistorySeed } from './core/seed';
import { seedHistory } from './history';

export type { FaultRule, FaultKind } from './core/faults';
export { parseFaultFlag } from './core/faults';
export type { BucketLimits, OperationType, ThrottleOptions, ThrottleStats, TypeCounters } from './core/throttle';
export { ARM_LIMITS, parseThrottleFlag } from './core/throttle';
export { BENCH, DEMO, HISTORY } from './core/seed';
export { historyLayout } from './history';
export { AZURITE_VERSION, isAzuriteDir, resolveAzuriteDir } from './core/azurite';

/** What `startSandbox` takes: the core's options, with every provider of src/sandbox/providers by default. */
export type SandboxOptions = Omit<CoreOptions, 'providers'> & { providers?: ResourceProvider[] };

export interface SandboxUserDescription {
  email: string;
  displayName: string;
  objectId: string;
  password: string;
}

export interface SandboxServicePrincipalDescription {
  displayName: string;
  clientId: string;
  secret: string;
  objectId: string;
}

export interface SandboxTenantDescription {
  tenantId: string;
  displayName: string;
  domain: string;
  subscriptions: { subscriptionId: string; displayName: string }[];
  users: SandboxUserDescription[];
  servicePrincipals: SandboxServicePrincipalDescription[];
}

/** Contents of `<data-dir>/sandbox.json` (field names are a contract with src/auth/sandbox.ts). */
export interface SandboxDescription {
  version: 1;
  /** e.g. `https://127.0.0.1:8443` */
  armEndpoint: string;
  /** Absolute path of the CA certificate (PEM) that signed the sandbox's TLS certificate. */
  caCertPath: string;
  /** OAuth authority host: tokens at `{authorityHost}/{tenant}/oauth2/v2.0/token`. */
  authorityHost: string;
  /** Base of the path-style blob endpoint: an account's endpoint is `{blobEndpoint}/{account}/`. */
  blobEndpoint: string;
  /** Base of the Purview data plane: an account's endpoint is `{purviewEndpoint}/{account}`. */
  purviewEndpoint: string;
  /** Base of the Microsoft Graph subset: clients call `{graphEndpoint}/v1.0/...` (e.g. `https://127.0.0.1:8443/graph`). */
  graphEndpoint: string;
  /** Value for the `x-sandbox-admin-key` header of `/admin/*`. */
  adminKey: string;
  /** Token audiences (scopes are `{audience}/.default`). */
  audiences: { arm: string; storage: string; purview: string; graph: string };
  dataDir: string;
  pid: number;
  startedAt: string;
  tenants: SandboxTenantDescription[];
}

export interface RunningSandbox {
  description: SandboxDescription;
  /** Path of the sandbox.json written for this run. */
  descriptionPath: string;
  armEndpoint: string;
  /** PEM of the CA to trust (`tlsOptions: {ca}`). */
  ca: string;
  adminKey: string;
  /** Moves the sandbox clock forward and runs every provider's onTick before resolving. */
  advanceClock(seconds: number): Promise<Date>;
  /** Replaces the fault rules. */
  setFaults(rules: FaultRule[]): void;
  /** Stops the HTTPS server and Azurite and closes the store (everything acknowledged is already durable). */
  stop(): Promise<void>;
  /** The core, for tests that need to look inside. */
  core: SandboxCore;
}

/** Builds the description from the directory (secrets included: sandbox.json is the local key ring). */
function describe(core: SandboxCore): SandboxDescription {
  const dir = core.directory;
  const tenants = dir.tenants().map((t) => {
    const objects = dir.objects(t.tenantId);
    return {
      tenantId: t.tenantId,
      displayName: t.displayName,
      domain: t.domain,
      subscriptions: dir.subscriptions(t.tenantId).map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })),
      users: objects
        .filter((o) => o.kind === 'User' && o.userType !== 'Guest') // B2B guests have no password: they sign in at home
        .map((o) => ({ email: o.email ?? '', displayName: o.displayName, objectId: o.objectId, password: dir.credential(o.objectId)?.secret ?? '' })),
      servicePrincipals: objects
        .filter((o) => o.kind === 'ServicePrincipal')
        .map((o) => ({ displayName: o.displayName, clientId: o.appId ?? '', secret: dir.credential(o.objectId)?.secret ?? '', objectId: o.objectId })),
    };
  });
  return {
    version: 1,
    armEndpoint: core.baseUrl,
    caCertPath: core.tls.caPath,
    authorityHost: core.baseUrl,
    blobEndpoint: `https://127.0.0.1:${core.blobPort}`,
    purviewEndpoint: `${core.baseUrl}/purview`,
    graphEndpoint: `${core.baseUrl}/graph`,
    adminKey: core.adminKey,
    audiences: { arm: 'https://management.azure.com', storage: 'https://storage.azure.com', purview: 'https://purview.azure.net', graph: 'https://graph.microsoft.com' },
    dataDir: core.options.dataDir,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    tenants,
  };
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const core = await SandboxCore.create({ ...options, providers: options.providers ?? defaultProviders });
  try {
    await core.listen();
  } catch (err) {
    await core.stop().catch(() => undefined);
    throw err;
  }
  const description = describe(core);
  const descriptionPath = path.join(core.options.dataDir, 'sandbox.json');
  const tmp = `${descriptionPath}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(description, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(tmp, descriptionPath);
  const seeded = core.store.get<{ seed?: string }>('meta', 'sandbox')?.seed;
  if (isHistorySeed(seeded)) {
    // The history seeds build their estate through the sandbox's own REST surface, once.
    const secrets = new Map(description.tenants.flatMap((t) => t.servicePrincipals.slice(0, 1).map((sp) => [t.tenantId, { clientId: sp.clientId, secret: sp.secret, objectId: sp.objectId }] as const)));
    try {
      await seedHistory(core, seeded, secrets);
    } catch (err) {
      await core.stop().catch(() => undefined);
      throw err;
    }
  }
  return {
    description,
    descriptionPath,
    armEndpoint: core.baseUrl,
    ca: core.tls.ca,
    adminKey: core.adminKey,
    advanceClock: (seconds) => core.advanceClock(seconds),
    setFaults: (rules) => core.faults.set(rules),
    stop: () => core.stop(),
    core,
  };
}
