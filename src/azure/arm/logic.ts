/**
 * Thin wrapper over `@azure/arm-logic` 8.2.0 (api 2019-05-01): Consumption workflows, their Request
 * trigger's callback URL, runs and run actions; plus the two calls that are not ARM: starting a run
 * through the trigger's signed callback URL (the `sig` is the credential, so no token is sent and the
 * URL never reaches an error or a log), and reading a run's `outputsLink` content.
 *
 * `ApprovalChannelApi` talks to the approval channel the workflow's wait action subscribes with (the
 * sandbox serves it at `{arm}/teams/approvals`): the in-editor approver lists the cards waiting in
 * their tenant and answers one with their own bearer token, so the channel records the verified
 * principal as the responder.
 */
import type { TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicy, createEmptyPipeline, createHttpHeaders, createPipelineRequest, type Pipeline } from '@azure/core-rest-pipeline';
import { LogicManagementClient, type Workflow, type WorkflowRun, type WorkflowRunAction, type WorkflowTriggerCallbackUrl } from '@azure/arm-logic';
import { AzureRequestError, errorFromResponse, toAzureRequestError } from '../../common/azureErrors';
import type { PagedIterable } from '../core/paging';
import { sharedHttpClient } from '../http2Client';
import { applyPipelinePolicies, createRetryPolicy, tlsOptionsFor, type PipelineSettings } from '../pipeline';
import { coreClientArmOptions, sdkCall, wrapPaged, type ArmSettings, type OperationOptions } from './common';

export type { Workflow, WorkflowRun, WorkflowRunAction, WorkflowTriggerCallbackUrl };

const API_CONNECTIONS_VERSION = '2016-06-01';

/** An API connection as ARM returns it (the fields we read). */
export interface ApiConnection {
  id: string;
  name: string;
  location?: string;
  properties: {
    api: { id: string; name?: string; displayName?: string };
    displayName?: string;
    statuses?: Array<{ status: string; target?: string; error?: { code?: string; message?: string } }>;
    overallStatus?: string;
    authenticatedUser?: { name?: string };
  };
}

export interface ApiConnectionInput {
  location: string;
  tags?: Record<string, string>;
  properties: { api: { id: string }; displayName?: string; parameterValues?: Record<string, unknown> };
}

/** Whether a connection is signed in (consented): Azure says `Connected` in its statuses. */
export function connectionIsConnected(c: ApiConnection | undefined): boolean {
  return !!c && (c.properties.overallStatus === 'Connected' || (c.properties.statuses ?? []).some((s) => s.status === 'Connected'));
}

/** A URL without its query (where the signature lives), for messages. */
export function withoutQuery(url: string): string {
  return url.replace(/[?#].*$/, '');
}

function runtimePipeline(settings: PipelineSettings, credential?: { credential: TokenCredential; scopes: string[] }): Pipeline {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(createRetryPolicy(settings), { phase: 'Retry' });
  if (credential) pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: credential.credential, scopes: credential.scopes }));
  return pipeline;
}

async function sendJson<T>(pipeline: Pipeline, settings: PipelineSettings, method: 'GET' | 'POST' | 'PUT', url: string, body: unknown, headers: Record<string, string>, abortSignal?: AbortSignal): Promise<{ status: number; headers: Record<string, string>; body: T | undefined }> {
  const h = createHttpHeaders({ accept: 'application/json', ...headers });
  if (body !== undefined) h.set('content-type', 'application/json; charset=utf-8');
  const request = createPipelineRequest({ url, method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), abortSignal });
  const tls = tlsOptionsFor(settings.caPem);
  if (tls) request.tlsSettings = tls;
  const client = settings.httpClient ?? sharedHttpClient();
  let response;
  try {
    response = await pipeline.sendRequest(client, request);
  } catch (e) {
    const err = toAzureRequestError(e);
    // Never carry the signed URL on an error.
    throw new AzureRequestError({ statusCode: err.statusCode, code: err.code, message: err.message, method, url: withoutQuery(url) });
  }
  const text = response.bodyAsText ?? '';
  if (response.status >= 400) throw errorFromResponse({ status: response.status, headers: response.headers, bodyAsText: text }, { method, url: withoutQuery(url) });
  let parsed: T | undefined;
  if (text.trim()) {
    try {
      parsed = JSON.parse(text) as T;
    } catch {
      parsed = undefined;
    }
  }
  return { status: response.status, headers: response.headers.toJSON(), body: parsed };
}

export class LogicApi {
  readonly sdk: LogicManagementClient;

