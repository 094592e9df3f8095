/**
 * What a recipe run talks to: for each side (provider, consumer) the tenant's clients, the
 * subscription, and who is signed in (from the token's own claims, never from configuration).
 * Built for the sandbox (its sandbox.json and token source) or for Azure (@azure/identity).
 */
import type { EventSink } from './eventTypes';
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { azureCliCredential, environmentCredential, sandboxCredentials, type SandboxDescription } from '../auth';
import { AZURE_PUBLIC_CLOUD, AzureClients, loadSandboxCloud, SCOPES, isBatchPath, isListAction, sharedHttpClient, type CloudConfig, type FactoryOptions } from '../azure';
import type { AuditActor } from './audit';
import { currentStepId } from './engine';
import { EventGridSink } from './events';
import { UserFacingError } from './errors';
import type { RecipePlan, SidePlan } from './plan';

export interface Principal extends AuditActor {
  kind: 'User' | 'ServicePrincipal';
  email?: string;
}

/** The audit trail's "who" for a signed-in principal (tenant, object id, name; nothing else). */
export function actorOf(p: Principal): AuditActor {
  return { tenantId: p.tenantId, objectId: p.objectId, name: p.name };
}

export interface SideEnv {
  side: 'provider' | 'consumer';
  plan: SidePlan;
  tenantId: string;
  subscriptionId: string;
  clients: AzureClients;
  /** Resolved on first use from the ARM token's claims. */
  principal(): Promise<Principal>;
  /** Tenant display name where known (sandbox), else the id. */
  tenantName: string;
}

/** Counts HTTP calls by kind (reads/writes/deletes on ARM; data-plane calls), for the bench and the no-op check. */
export class CallCounter {
  /** ARM calls by what they do: POST list actions (listSynchronizations, listKeys…) read, so they count as reads. */
  arm = { reads: 0, writes: 0, deletes: 0 };
  dataPlane = { reads: 0, writes: 0 };
  /**
   * Per step: calls, and "waves" (round trips that had to wait for the previous ones: a call
   * started while none of the step's calls was in flight). The longest chain of dependent calls
   * of a run is the longest path through the step graph weighted by waves.
   */
  readonly perStep = new Map<string, { calls: number; waves: number; inflight: number }>();
  constructor(private readonly armHost: string) {}
  wrap(inner: HttpClient): HttpClient {
    return {
      sendRequest: async (request) => {
        const stepId = currentStepId();
        const s = stepId ? this.perStep.get(stepId) ?? { calls: 0, waves: 0, inflight: 0 } : undefined;
        if (stepId && s) {
          this.perStep.set(stepId, s);
          s.calls++;
          if (s.inflight === 0) s.waves++;
          s.inflight++;
        }
        try {
          return await this.count(inner, request);
        } finally {
          if (s) s.inflight--;
        }
      },
    };
  }
  private count(inner: HttpClient, request: Parameters<HttpClient['sendRequest']>[0]): ReturnType<HttpClient['sendRequest']> {
    const url = new URL(request.url);
    const m = request.method.toUpperCase();
    if (url.host === this.armHost && m === 'POST' && isBatchPath(url.pathname)) {
      // An ARM batch: each read in it counts as if sent alone.
      for (const r of batchedRequests(request.body)) this.countArm(String(r.httpMethod ?? '').toUpperCase(), new URL(String(r.url ?? ''), url).pathname);
      return inner.sendRequest(request);
    }
    if (url.host === this.armHost && /\/subscriptions\//i.test(url.pathname)) {
      this.countArm(m, url.pathname);
    } else if (!/\/oauth2\//.test(url.pathname)) {
      if (m === 'GET' || m === 'HEAD' || /\/search\/query$/i.test(url.pathname)) this.dataPlane.reads++;
      else this.dataPlane.writes++;
    }
    return inner.sendRequest(request);
  }
  private countArm(m: string, pathname: string): void {
    if (m === 'GET' || m === 'HEAD' || (m === 'POST' && isListAction(pathname))) this.arm.reads++;
    else if (m === 'DELETE') this.arm.deletes++;
    else this.arm.writes++;
  }
  get armTotal(): number {
    return this.arm.reads + this.arm.writes + this.arm.deletes;
  }
}

function batchedRequests(body: unknown): Array<{ httpMethod?: unknown; url?: unknown }> {
  try {
    const requests = typeof body === 'string' ? (JSON.parse(body) as { requests?: unknown }).requests : undefined;
    return Array.isArray(requests) ? requests : [];
  } catch {
    return [];
  }
}

export interface RecipeEnv {
  plan: RecipePlan;
  cloud: CloudConfig;
  provider: SideEnv;
  consumer: SideEnv;
  counter: CallCounter;
  /** Sandbox only: the description (users, service principals). */
  sandbox?: SandboxDescription;
  /** Folder the plan was read from (relative paths in it resolve here). */
  baseDir: string;
  /** Poll quickly against the sandbox, patiently against Azure. */
  pollIntervalMs: number;
  /** Where steps announce what they did (Event Grid when the plan asks for it); absent: no events. */
  events?: EventSink;
}

export interface EnvOptions {
  /** sandbox.json of a running sandbox (target sandbox). */
  sandboxJson?: string;
  clientOptions?: FactoryOptions;
  /** Credentials by tenant id (overrides the plan's credential choice; used by the editor). */
  credentials?: Record<string, TokenCredential>;
  /** The editor's clients by tenant id (shares their caches and budget); overrides credentials. */
  clients?: Record<string, AzureClients>;
  /** The cloud to use when not the sandbox of `sandboxJson` (default: Azure public cloud, or the clients' cloud). */
  cloud?: CloudConfig;
  /** Display names by tenant id, for messages and the plan. */
  tenantNames?: Record<string, string>;
  baseDir?: string;
}

function decodeClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function makeSide(side: 'provider' | 'consumer', plan: SidePlan, cloud: CloudConfig, credential: TokenCredential, options: FactoryOptions, tenantName: string, given?: AzureClients): SideEnv {
  const clients = given ?? new AzureClients(cloud, plan.tenantId, credential, options);
  let principal: Promise<Principal> | undefined;
  return {
    side,
    plan,
    tenantId: plan.tenantId,
    subscriptionId: plan.subscriptionId,
    clients,
    tenantName,
    principal() {
      principal ??= (async () => {
        const token = await credential.getToken(SCOPES.arm);
        if (!token) throw new UserFacingError(`No token for tenant ${tenantName}.`, 'Sign in to that tenant and run again.');
        const c = decodeClaims(token.token);
        const isApp = c.idtyp === 'app' || (!c.upn && !c.unique_name && !c.preferred_username && !c.email);
        return {
          tenantId: String(c.tid ?? plan.tenantId),
          objectId: String(c.oid ?? ''),
          name: String(c.name ?? c.upn ?? c.preferred_username ?? c.app_displayname ?? c.appid ?? 'unknown'),
          kind: isApp ? 'ServicePrincipal' : 'User',
          email: typeof c.email === 'string' ? c.email : typeof c.upn === 'string' ? c.upn : typeof c.preferred_username === 'string' ? c.preferred_username : undefined,
        };
      })();
      principal.catch(() => (principal = undefined));
      return principal;
    },
  };
}

export async function createRecipeEnv(plan: RecipePlan, options: EnvOptions = {}): Promise<RecipeEnv> {
  let cloud: CloudConfig;
  let sandbox: SandboxDescription | undefined;
  if (plan.target === 'sandbox' && !options.cloud && !options.clients) {
    if (!options.sandboxJson) throw new UserFacingError('The plan targets the sandbox but no sandbox.json was given.', 'Start it with `npm run sandbox` and pass --sandbox .sandbox/sandbox.json.');
    try {
      ({ cloud, description: sandbox } = await loadSandboxCloud(options.sandboxJson));
    } catch (e) {
      throw new UserFacingError(`Cannot read the sandbox description ${options.sandboxJson}: ${(e as Error).message}`, 'Start the sandbox with `npm run sandbox` (it writes .sandbox/sandbox.json), or pass --sandbox <path>.');
    }
  } else {
    cloud = options.cloud ?? Object.values(options.clients ?? {})[0]?.cloud ?? AZURE_PUBLIC_CLOUD;
  }
  const counter = new CallCounter(new URL(cloud.armEndpoint).host);
  // The sandbox answers long-running operations at once: poll it quickly (Azure keeps the SDK defaults).
  const base = options.clientOptions ?? (sandbox ? { lro: { intervalInMs: 50, minIntervalInMs: 10, maxIntervalInMs: 500 } } : {});
  const clientOptions: FactoryOptions = { ...base, httpClient: counter.wrap(base.httpClient ?? sharedHttpClient()) };
  const credentialFor = (s: SidePlan, which: string): { credential: TokenCredential; name: string } => {
    const fromClients = options.clients?.[s.tenantId];
    if (fromClients) return { credential: fromClients.credential, name: options.tenantNames?.[s.tenantId] ?? s.tenantId };
    const given = options.credentials?.[s.tenantId];
    if (sandbox) {
      const t = sandbox.tenants.find((x) => x.tenantId.toLowerCase() === s.tenantId.toLowerCase());
      if (!t) throw new UserFacingError(`${which}.tenantId ${s.tenantId} is not a tenant of this sandbox (it has ${sandbox.tenants.map((x) => `${x.displayName} ${x.tenantId}`).join(', ')}).`, 'Use one of the sandbox tenant ids in the plan.');
      if (!t.subscriptions.some((x) => x.subscriptionId.toLowerCase() === s.subscriptionId.toLowerCase())) {
        throw new UserFacingError(`${which}.subscriptionId ${s.subscriptionId} is not a subscription of ${t.displayName}.`, `Use one of: ${t.subscriptions.map((x) => x.subscriptionId).join(', ')}.`);
      }
      return { credential: given ?? sandboxCredentials(sandbox, t.tenantId, s.identity ?? 'servicePrincipal', { caPem: cloud.caPem }), name: t.displayName };
    }
    if (given) return { credential: given, name: options.tenantNames?.[s.tenantId] ?? s.tenantId };
    if (s.credential === 'environment') {
      return { credential: environmentCredential(s.tenantId), name: s.tenantId };
    }
    return { credential: azureCliCredential(s.tenantId), name: s.tenantId };
  };
  const p = credentialFor(plan.provider, 'provider');
  const c = credentialFor(plan.consumer, 'consumer');
  const env: RecipeEnv = {
    plan,
    cloud,
    sandbox,
    counter,
    baseDir: options.baseDir ?? process.cwd(),
    pollIntervalMs: sandbox || cloud.id !== AZURE_PUBLIC_CLOUD.id ? 50 : 5000,
    provider: makeSide('provider', plan.provider, cloud, p.credential, clientOptions, p.name, options.clients?.[plan.provider.tenantId]),
    consumer: makeSide('consumer', plan.consumer, cloud, c.credential, clientOptions, c.name, options.clients?.[plan.consumer.tenantId]),
  };
  if (plan.notifications?.eventGrid) env.events = new EventGridSink(env);
  return env;
}