  constructor(
    private readonly credential: TokenCredential,
    readonly subscriptionId: string,
    private readonly settings: ArmSettings,
  ) {
    this.sdk = new LogicManagementClient(credential, subscriptionId, coreClientArmOptions(settings));
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  readonly workflows = {
    get: (resourceGroupName: string, workflowName: string, options?: OperationOptions): Promise<Workflow> => sdkCall(() => this.sdk.workflows.get(resourceGroupName, workflowName, options)),
    createOrUpdate: (resourceGroupName: string, workflowName: string, workflow: Workflow, options?: OperationOptions): Promise<Workflow> =>
      sdkCall(() => this.sdk.workflows.createOrUpdate(resourceGroupName, workflowName, workflow, options)),
    delete: (resourceGroupName: string, workflowName: string, options?: OperationOptions): Promise<void> => sdkCall(() => this.sdk.workflows.delete(resourceGroupName, workflowName, options)),
    /** The Request trigger's signed URL (`value`): a secret, like a SAS. */
    triggerCallbackUrl: (resourceGroupName: string, workflowName: string, triggerName: string, options?: OperationOptions): Promise<WorkflowTriggerCallbackUrl> =>
      sdkCall(() => this.sdk.workflowTriggers.listCallbackUrl(resourceGroupName, workflowName, triggerName, options)),
  };

  readonly runs = {
    /** Newest first; `filter` as Logic Apps takes it, e.g. `status eq 'Running'` or `ClientTrackingId eq 'x'`. */
    list: (resourceGroupName: string, workflowName: string, options: OperationOptions & { filter?: string; top?: number } = {}): PagedIterable<WorkflowRun> =>
      wrapPaged(() => this.sdk.workflowRuns.list(resourceGroupName, workflowName, { filter: options.filter, top: options.top, abortSignal: options.abortSignal })),
    get: (resourceGroupName: string, workflowName: string, runName: string, options?: OperationOptions): Promise<WorkflowRun> => sdkCall(() => this.sdk.workflowRuns.get(resourceGroupName, workflowName, runName, options)),
    cancel: (resourceGroupName: string, workflowName: string, runName: string, options?: OperationOptions): Promise<void> => sdkCall(() => this.sdk.workflowRuns.cancel(resourceGroupName, workflowName, runName, options)),
    actions: (resourceGroupName: string, workflowName: string, runName: string, options?: OperationOptions): PagedIterable<WorkflowRunAction> =>
      wrapPaged(() => this.sdk.workflowRunActions.list(resourceGroupName, workflowName, runName, options)),
  };

  /**
   * Starts a run through a Request trigger's callback URL (POST, JSON body, no token: the URL's
   * `sig` authenticates). Returns the run name from `x-ms-workflow-run-id`.
   */
  async invokeTrigger(callbackUrl: string, body: unknown, options: { clientTrackingId?: string; abortSignal?: AbortSignal } = {}): Promise<{ runName: string; status: number }> {
    const r = await sendJson(runtimePipeline(this.settings), this.settings, 'POST', callbackUrl, body, options.clientTrackingId ? { 'x-ms-client-tracking-id': options.clientTrackingId } : {}, options.abortSignal);
    const runName = r.headers['x-ms-workflow-run-id'];
    if (!runName) throw new AzureRequestError({ statusCode: r.status, code: 'InvalidResponse', message: 'The trigger answered without x-ms-workflow-run-id.', method: 'POST', url: withoutQuery(callbackUrl) });
    return { runName, status: r.status };
  }

  /**
   * API connections (`Microsoft.Web/connections`, 2016-06-01), the managed connectors' sign-ins a
   * workflow's `ApiConnection*` actions use. No SDK package of ours covers them: plain ARM calls.
   */
  readonly connections = {
    get: async (resourceGroupName: string, name: string, options: OperationOptions = {}): Promise<ApiConnection | undefined> => {
      try {
        return (await sendJson<ApiConnection>(this.armPipeline(), this.settings, 'GET', this.connectionUrl(resourceGroupName, name), undefined, {}, options.abortSignal as AbortSignal | undefined)).body;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return undefined;
        throw e;
      }
    },
    createOrUpdate: async (resourceGroupName: string, name: string, connection: ApiConnectionInput, options: OperationOptions = {}): Promise<ApiConnection> => {
      const r = await sendJson<ApiConnection>(this.armPipeline(), this.settings, 'PUT', this.connectionUrl(resourceGroupName, name), connection, {}, options.abortSignal as AbortSignal | undefined);
      if (!r.body) throw new AzureRequestError({ statusCode: r.status, code: 'InvalidResponse', message: `Creating the API connection ${name} returned no body.`, method: 'PUT' });
      return r.body;
    },
  };

  /** The managed API id of a connector (e.g. `teams`) in a location. */
  managedApiId(location: string, api: string): string {
    return `/subscriptions/${this.subscriptionId}/providers/Microsoft.Web/locations/${encodeURIComponent(location.replace(/\s+/g, '').toLowerCase())}/managedApis/${encodeURIComponent(api)}`;
  }

  private connectionUrl(resourceGroupName: string, name: string): string {
    return `${this.settings.endpoint.replace(/\/+$/, '')}/subscriptions/${encodeURIComponent(this.subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroupName)}/providers/Microsoft.Web/connections/${encodeURIComponent(name)}?api-version=${API_CONNECTIONS_VERSION}`;
  }

  private armPipelineCache: Pipeline | undefined;
  private armPipeline(): Pipeline {
    this.armPipelineCache ??= runtimePipeline(this.settings, { credential: this.credential, scopes: this.settings.scopes });
    return this.armPipelineCache;
  }

  /**
   * Starts a run of a Request trigger that has Entra ID OAuth enabled, as the signed-in principal:
   * the callback URL without its SAS (`sp`, `sv`, `sig`: Logic Apps refuses a call that carries both)
   * and this tenant's bearer token, which the workflow's authorization policy checks.
   */
  async invokeTriggerAsCaller(callbackUrl: string, body: unknown, options: { clientTrackingId?: string; abortSignal?: AbortSignal } = {}): Promise<{ runName: string; status: number }> {
    const u = new URL(callbackUrl);
    for (const k of ['sp', 'sv', 'sig']) u.searchParams.delete(k);
    const r = await sendJson(this.armPipeline(), this.settings, 'POST', u.toString(), body, options.clientTrackingId ? { 'x-ms-client-tracking-id': options.clientTrackingId } : {}, options.abortSignal);
    const runName = r.headers['x-ms-workflow-run-id'];
    if (!runName) throw new AzureRequestError({ statusCode: r.status, code: 'InvalidResponse', message: 'The trigger answered without x-ms-workflow-run-id.', method: 'POST', url: withoutQuery(callbackUrl) });
    return { runName, status: r.status };
  }

  /** The approval channel at `endpoint`, called with this tenant's credential (ARM scope). */
  approvalChannel(endpoint: string): ApprovalChannelApi {
    return new ApprovalChannelApi(endpoint, this.credential, this.settings);
  }

  /** Reads a content link (a run's trigger `outputsLink`, signed like the callback URL). */
  async readContent<T = unknown>(uri: string, options: { abortSignal?: AbortSignal } = {}): Promise<T | undefined> {
    return (await sendJson<T>(runtimePipeline(this.settings), this.settings, 'GET', uri, undefined, {}, options.abortSignal)).body;
  }
}

/** A card waiting in the approval channel, as its listing shows it. */
export interface ChannelApproval {
  id: string;
  status: 'Pending' | 'Answered' | 'Cancelled' | 'TimedOut';
  createdAt: string;
  answeredAt?: string;
  workflowId: string;
  runName: string;
  actionName: string;
  request: unknown;
}

export interface ChannelResponder {
  tenantId: string;
  objectId: string;
  displayName: string;
  email?: string;
  kind?: string;
}

export class ApprovalChannelApi {
  private readonly pipeline: Pipeline;

  constructor(
    readonly endpoint: string,
    credential: TokenCredential,
    private readonly settings: ArmSettings,
  ) {
    this.pipeline = runtimePipeline(settings, { credential, scopes: settings.scopes });
  }

  async list(options: { status?: ChannelApproval['status']; abortSignal?: AbortSignal } = {}): Promise<ChannelApproval[]> {
    const url = `${this.endpoint.replace(/\/+$/, '')}${options.status ? `?status=${encodeURIComponent(options.status)}` : ''}`;
    const r = await sendJson<{ value: ChannelApproval[] }>(this.pipeline, this.settings, 'GET', url, undefined, {}, options.abortSignal);
    return r.body?.value ?? [];
  }

  /** Answers a card as the signed-in principal (the channel takes the responder from the token). */
  async respond(id: string, action: 'Approve' | 'Reject', comment: string, options: { abortSignal?: AbortSignal } = {}): Promise<{ responder: ChannelResponder }> {
    const r = await sendJson<{ responder: ChannelResponder }>(this.pipeline, this.settings, 'POST', `${this.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(id)}/respond`, { action, comment }, {}, options.abortSignal);
    if (!r.body?.responder) throw new AzureRequestError({ statusCode: r.status, code: 'InvalidResponse', message: 'The approval channel did not say who answered.' });
    return r.body;
  }
}
