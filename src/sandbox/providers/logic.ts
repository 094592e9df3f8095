/**
 * Microsoft.Logic/workflows (Consumption) for the approval journeys, plus the Teams surfaces the
 * approval templates talk to.
 *
 * ARM (api-versions 2016-06-01 and 2019-05-01, the one @azure/arm-logic 8.2.0 sends and the newest
 * stable): workflows (PUT/GET/DELETE, list), `triggers/{t}/listCallbackUrl`, runs (list with
 * `$filter` on status or ClientTrackingId, get, cancel, actions). `properties.accessControl` is
 * stored and served back; its `triggers.openAuthenticationPolicies.policies` (`{name: {type:'AAD',
 * claims:[{name, value}]}}`, each with an `iss` claim) are validated at PUT (400
 * `InvalidAccessControlConfiguration`) and enforced on bearer calls to the trigger.
 *
 * Runtime (as on `*.logic.azure.com`):
 *  - `POST /workflows/{id}/triggers/{t}/paths/invoke?api-version&sp&sv&sig` starts a run (202,
 *    `x-ms-workflow-run-id`); a wrong signature gets 401 with Logic Apps' error shape. Without `sig`
 *    and with `Authorization: Bearer <token>` ("OAuth with Microsoft Entra ID"): the token is verified
 *    as everywhere in the sandbox (signature, lifetime, issuer; any audience) and accepted when every
 *    claim of at least one AAD policy equals the token's (exact string compare), else 401
 *    `MisMatchingOAuthClaims`; a bearer on a workflow with no policy, or no credential at all, 401
 *    `DirectApiAuthorizationRequired`; `sig` and a bearer together, 400
 *    `DirectApiRequestHasMoreThanOneAuthorization`. The trigger's outputs carry the Authorization
 *    header only with `operationOptions: 'IncludeAuthorizationHeadersInOutputs'`; with
 *    `runtimeConfiguration.secureData.properties` holding 'outputs' the run serves no trigger
 *    `outputsLink` (and the contents route answers 403) while expressions still read them;
 *  - `POST /workflows/{id}/runs/{run}/actions/{a}/run?…&sig` is a webhook action's callback;
 *  - `GET /workflows/{id}/runs/{run}/contents/TriggerOutputs?…&sig` is a run's `outputsLink`.
 *
 * The run executes the subset of the workflow definition language the extension's approval
 * templates use: a Request trigger; `Http` (delivered to the sandbox's own Teams webhook sink),
 * `HttpWebhook` (subscribed with the sandbox's Teams approval channel), `ApiConnectionWebhook` (the
 * Teams connector, below), `Compose` and `Terminate` actions with `runAfter`; webhook waits honour
 * `limit.timeout` on the sandbox clock (then TimedOut). Expressions `@…` and `@{…}` with
 * triggerBody/triggerOutputs/body/outputs/listCallbackUrl/utcNow/workflow/parameters, string/concat/
 * coalesce/json, split/replace/substring/toLower/toUpper/trim/startsWith/endsWith/contains/
 * encodeURIComponent/decodeUriComponent/base64/base64ToString, add/sub/mul/div/mod/int/length/empty,
 * equals/not/and/or/if/first/last, and `?['x']` / `[i]` / `.x` member access; a failing expression
 * fails its action with `InvalidTemplate`. Any other action type is refused at PUT.
 *
 * The Teams connector ("Post adaptive card and wait for a response"): an `ApiConnectionWebhook` whose
 * `host.connection.name` is a Microsoft.Web/connections id (webConnections.ts) and whose path is
 * `/v1.0/teams/conversation/gatherinput/poster/Flow%20bot/location/Channel/$subscriptions`. The
 * action fails as the connector does when the connection is missing (`ApiConnectionNotFound`), not
 * authorized (`Unauthorized`, naming the Authorize step), the path is another operation (`NotFound`)
 * or another poster/location, `notificationUrl` is not `listCallbackUrl()`, the recipient lacks
 * groupId/channelId or `messageBody` is not the JSON of an Adaptive Card (`BadRequest`). Otherwise
 * the card waits in the approval channel below (with `kind: 'ApiConnectionWebhook'`, `card`,
 * `recipient`, `poster`, `location`, `postedAs`) and the answer resumes the action with the
 * connector's body `{responseTime, responder, submitActionId, data: {action, comment}}`.
 *
 * Teams (the card and the answer):
 *  - `POST /teams/webhook/{id}` accepts only `{type:"message", attachments:[{contentType:
 *    "application/vnd.microsoft.card.adaptive", content: AdaptiveCard}]}` and records it (202);
 *    `GET /teams/webhook/{id}` (any sandbox bearer token) lists what it received;
 *  - the approval channel stands in for the Teams channel where people press the card's buttons:
 *    `GET /teams/approvals` lists the cards waiting in the caller's tenant and
 *    `POST /teams/approvals/{id}/respond {action:"Approve"|"Reject", comment}` answers one. The
 *    answer needs the approver's own bearer token: the verified principal (tenant, object id, name)
 *    becomes the action's `responder`, never a name the caller sends.
 */
import * as crypto from 'node:crypto';
import { ArmError, type ResourceProvider, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../core/contract';
import { paginate, systemData } from '../core/arm';
import { internals } from '../core/server';
import { bodyObject, callerOf, normalizeLocation, propertiesOf, tagsOf } from './common';
import { teamsConnection } from './webConnections';

/** @azure/arm-logic 8.2.0 sends 2019-05-01 (also the newest stable in the specs); 2016-06-01 is the first GA. */
export const LOGIC_API_VERSIONS = ['2016-06-01', '2019-05-01'];
/** The api-version of the runtime URLs (trigger invoke, callbacks, contents), as Logic Apps hands them out. */
const RUNTIME_API_VERSION = '2016-10-01';
const ACTION_TYPES = ['Http', 'HttpWebhook', 'ApiConnectionWebhook', 'Compose', 'Terminate'];

type RunStatus = 'Running' | 'Waiting' | 'Succeeded' | 'Failed' | 'Cancelled';
type ActionStatus = 'Running' | 'Waiting' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Skipped' | 'Cancelled';

interface WorkflowRecord {
  id: string;
  name: string;
  type: 'Microsoft.Logic/workflows';
  location: string;
  tags?: Record<string, string>;
  systemData: ReturnType<typeof systemData>;
  properties: {
    provisioningState: 'Succeeded';
    createdTime: string;
    changedTime: string;
    state: 'Enabled' | 'Disabled';
    version: string;
    accessEndpoint: string;
    definition: Definition;
    parameters: Record<string, { value?: unknown }>;
    /** As sent (validated): `triggers.openAuthenticationPolicies` is enforced on bearer calls. */
    accessControl?: AccessControl;
  };
}

interface OAuthPolicy {
  type: 'AAD';
  claims: { name: string; value: string }[];
}

interface AccessControl {
  triggers?: { openAuthenticationPolicies?: { policies?: Record<string, OAuthPolicy> }; [k: string]: unknown };
  [k: string]: unknown;
}

interface TriggerDef {
  type: string;
  kind?: string;
  inputs?: unknown;
  /** `IncludeAuthorizationHeadersInOutputs` puts the bearer's Authorization header in the trigger outputs. */
  operationOptions?: string;
  runtimeConfiguration?: { secureData?: { properties?: string[] } };
}

/** Per workflow, never served: the runtime id in its URLs and the key its signatures use. */
interface WorkflowSecret {
  workflowId: string;
  runtimeId: string;
  key: string;
}

interface Definition {
  triggers: Record<string, TriggerDef>;
  actions: Record<string, ActionDef>;
  outputs?: Record<string, { type?: string; value?: unknown }>;
  parameters?: Record<string, { type?: string; defaultValue?: unknown }>;
  [k: string]: unknown;
}

interface ActionDef {
  type: string;
  inputs?: unknown;
  runAfter?: Record<string, string[]>;
  limit?: { timeout?: string };
}

interface ActionRun {
  type?: string;
  status: ActionStatus;
  startTime: string;
  endTime?: string;
  code?: string;
  error?: { code: string; message: string };
  /** HTTP-shaped actions: {statusCode, headers, body}; Compose: the composed value. */
  outputs?: unknown;
  /** HttpWebhook: when the wait times out (sandbox clock). */
  deadline?: string;
  trackingId: string;
}

interface RunRecord {
  workflowId: string;
  name: string;
  status: RunStatus;
  startTime: string;
  endTime?: string;
  code?: string;
  error?: { code: string; message: string };
  clientTrackingId: string;
  correlationId: string;
  /** `secure`: the trigger's runtimeConfiguration.secureData hid its outputs (no outputsLink is served). */
  trigger: { name: string; outputs: { headers: Record<string, string>; body: unknown }; time: string; secure?: boolean };
  actions: Record<string, ActionRun>;
  outputs?: Record<string, { type: string; value: unknown }>;
  workflowVersion: string;
}

/** A card waiting for an answer in the approval channel (keyed `{workflowId}/approvals/{id}`). */
interface ApprovalRecord {
  id: string;
  workflowId: string;
  tenantId: string;
  runName: string;
  actionName: string;
  /** The webhook action's callback URL (its `sig` is a secret: never served). */
  callbackUrl: string;
  subscribeBody: unknown;
  /** `HttpWebhook` (the sandbox's own subscribe endpoint) or `ApiConnectionWebhook` (the Teams connector). */
  kind?: 'HttpWebhook' | 'ApiConnectionWebhook';
  /** Teams connector: the Adaptive Card posted (parsed `messageBody`), where, as whom, and the text that replaces it once answered. */
  card?: unknown;
  recipient?: { groupId: string; channelId: string };
  poster?: string;
  location?: string;
  connectionId?: string;
  postedAs?: string;
  updateMessage?: string;
  status: 'Pending' | 'Answered' | 'Cancelled' | 'TimedOut';
  createdAt: string;
  answeredAt?: string;
}

interface TeamsMessageRecord {
  webhookId: string;
  seq: number;
  receivedAt: string;
  message: unknown;
}

const WF = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Logic/workflows/{workflowName}';

function workflowId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Logic/workflows/${p.workflowName}`;
}

function getWorkflow(ctx: SandboxContext, p: Record<string, string>): WorkflowRecord {
  const rec = ctx.store.get<WorkflowRecord>('resources', workflowId(p));
  if (!rec || rec.type !== 'Microsoft.Logic/workflows') {
    throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Logic/workflows/${p.workflowName}' under resource group '${p.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return rec;
}

function secretOf(ctx: SandboxContext, wfId: string): WorkflowSecret {
  const s = ctx.store.get<WorkflowSecret>('logicSecrets', `${wfId}/secret`);
  if (!s) throw new ArmError(500, 'InternalServerError', `The workflow ${wfId} has no signing key.`);
  return s;
}

function byRuntimeId(ctx: SandboxContext, runtimeId: string): { wf: WorkflowRecord; secret: WorkflowSecret } | undefined {
  const secret = ctx.store.list<WorkflowSecret>('logicSecrets').find((s) => s.runtimeId.toLowerCase() === runtimeId.toLowerCase());
  const wf = secret ? ctx.store.get<WorkflowRecord>('resources', secret.workflowId) : undefined;
  return wf && secret ? { wf, secret } : undefined;
}

function sign(key: string, sp: string, sv: string, path: string): string {
  return crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(`${sp}\n${sv}\n${path.toLowerCase()}`).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** A runtime URL signed with the workflow's key: `{base}{path}?api-version&sp&sv&sig` (plus `extra`). */
function signedUrl(base: string, secret: WorkflowSecret, path: string, sp: string, extra: Record<string, string> = {}): { url: string; basePath: string; queries: Record<string, string> } {
  const queries = { 'api-version': RUNTIME_API_VERSION, ...extra, sp, sv: '1.0', sig: sign(secret.key, sp, '1.0', path) };
  const q = new URLSearchParams(queries).toString();
  return { url: `${base}${path}?${q}`, basePath: `${base}${path}`, queries };
}

/** 401 in Logic Apps' shape unless `sig` signs this path with the workflow's key. */
function checkSignature(req: SandboxRequest, secret: WorkflowSecret, path: string): void {
  const sig = req.query.get('sig');
  const sp = req.query.get('sp') ?? '';
  const sv = req.query.get('sv') ?? '';
  if (!sig) {
    throw new ArmError(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
  }
  if (sv !== '1.0' || !safeEqual(sig, sign(secret.key, sp, sv, path))) {
    throw new ArmError(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature is not valid for this workflow; get a new one from listCallbackUrl.');
  }
}

function newRunName(): string {
  const digits = Array.from(crypto.randomBytes(29), (b) => String(b % 10)).join('');
  return `08584${digits.slice(0, 24)}CU${digits.slice(24, 26)}`;
}

// ---------------------------------------------------------------------------------------------
// Definition checks and the expression subset
// ---------------------------------------------------------------------------------------------

function checkDefinition(def: unknown): Definition {
  const bad = (m: string) => new ArmError(400, 'InvalidWorkflowDefinition', `The workflow definition is not valid: ${m}`);
  if (typeof def !== 'object' || def === null || Array.isArray(def)) throw bad("'properties.definition' must be an object.");
  const d = def as Definition;
  const triggers = d.triggers ?? {};
  if (typeof triggers !== 'object' || Object.keys(triggers).length !== 1) throw bad('the sandbox runs workflows with exactly one trigger.');
  for (const [n, t] of Object.entries(triggers)) {
    if (t?.type !== 'Request') throw bad(`trigger '${n}' is of type '${String(t?.type)}'; the sandbox serves 'Request' triggers only.`);
    if (t.operationOptions !== undefined && (typeof t.operationOptions !== 'string' || t.operationOptions.split(',').some((o) => o.trim() !== 'IncludeAuthorizationHeadersInOutputs'))) {
      throw bad(`trigger '${n}' has operationOptions '${String(t.operationOptions)}'; a Request trigger takes 'IncludeAuthorizationHeadersInOutputs'.`);
    }
    const secure = t.runtimeConfiguration?.secureData?.properties;
    if (secure !== undefined && (!Array.isArray(secure) || secure.some((x) => x !== 'inputs' && x !== 'outputs'))) {
      throw bad(`trigger '${n}' has runtimeConfiguration.secureData.properties ${JSON.stringify(secure)}; use ['inputs'], ['outputs'] or both.`);
    }
  }
  const actions = d.actions ?? {};
  for (const [n, a] of Object.entries(actions)) {
    if (!ACTION_TYPES.includes(a?.type)) throw bad(`action '${n}' is of type '${String(a?.type)}'; the sandbox runs ${ACTION_TYPES.join(', ')}.`);
    for (const dep of Object.keys(a.runAfter ?? {})) if (!(dep in actions)) throw bad(`action '${n}' runs after '${dep}', which is not an action of this workflow.`);
    if (a.limit?.timeout !== undefined && durationMs(a.limit.timeout) === undefined) throw bad(`action '${n}' has limit.timeout '${a.limit.timeout}', which is not an ISO 8601 duration.`);
  }
  return { ...d, triggers, actions };
}

/**
 * `properties.accessControl` as Logic Apps validates it: `triggers.openAuthenticationPolicies.policies`
 * maps a name to `{type:'AAD', claims:[{name, value}]}` and every policy names its issuer (`iss`,
 * `https://sts.windows.net/{tenant}/` or `https://login.microsoftonline.com/{tenant}/v2.0`).
 */
function checkAccessControl(raw: unknown): AccessControl | undefined {
  if (raw === undefined || raw === null) return undefined;
  const bad = (m: string) => new ArmError(400, 'InvalidAccessControlConfiguration', `The workflow access control configuration is not valid: ${m}`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad("'properties.accessControl' must be an object.");
  const ac = raw as AccessControl;
  const policies = ac.triggers?.openAuthenticationPolicies?.policies;
  if (policies === undefined) return ac;
  if (typeof policies !== 'object' || policies === null || Array.isArray(policies)) throw bad("'triggers.openAuthenticationPolicies.policies' must map policy names to policies.");
  for (const [name, pol] of Object.entries(policies)) {
    if (pol?.type !== 'AAD') throw bad(`policy '${name}' is of type '${String(pol?.type)}'; the only type is 'AAD' (Microsoft Entra ID).`);
    if (!Array.isArray(pol.claims) || pol.claims.length === 0) throw bad(`policy '${name}' has no claims; give at least the issuer: {name:'iss', value:'https://sts.windows.net/{tenantId}/'}.`);
    for (const c of pol.claims) {
      if (typeof c?.name !== 'string' || typeof c.value !== 'string' || !c.name) throw bad(`policy '${name}' has a claim that is not {name, value} text: ${JSON.stringify(c)}.`);
    }
    const iss = pol.claims.find((c) => c.name === 'iss');
    if (!iss || !/^https:\/\/(sts\.windows\.net|login\.microsoftonline\.com)\//.test(iss.value)) {
      throw bad(`policy '${name}' must include the issuer claim 'iss' with a value that starts with 'https://sts.windows.net/' or 'https://login.microsoftonline.com/'.`);
    }
  }
  return ac;
}

/** ISO 8601 duration (P[nD][T[nH][nM][nS]]) in ms. */
function durationMs(s: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

interface EvalScope {
  run: RunRecord;
  wf: WorkflowRecord;
  callbackUrl?: string;
  now: Date;
}

class ExpressionError extends Error {}

/** Evaluates a value of the definition: strings starting with `@` are expressions, `@{…}` interpolates. */
function evaluate(v: unknown, scope: EvalScope): unknown {
  if (typeof v === 'string') {
    if (v.startsWith('@@')) return v.slice(1);
    if (v.startsWith('@') && !v.startsWith('@{')) return new Parser(v.slice(1), scope).parseAll();
    if (v.includes('@{')) {
      return v.replace(/@\{((?:[^{}']|'(?:[^']|'')*')*)\}/g, (_m, inner: string) => {
        const r = new Parser(inner, scope).parseAll();
        return typeof r === 'string' ? r : r === undefined || r === null ? '' : JSON.stringify(r);
      });
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => evaluate(x, scope));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluate(x, scope)]));
  return v;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string, private readonly scope: EvalScope) {}

  parseAll(): unknown {
    const v = this.expr();
    this.ws();
    if (this.i < this.s.length) throw new ExpressionError(`unexpected '${this.s.slice(this.i)}' in expression '${this.s}'`);
    return v;
  }

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private expr(): unknown {
    let v = this.primary();
    for (;;) {
      this.ws();
      if (this.s.startsWith('?[', this.i)) {
        this.i += 2;
        const k = this.expr();
        this.expect(']');
        v = member(v, k, true);
      } else if (this.s[this.i] === '[') {
        this.i++;
        const k = this.expr();
        this.expect(']');
        v = member(v, k, false, this.s);
      } else if (this.s[this.i] === '?' && this.s[this.i + 1] === '.') {
        this.i += 2;
        v = member(v, this.ident(), true);
      } else if (this.s[this.i] === '.') {
        this.i++;
        v = member(v, this.ident(), false, this.s);
      } else return v;
    }
  }

  private expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) throw new ExpressionError(`expected '${c}' at position ${this.i} of '${this.s}'`);
    this.i++;
  }

  private ident(): string {
    const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i));
    if (!m) throw new ExpressionError(`expected a name at position ${this.i} of '${this.s}'`);
    this.i += m[0].length;
    return m[0];
  }

  private primary(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === "'") {
      let out = '';
      this.i++;
      for (;;) {
        if (this.i >= this.s.length) throw new ExpressionError(`unterminated string in '${this.s}'`);
        if (this.s[this.i] === "'") {
          if (this.s[this.i + 1] === "'") {
            out += "'";
            this.i += 2;
            continue;
          }
          this.i++;
          return out;
        }
        out += this.s[this.i++];
      }
    }
    const num = /^-?\d+(\.\d+)?/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    const name = this.ident();
    if (name === 'true' || name === 'false') return name === 'true';
    if (name === 'null') return null;
    this.expect('(');
    const args: unknown[] = [];
    this.ws();
    if (this.s[this.i] !== ')') {
      for (;;) {
        args.push(this.expr());
        this.ws();
        if (this.s[this.i] === ',') {
          this.i++;
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return call(name, args, this.scope);
  }
}

function member(v: unknown, k: unknown, optional: boolean, expr?: string): unknown {
  if (v === null || v === undefined) {
    if (optional) return null;
    throw new ExpressionError(`cannot read '${String(k)}' of null in '${expr ?? ''}'; use ?['${String(k)}']`);
  }
  if (typeof v !== 'object') throw new ExpressionError(`cannot read '${String(k)}' of a ${typeof v}`);
  const obj = v as Record<string, unknown>;
  const key = Object.keys(obj).find((x) => x.toLowerCase() === String(k).toLowerCase());
  const r = key === undefined ? undefined : obj[key];
  if (r === undefined) {
    if (optional) return null;
    throw new ExpressionError(`property '${String(k)}' does not exist${expr ? ` in '${expr}'` : ''}`);
  }
  return r;
}

function actionOf(scope: EvalScope, name: unknown): ActionRun {
  const a = scope.run.actions[String(name)];
  if (!a) throw new ExpressionError(`the action '${String(name)}' has not run; reference only actions this one runs after`);
  return a;
}

function call(name: string, args: unknown[], scope: EvalScope): unknown {
  switch (name.toLowerCase()) {
    case 'triggerbody':
      return scope.run.trigger.outputs.body ?? null;
    case 'triggeroutputs':
      return scope.run.trigger.outputs;
    case 'body': {
      // Compose's outputs are its value; HTTP-shaped actions keep the body under `body`.
      const a = actionOf(scope, args[0]);
      return (a.type === 'Compose' ? a.outputs : (a.outputs as { body?: unknown } | undefined)?.body) ?? null;
    }
    case 'outputs':
      return actionOf(scope, args[0]).outputs ?? null;
    case 'listcallbackurl':
      if (!scope.callbackUrl) throw new ExpressionError('listCallbackUrl() is available in webhook actions (HttpWebhook, ApiConnectionWebhook) only');
      return scope.callbackUrl;
    case 'utcnow':
      return scope.now.toISOString();
    case 'workflow':
      return { id: scope.wf.id, name: scope.wf.name, type: scope.wf.type, location: scope.wf.location, run: { id: `${scope.wf.id}/runs/${scope.run.name}`, name: scope.run.name, type: 'Microsoft.Logic/workflows/runs' } };
    case 'string':
      return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    case 'concat':
      return args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join('');
    case 'coalesce':
      return args.find((a) => a !== null && a !== undefined) ?? null;
    case 'json':
      try {
        return typeof args[0] === 'string' ? JSON.parse(args[0]) : args[0];
      } catch {
        throw new ExpressionError('json() was given text that is not JSON');
      }
    case 'parameters': {
      const p = scope.wf.properties.parameters[String(args[0])]?.value ?? scope.wf.properties.definition.parameters?.[String(args[0])]?.defaultValue;
      if (p === undefined) throw new ExpressionError(`the workflow parameter '${String(args[0])}' is not defined`);
      return p;
    }
    default:
      return textAndMath(name, args);
  }
}

const text = (fn: string, v: unknown, what = 'text'): string => {
  if (typeof v !== 'string') throw new ExpressionError(`${fn}() expects ${what}, got ${v === null ? 'null' : typeof v}`);
  return v;
};

const integer = (fn: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ExpressionError(`${fn}() expects numbers, got ${v === null ? 'null' : typeof v}`);
  return v;
};

function arity(fn: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) throw new ExpressionError(`${fn}() takes ${min === max ? min : `${min} to ${max}`} argument(s); ${args.length} given`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The string, collection, logic and math functions of the Workflow Definition Language the templates use. */
function textAndMath(name: string, args: unknown[]): unknown {
  const fn = name;
  switch (name.toLowerCase()) {
    case 'split':
      arity(fn, args, 2);
      return text(fn, args[0]).split(text(fn, args[1], 'a delimiter text'));
    case 'replace': {
      arity(fn, args, 3);
      const old = text(fn, args[1]);
      if (old === '') throw new ExpressionError('replace() cannot replace an empty string');
      return text(fn, args[0]).split(old).join(text(fn, args[2]));
    }
    case 'base64tostring': {
      arity(fn, args, 1);
      const b = text(fn, args[0], 'base64 text');
      if (b.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b)) throw new ExpressionError(`base64ToString() was given '${b.length > 40 ? `${b.slice(0, 40)}…` : b}', which is not valid base64 (standard alphabet, padded to a multiple of 4)`);
      return Buffer.from(b, 'base64').toString('utf8');
    }
    case 'base64':
      arity(fn, args, 1);
      return Buffer.from(typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]), 'utf8').toString('base64');
    case 'substring': {
      arity(fn, args, 2, 3);
      const s = text(fn, args[0]);
      const start = integer(fn, args[1]);
      const length = args.length > 2 ? integer(fn, args[2]) : s.length - start;
      if (start < 0 || start > s.length) throw new ExpressionError(`substring(): the start index ${start} must be between 0 and the length of the text (${s.length})`);
      if (length < 0 || start + length > s.length) throw new ExpressionError(`substring(): the start index (${start}) plus the length (${length}) must be at most the length of the text (${s.length})`);
      return s.substring(start, start + length);
    }
    case 'add':
      arity(fn, args, 2);
      return integer(fn, args[0]) + integer(fn, args[1]);
    case 'sub':
      arity(fn, args, 2);
      return integer(fn, args[0]) - integer(fn, args[1]);
    case 'mul':
      arity(fn, args, 2);
      return integer(fn, args[0]) * integer(fn, args[1]);
    case 'div':
    case 'mod': {
      arity(fn, args, 2);
      const a = integer(fn, args[0]);
      const b = integer(fn, args[1]);
      if (b === 0) throw new ExpressionError(`${fn}(): attempted to divide by zero`);
      if (name.toLowerCase() === 'mod') return a % b;
      return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
    }
    case 'int': {
      arity(fn, args, 1);
      const n = typeof args[0] === 'number' ? args[0] : Number(text(fn, args[0]));
      if (!Number.isInteger(n)) throw new ExpressionError(`int() was given '${String(args[0])}', which is not an integer`);
      return n;
    }
    case 'length':
      arity(fn, args, 1);
      if (typeof args[0] === 'string' || Array.isArray(args[0])) return args[0].length;
      throw new ExpressionError(`length() expects text or an array, got ${args[0] === null ? 'null' : typeof args[0]}`);
    case 'empty':
      arity(fn, args, 1);
      return args[0] === null || args[0] === undefined || args[0] === '' || (Array.isArray(args[0]) && args[0].length === 0) || (typeof args[0] === 'object' && !Array.isArray(args[0]) && Object.keys(args[0] as object).length === 0);
    case 'encodeuricomponent':
      arity(fn, args, 1);
      // As .NET's Uri.EscapeDataString, which also escapes ! ' ( ) *.
      return encodeURIComponent(typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0])).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    case 'decodeuricomponent':
      arity(fn, args, 1);
      try {
        return decodeURIComponent(text(fn, args[0]));
      } catch {
        throw new ExpressionError('decodeUriComponent() was given text that is not URI-encoded');
      }
    case 'tolower':
      arity(fn, args, 1);
      return text(fn, args[0]).toLowerCase();
    case 'toupper':
      arity(fn, args, 1);
      return text(fn, args[0]).toUpperCase();
    case 'trim':
      arity(fn, args, 1);
      return text(fn, args[0]).trim();
    case 'startswith':
      arity(fn, args, 2);
      return text(fn, args[0]).toLowerCase().startsWith(text(fn, args[1]).toLowerCase());
    case 'endswith':
      arity(fn, args, 2);
      return text(fn, args[0]).toLowerCase().endsWith(text(fn, args[1]).toLowerCase());
    case 'contains':
      arity(fn, args, 2);
      if (typeof args[0] === 'string') return args[0].includes(text(fn, args[1]));
      if (Array.isArray(args[0])) return args[0].some((x) => deepEqual(x, args[1]));
      if (args[0] && typeof args[0] === 'object') return Object.prototype.hasOwnProperty.call(args[0], String(args[1]));
      throw new ExpressionError('contains() expects text, an array or an object');
    case 'equals':
      arity(fn, args, 2);
      return deepEqual(args[0], args[1]);
    case 'not':
      arity(fn, args, 1);
      if (typeof args[0] !== 'boolean') throw new ExpressionError('not() expects a boolean');
      return !args[0];
    case 'and':
    case 'or':
      if (args.length < 2 || args.some((a) => typeof a !== 'boolean')) throw new ExpressionError(`${fn}() expects two or more booleans`);
      return name.toLowerCase() === 'and' ? args.every(Boolean) : args.some(Boolean);
    case 'if':
      arity(fn, args, 3);
      if (typeof args[0] !== 'boolean') throw new ExpressionError('if() expects a boolean as its first argument');
      return args[0] ? args[1] : args[2];
    case 'first':
    case 'last': {
      arity(fn, args, 1);
      const c = args[0];
      if (typeof c !== 'string' && !Array.isArray(c)) throw new ExpressionError(`${fn}() expects text or an array`);
      if (c.length === 0) return typeof c === 'string' ? '' : null;
      return name.toLowerCase() === 'first' ? c[0] : c[c.length - 1];
    }
    default:
      throw new ExpressionError(`the template function '${name}' is not supported by the sandbox`);
  }
}

// ---------------------------------------------------------------------------------------------
// Teams: webhook sink and approval channel
// ---------------------------------------------------------------------------------------------

/** Records a Teams webhook message; throws 400 unless it is an Adaptive Card message. */
function receiveTeamsMessage(ctx: SandboxContext, webhookId: string, message: unknown): void {
  const m = message as { type?: unknown; attachments?: unknown } | undefined;
  const bad = (why: string) => new ArmError(400, 'BadRequest', `Teams Workflows webhooks accept Adaptive Card messages only: ${why}`);
  if (!m || typeof m !== 'object' || m.type !== 'message') throw bad("the body must be {type:'message', attachments:[…]}.");
  if (!Array.isArray(m.attachments) || m.attachments.length === 0) throw bad("'attachments' must hold at least one card.");
  for (const a of m.attachments as Array<{ contentType?: unknown; content?: { type?: unknown; body?: unknown } }>) {
    if (a?.contentType !== 'application/vnd.microsoft.card.adaptive') throw bad(`contentType '${String(a?.contentType)}' is not 'application/vnd.microsoft.card.adaptive' (MessageCard and others are refused).`);
    if (!a.content || typeof a.content !== 'object' || a.content.type !== 'AdaptiveCard' || !Array.isArray(a.content.body)) throw bad("the attachment's content must be an AdaptiveCard with a body.");
  }
  if (JSON.stringify(message).length > 28 * 1024) throw new ArmError(413, 'RequestEntityTooLarge', 'Teams messages are limited to about 28 KB.');
  const existing = ctx.store.list<TeamsMessageRecord>('teamsMessages', `teams/${webhookId}/`);
  const seq = existing.length + 1;
  ctx.store.put<TeamsMessageRecord>('teamsMessages', `teams/${webhookId}/${String(seq).padStart(6, '0')}`, { webhookId, seq, receivedAt: ctx.clock.now().toISOString(), message });
}

function approvalView(a: ApprovalRecord) {
  const body = a.subscribeBody as { request?: unknown; card?: unknown } | undefined;
  return {
    id: a.id,
    status: a.status,
    createdAt: a.createdAt,
    answeredAt: a.answeredAt,
    workflowId: a.workflowId,
    runName: a.runName,
    actionName: a.actionName,
    request: body?.request ?? null,
    card: a.card ?? body?.card ?? null,
    kind: a.kind ?? 'HttpWebhook',
    recipient: a.recipient ?? null,
    ...(a.kind === 'ApiConnectionWebhook' ? { poster: a.poster, location: a.location, connectionId: a.connectionId, postedAs: a.postedAs, ...(a.updateMessage ? { updateMessage: a.updateMessage } : {}) } : {}),
  };
}

function findApproval(ctx: SandboxContext, id: string): ApprovalRecord | undefined {
  return ctx.store.list<ApprovalRecord>('logicApprovals').find((a) => a.id.toLowerCase() === id.toLowerCase());
}

function setApproval(ctx: SandboxContext, a: ApprovalRecord): void {
  ctx.store.put('logicApprovals', `${a.workflowId}/approvals/${a.id}`, a);
}

// ---------------------------------------------------------------------------------------------
// Running workflows
// ---------------------------------------------------------------------------------------------

function runKey(wfId: string, runName: string): string {
  return `${wfId}/runs/${runName}`;
}

function getRun(ctx: SandboxContext, wf: WorkflowRecord, runName: string): RunRecord {
  const run = ctx.store.get<RunRecord>('logicRuns', runKey(wf.id, runName));
  if (!run) throw new ArmError(404, 'WorkflowRunNotFound', `The workflow '${wf.name}' has no run '${runName}'.`);
  return run;
}

const DONE: ActionStatus[] = ['Succeeded', 'Failed', 'TimedOut', 'Skipped', 'Cancelled'];

/** Runs every action whose `runAfter` is satisfied until the run waits or ends. */
function advance(ctx: SandboxContext, wf: WorkflowRecord, run: RunRecord, baseUrl: string): void {
  const def = wf.properties.definition;
  const now = () => ctx.clock.now();
  let progressed = true;
  while (run.status === 'Running' && progressed) {
    progressed = false;
    for (const [name, a] of Object.entries(def.actions)) {
      if (run.actions[name] || run.status !== 'Running') continue;
      const deps = Object.entries(a.runAfter ?? {});
      if (deps.some(([d]) => !run.actions[d] || !DONE.includes(run.actions[d].status))) continue;
      progressed = true;
      const t = now().toISOString();
      const trackingId = crypto.randomUUID();
      const ok = deps.every(([d, statuses]) => (statuses.length ? statuses : ['Succeeded']).some((s) => s.toLowerCase() === run.actions[d].status.toLowerCase()));
      if (!ok) {
        run.actions[name] = { status: 'Skipped', startTime: t, endTime: t, code: 'ActionSkipped', error: { code: 'ActionConditionFailed', message: `The execution of template action '${name}' is skipped: the 'runAfter' condition for action '${deps.map(([d]) => d).join("', '")}' is not satisfied.` }, trackingId };
        continue;
      }
      run.actions[name] = { type: a.type, ...runAction(ctx, wf, run, name, a, baseUrl, trackingId) };
    }
  }
  const states = Object.values(run.actions);
  if (run.status === 'Running' && !states.some((s) => s.status === 'Waiting' || s.status === 'Running')) finish(ctx, wf, run);
  ctx.store.put('logicRuns', runKey(wf.id, run.name), run);
}

function runAction(ctx: SandboxContext, wf: WorkflowRecord, run: RunRecord, name: string, a: ActionDef, baseUrl: string, trackingId: string): ActionRun {
  const now = ctx.clock.now();
  const t = now.toISOString();
  const fail = (code: string, message: string, outputs?: ActionRun['outputs']): ActionRun => ({ status: 'Failed', startTime: t, endTime: t, code, error: { code, message }, outputs, trackingId });
  try {
    switch (a.type) {
      case 'Compose':
        return { type: a.type, status: 'Succeeded', startTime: t, endTime: t, code: 'OK', outputs: evaluate(a.inputs, { run, wf, now }), trackingId };
      case 'Terminate': {
        const inputs = (evaluate(a.inputs, { run, wf, now }) ?? {}) as { runStatus?: string; runError?: { code?: string; message?: string } };
        const status = (['Succeeded', 'Failed', 'Cancelled'].includes(String(inputs.runStatus)) ? inputs.runStatus : 'Failed') as RunStatus;
        run.status = status;
        run.endTime = t;
        if (status === 'Failed') {
          run.code = inputs.runError?.code ?? 'Terminated';
          run.error = { code: run.code, message: inputs.runError?.message ?? 'The run was terminated.' };
        }
        return { status: 'Succeeded', startTime: t, endTime: t, code: 'OK', trackingId };
      }
      case 'Http': {
        const inputs = (evaluate(a.inputs, { run, wf, now }) ?? {}) as { method?: string; uri?: string; body?: unknown };
        const target = localPath(String(inputs.uri ?? ''), baseUrl);
        const m = target ? /^\/teams\/webhook\/([^/]+)$/i.exec(target) : null;
        if (!m || String(inputs.method ?? '').toUpperCase() !== 'POST') {
          return fail('ActionFailed', `The sandbox's Logic Apps call only the sandbox's own Teams webhook sink (POST ${baseUrl}/teams/webhook/{id}); '${String(inputs.method)} ${String(inputs.uri)}' is not served.`);
        }
        try {
          receiveTeamsMessage(ctx, decodeURIComponent(m[1]), inputs.body);
        } catch (e) {
          const err = e as ArmError;
          return fail('BadRequest', `The Teams webhook answered ${err.status ?? 500}: ${err.message}`, { statusCode: err.status ?? 500, body: { error: { code: err.code, message: err.message } } });
        }
        return { status: 'Succeeded', startTime: t, endTime: t, code: 'Accepted', outputs: { statusCode: 202, headers: {}, body: '' }, trackingId };
      }
      case 'HttpWebhook': {
        const secret = secretOf(ctx, wf.id);
        const path = `/workflows/${secret.runtimeId}/runs/${run.name}/actions/${name}/run`;
        const callbackUrl = signedUrl(baseUrl, secret, path, `/runs/${run.name}/actions/${name}/run`).url;
        const inputs = (evaluate(a.inputs, { run, wf, now, callbackUrl }) ?? {}) as { subscribe?: { method?: string; uri?: string; body?: unknown } };
        const target = localPath(String(inputs.subscribe?.uri ?? ''), baseUrl);
        if (!target || !/^\/teams\/approvals\/subscribe$/i.test(target)) {
          return fail('ActionFailed', `The sandbox's HttpWebhook actions subscribe only with the sandbox's Teams approval channel (POST ${baseUrl}/teams/approvals/subscribe); '${String(inputs.subscribe?.uri)}' is not served.`);
        }
        const sub = ctx.resources.subscription(wf.id.split('/')[2]);
        setApproval(ctx, { id: crypto.randomUUID(), workflowId: wf.id, tenantId: sub?.tenantId ?? '', runName: run.name, actionName: name, callbackUrl, subscribeBody: inputs.subscribe?.body ?? null, kind: 'HttpWebhook', status: 'Pending', createdAt: t });
        return waiting(a, now, trackingId);
      }
      case 'ApiConnectionWebhook': {
        const secret = secretOf(ctx, wf.id);
        const path = `/workflows/${secret.runtimeId}/runs/${run.name}/actions/${name}/run`;
        const callbackUrl = signedUrl(baseUrl, secret, path, `/runs/${run.name}/actions/${name}/run`).url;
        const inputs = (evaluate(a.inputs, { run, wf, now, callbackUrl }) ?? {}) as ConnectorInputs;
        const posted = postAndWait(ctx, wf, run, name, inputs, callbackUrl, t);
        if ('failure' in posted) return fail(posted.failure.code, posted.failure.message, posted.failure.outputs);
        return waiting(a, now, trackingId);
      }
      default:
        return fail('ActionTypeNotSupported', `The sandbox does not run actions of type '${a.type}'.`);
    }
  } catch (e) {
    if (e instanceof ExpressionError) return fail('InvalidTemplate', `Unable to process template language expressions in action '${name}' inputs: ${e.message}.`);
    throw e;
  }
}

function waiting(a: ActionDef, now: Date, trackingId: string): ActionRun {
  const timeout = a.limit?.timeout ? durationMs(a.limit.timeout) : undefined;
  return { status: 'Waiting', startTime: now.toISOString(), code: 'Waiting', trackingId, deadline: new Date(now.getTime() + (timeout ?? 90 * 86_400_000)).toISOString() };
}

interface ConnectorInputs {
  host?: { connection?: { name?: unknown } };
  method?: unknown;
  path?: unknown;
  body?: { notificationUrl?: unknown; body?: { messageBody?: unknown; updateMessage?: unknown; shouldUpdateCard?: unknown; recipient?: { groupId?: unknown; channelId?: unknown } } };
}

const GATHER_INPUT = /^\/v1\.0\/teams\/conversation\/gatherinput\/poster\/([^/]+)\/location\/([^/]+)\/\$subscriptions$/i;

/**
 * The Teams connector's "Post adaptive card and wait for a response" (gatherinput subscription): the
 * connection must exist and be authenticated, the path must be the Flow bot / Channel subscription and
 * `messageBody` the JSON of an Adaptive Card; then the card waits in the approval channel of the
 * connection's tenant with its recipient. Answers go through `/teams/approvals/{id}/respond`.
 */
function postAndWait(ctx: SandboxContext, wf: WorkflowRecord, run: RunRecord, name: string, inputs: ConnectorInputs, callbackUrl: string, t: string): { ok: true } | { failure: { code: string; message: string; outputs?: unknown } } {
  const failure = (status: number, code: string, message: string) => ({ failure: { code, message, outputs: { statusCode: status, headers: {}, body: { status, message, error: { message } } } } });
  const connectionId = inputs.host?.connection?.name;
  if (typeof connectionId !== 'string' || !connectionId) return failure(400, 'InvalidConnection', `The action '${name}' has no API connection: set inputs.host.connection.name to @parameters('$connections')['teams']['connectionId'].`);
  const found = teamsConnection(ctx, connectionId);
  if (!found) return failure(404, 'ApiConnectionNotFound', `The API connection '${connectionId}' was not found. Create the Microsoft.Web/connections resource and name it in the workflow's $connections parameter.`);
  const connName = found.connection.name;
  if (!found.consent) {
    return failure(401, 'Unauthorized', `The API connection '${connName}' is not authenticated: someone must sign in to Microsoft Teams and consent (in the portal: API connections > ${connName} > Edit API connection > Authorize; or open a link from listConsentLinks). Then run the workflow again.`);
  }
  if (inputs.method !== undefined && String(inputs.method).toLowerCase() !== 'post') return failure(400, 'BadRequest', `The Teams connector subscribes with POST; '${String(inputs.method)}' is not served.`);
  const m = GATHER_INPUT.exec(String(inputs.path ?? ''));
  if (!m) {
    return failure(404, 'NotFound', `The sandbox's Teams connector serves one webhook operation, "Post adaptive card and wait for a response" (/v1.0/teams/conversation/gatherinput/poster/{poster}/location/{location}/$subscriptions); '${String(inputs.path)}' is not served.`);
  }
  let poster: string;
  let location: string;
  try {
    poster = decodeURIComponent(m[1]);
    location = decodeURIComponent(m[2]);
  } catch {
    return failure(400, 'BadRequest', `The path '${String(inputs.path)}' is not URI-encoded correctly.`);
  }
  if (poster !== 'Flow bot' || location !== 'Channel') {
    return failure(400, 'BadRequest', `The sandbox's Teams connector posts as 'Flow bot' in a 'Channel'; poster '${poster}' and location '${location}' are not served.`);
  }
  const outer = inputs.body;
  if (!outer || typeof outer !== 'object') return failure(400, 'BadRequest', "The subscription body must be {notificationUrl: '@{listCallbackUrl()}', body: {messageBody, recipient, …}}.");
  if (outer.notificationUrl !== callbackUrl) return failure(400, 'BadRequest', "'notificationUrl' must be the action's own callback URL: '@{listCallbackUrl()}'.");
  const inner = outer.body ?? {};
  const recipient = inner.recipient;
  if (!recipient || typeof recipient.groupId !== 'string' || !recipient.groupId || typeof recipient.channelId !== 'string' || !recipient.channelId) {
    return failure(400, 'BadRequest', "'recipient' must name the team and the channel: {groupId: '<team id>', channelId: '<channel id>'}.");
  }
  if (typeof inner.messageBody !== 'string') return failure(400, 'BadRequest', "'messageBody' must be the JSON text of an Adaptive Card (e.g. @{string(triggerBody()?['card'])}).");
  let card: { type?: unknown; body?: unknown };
  try {
    card = JSON.parse(inner.messageBody) as { type?: unknown; body?: unknown };
  } catch {
    return failure(400, 'BadRequest', "'messageBody' is not valid JSON: it must be the JSON text of an Adaptive Card.");
  }
  if (!card || typeof card !== 'object' || card.type !== 'AdaptiveCard' || !Array.isArray(card.body)) return failure(400, 'BadRequest', "'messageBody' must be an Adaptive Card: {type:'AdaptiveCard', version, body:[…], actions:[…]}.");
  if (inner.messageBody.length > 28 * 1024) return failure(413, 'RequestEntityTooLarge', 'Teams messages are limited to about 28 KB.');
  const sub = ctx.resources.subscription(found.connection.id.split('/')[2]);
  setApproval(ctx, {
    id: crypto.randomUUID(),
    workflowId: wf.id,
    tenantId: sub?.tenantId ?? found.consent.tenantId,
    runName: run.name,
    actionName: name,
    callbackUrl,
    subscribeBody: null,
    kind: 'ApiConnectionWebhook',
    card,
    recipient: { groupId: recipient.groupId, channelId: recipient.channelId },
    poster,
    location,
    connectionId: found.connection.id,
    postedAs: found.consent.userPrincipalName ?? found.consent.displayName,
    ...(typeof inner.updateMessage === 'string' && inner.shouldUpdateCard !== false ? { updateMessage: inner.updateMessage } : {}),
    status: 'Pending',
    createdAt: t,
  });
  return { ok: true };
}

function localPath(uri: string, baseUrl: string): string | undefined {
  try {
    const u = new URL(uri);
    const b = new URL(baseUrl);
    return u.host === b.host ? u.pathname.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}

function finish(ctx: SandboxContext, wf: WorkflowRecord, run: RunRecord): void {
  const now = ctx.clock.now();
  run.endTime = now.toISOString();
  const handled = new Set(Object.values(wf.properties.definition.actions).flatMap((a) => Object.keys(a.runAfter ?? {})).filter((d) => Object.entries(wf.properties.definition.actions).some(([n, a]) => d in (a.runAfter ?? {}) && run.actions[n] && run.actions[n].status !== 'Skipped')));
  const failed = Object.entries(run.actions).find(([n, a]) => (a.status === 'Failed' || a.status === 'TimedOut') && !handled.has(n));
  if (failed) {
    run.status = 'Failed';
    run.code = failed[1].code ?? 'ActionFailed';
    run.error = { code: 'ActionFailed', message: `An action failed. No dependent actions succeeded. (${failed[0]}: ${failed[1].error?.message ?? failed[1].status})` };
    return;
  }
  run.status = 'Succeeded';
  run.code = 'OK';
  const outs = wf.properties.definition.outputs ?? {};
  try {
    run.outputs = Object.fromEntries(Object.entries(outs).map(([k, o]) => [k, { type: o.type ?? 'Object', value: evaluate(o.value, { run, wf, now }) }]));
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    run.status = 'Failed';
    run.code = 'InvalidTemplate';
    run.error = { code: 'InvalidTemplate', message: `Unable to process template language expressions for the workflow outputs: ${e.message}.` };
  }
}

/** Resumes a waiting HttpWebhook action with what its callback received. */
function resume(ctx: SandboxContext, wf: WorkflowRecord, run: RunRecord, actionName: string, body: unknown, baseUrl: string): void {
  const a = run.actions[actionName];
  if (!a || a.status !== 'Waiting' || run.status !== 'Running') {
    throw new ArmError(409, 'WorkflowRunActionNotWaiting', `The action '${actionName}' of run '${run.name}' is not waiting for a callback (it is ${a?.status ?? 'not started'}; the run is ${run.status}).`);
  }
  const t = ctx.clock.now().toISOString();
  run.actions[actionName] = { ...a, status: 'Succeeded', endTime: t, code: 'OK', outputs: { statusCode: 200, headers: {}, body }, deadline: undefined };
  advance(ctx, wf, run, baseUrl);
}

function cancelApprovals(ctx: SandboxContext, wf: WorkflowRecord, runName: string, status: ApprovalRecord['status']): void {
  for (const ap of ctx.store.list<ApprovalRecord>('logicApprovals', `${wf.id}/approvals/`)) {
    if (ap.runName === runName && ap.status === 'Pending') setApproval(ctx, { ...ap, status });
  }
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

function workflowView(rec: WorkflowRecord) {
  return { ...rec, properties: { ...rec.properties, accessControl: rec.properties.accessControl ?? {}, endpointsConfiguration: { workflow: { outgoingIpAddresses: [], accessEndpointIpAddresses: [] }, connector: { outgoingIpAddresses: [] } } } };
}

function runView(ctx: SandboxContext, wf: WorkflowRecord, run: RunRecord, baseUrl: string) {
  const secret = secretOf(ctx, wf.id);
  const contents = signedUrl(baseUrl, secret, `/workflows/${secret.runtimeId}/runs/${run.name}/contents/TriggerOutputs`, `/runs/${run.name}/contents/TriggerOutputs/read`);
  const size = Buffer.byteLength(JSON.stringify(run.trigger.outputs));
  return {
    id: `${wf.id}/runs/${run.name}`,
    name: run.name,
    type: 'Microsoft.Logic/workflows/runs',
    properties: {
      waitEndTime: run.startTime,
      startTime: run.startTime,
      ...(run.endTime ? { endTime: run.endTime } : {}),
      status: run.status,
      ...(run.code ? { code: run.code } : {}),
      ...(run.error ? { error: run.error } : {}),
      correlation: { clientTrackingId: run.clientTrackingId },
      workflow: { id: `${wf.id}/versions/${run.workflowVersion}`, name: run.workflowVersion, type: 'Microsoft.Logic/workflows/versions' },
      trigger: {
        name: run.trigger.name,
        ...(run.trigger.secure ? {} : { outputsLink: { uri: contents.url, contentVersion: crypto.createHash('md5').update(JSON.stringify(run.trigger.outputs)).digest('base64'), contentSize: size, contentHash: { algorithm: 'md5', value: crypto.createHash('md5').update(JSON.stringify(run.trigger.outputs)).digest('base64') } } }),
        startTime: run.trigger.time,
        endTime: run.trigger.time,
        scheduledTime: run.trigger.time,
        trackingId: run.correlationId,
        clientTrackingId: run.clientTrackingId,
        correlation: { clientTrackingId: run.clientTrackingId },
        code: 'OK',
        status: 'Succeeded',
      },
      outputs: run.outputs ?? {},
    },
  };
}

function actionView(wf: WorkflowRecord, run: RunRecord, name: string, a: ActionRun) {
  return {
    id: `${wf.id}/runs/${run.name}/actions/${name}`,
    name,
    type: 'Microsoft.Logic/workflows/runs/actions',
    properties: {
      startTime: a.startTime,
      ...(a.endTime ? { endTime: a.endTime } : {}),
      status: a.status,
      ...(a.code ? { code: a.code } : {}),
      ...(a.error ? { error: a.error } : {}),
      correlation: { actionTrackingId: a.trackingId, clientTrackingId: run.clientTrackingId },
      trackingId: a.trackingId,
    },
  };
}

/** `$filter` on runs: `status eq 'X'`, `ClientTrackingId eq 'X'`, joined with `and`. */
function runFilter(filter: string | null): (r: RunRecord) => boolean {
  if (!filter) return () => true;
  const tests = filter.split(/\s+and\s+/i).map((part) => {
    const m = /^\s*(status|clienttrackingid)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
    if (!m) throw new ArmError(400, 'InvalidFilter', `The $filter '${filter}' is not supported; use status eq 'Running' and/or ClientTrackingId eq '…'.`);
    const v = m[2].replace(/''/g, "'");
    return m[1].toLowerCase() === 'status' ? (r: RunRecord) => r.status.toLowerCase() === v.toLowerCase() : (r: RunRecord) => r.clientTrackingId === v;
  });
  return (r) => tests.every((t) => t(r));
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * "OAuth with Microsoft Entra ID" on a Request trigger: the bearer token must be a valid sandbox token
 * (signature, lifetime, issuer; any audience: the policy decides) whose claims equal every claim of at
 * least one AAD policy of the workflow's `accessControl.triggers.openAuthenticationPolicies`.
 */
function checkOAuth(ctx: SandboxContext, wf: WorkflowRecord, authorization: string): void {
  const policies = Object.values(wf.properties.accessControl?.triggers?.openAuthenticationPolicies?.policies ?? {}).filter((p) => p.type === 'AAD');
  if (!policies.length) {
    throw new ArmError(401, 'DirectApiAuthorizationRequired', "The request must be authenticated only by Shared Access scheme. (This workflow has no Microsoft Entra ID authorization policy, so a 'Bearer' token is not accepted: call the trigger's signed URL.)");
  }
  let audience = '';
  try {
    const payload = JSON.parse(Buffer.from(authorization.replace(/^bearer\s+/i, '').split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown };
    audience = typeof payload.aud === 'string' ? payload.aud : '';
  } catch {
    audience = '';
  }
  const check = internals(ctx).verifyBearer(authorization, audience ? [audience] : []);
  if (!check.ok) throw check.error;
  const claims = check.claims as Record<string, unknown>;
  const matches = policies.some((p) => p.claims.every((c) => typeof claims[c.name] === 'string' && claims[c.name] === c.value));
  if (!matches) throw new ArmError(401, 'MisMatchingOAuthClaims', 'One or more claims either are missing or does not match with the open authentication access control policy.');
}

function runtimeWorkflow(ctx: SandboxContext, runtimeId: string) {
  const found = byRuntimeId(ctx, runtimeId);
  if (!found) throw new ArmError(404, 'WorkflowNotFound', `The workflow '${runtimeId}' could not be found.`);
  return found;
}

/** The trigger's `headers` output: never cookies; the Authorization header only when the trigger asks for it (IncludeAuthorizationHeadersInOutputs on an OAuth call). */
function headerMap(req: SandboxRequest, includeAuthorization = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || /^(cookie|x-ms-authorization.*)$/i.test(k) || (/^authorization$/i.test(k) && !includeAuthorization)) continue;
    out[k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

export const logicProvider: ResourceProvider = {
  namespace: 'Microsoft.Logic',
  routes: [
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Logic/workflows',
      apiVersions: LOGIC_API_VERSIONS,
      handler: (req, p, ctx) => {
        const all = ctx.store.list<WorkflowRecord>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Logic/workflows/`).filter((r) => r.type === 'Microsoft.Logic/workflows');
        return { status: 200, body: paginate(req, all.map(workflowView)) };
      },
    },
    {
      methods: ['GET'],
      pattern: WF,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: 200, body: workflowView(getWorkflow(ctx, p)) }),
    },
    {
      methods: ['PUT'],
      pattern: WF,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        const id = workflowId(p);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const definition = checkDefinition(props.definition);
        const accessControl = checkAccessControl(props.accessControl);
        const state = props.state === undefined ? 'Enabled' : props.state;
        if (state !== 'Enabled' && state !== 'Disabled') throw new ArmError(400, 'InvalidWorkflowState', `The workflow state '${String(state)}' is not valid; use 'Enabled' or 'Disabled'.`);
        if (!/^[\w\-.()]{1,80}$/.test(p.workflowName)) throw new ArmError(400, 'InvalidResourceName', `The workflow name '${p.workflowName}' is invalid: use up to 80 letters, digits, '-', '_', '.', '(' and ')'.`);
        const existing = ctx.store.get<WorkflowRecord>('resources', id);
        const now = ctx.clock.now();
        let secret = ctx.store.get<WorkflowSecret>('logicSecrets', `${id}/secret`);
        if (!existing || !secret) {
          secret = { workflowId: id, runtimeId: crypto.randomBytes(16).toString('hex'), key: crypto.randomBytes(32).toString('base64') };
          ctx.store.put('logicSecrets', `${id}/secret`, secret);
        }
        const rec: WorkflowRecord = {
          id,
          name: p.workflowName,
          type: 'Microsoft.Logic/workflows',
          location: existing?.location ?? normalizeLocation(body.location),
          ...((tagsOf(body) ?? existing?.tags) ? { tags: tagsOf(body) ?? existing?.tags } : {}),
          systemData: existing ? systemData(caller, new Date(existing.systemData.createdAt), now, { name: existing.systemData.createdBy, type: existing.systemData.createdByType }) : systemData(caller, now),
          properties: {
            provisioningState: 'Succeeded',
            createdTime: existing?.properties.createdTime ?? now.toISOString(),
            changedTime: now.toISOString(),
            state,
            version: `0858${Array.from(crypto.randomBytes(16), (b) => String(b % 10)).join('')}`,
            accessEndpoint: `${req.baseUrl}/workflows/${secret.runtimeId}`,
            definition,
            parameters: (props.parameters as WorkflowRecord['properties']['parameters']) ?? {},
            ...(accessControl ? { accessControl } : {}),
          },
        };
        ctx.store.put('resources', id, rec);
        return { status: existing ? 200 : 201, body: workflowView(rec) };
      },
    },
    {
      methods: ['DELETE'],
      pattern: WF,
      apiVersions: LOGIC_API_VERSIONS,
      handler: async (_req, p, ctx) => {
        const id = workflowId(p);
        if (!ctx.store.get('resources', id)) return { status: 204 };
        await ctx.deleteTree(id);
        ctx.store.delete('resources', id);
        return { status: 200 };
      },
    },
    {
      methods: ['POST'],
      pattern: `${WF}/triggers/{triggerName}/listCallbackUrl`,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (req, p, ctx) => {
        const wf = getWorkflow(ctx, p);
        const trigger = Object.keys(wf.properties.definition.triggers).find((t) => t.toLowerCase() === p.triggerName.toLowerCase());
        if (!trigger) throw new ArmError(404, 'WorkflowTriggerNotFound', `The workflow '${wf.name}' has no trigger '${p.triggerName}'.`);
        const secret = secretOf(ctx, wf.id);
        const s = signedUrl(req.baseUrl, secret, `/workflows/${secret.runtimeId}/triggers/${trigger}/paths/invoke`, `/triggers/${trigger}/run`);
        return { status: 200, body: { value: s.url, method: 'POST', basePath: s.basePath, queries: s.queries } };
      },
    },
    {
      methods: ['GET'],
      pattern: `${WF}/runs`,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (req, p, ctx) => {
        const wf = getWorkflow(ctx, p);
        const keep = runFilter(req.query.get('$filter'));
        const runs = ctx.store.list<RunRecord>('logicRuns', `${wf.id}/runs/`).filter(keep).sort((a, b) => b.startTime.localeCompare(a.startTime));
        const top = Number(req.query.get('$top') ?? '0');
        const page = paginate(req, runs.map((r) => runView(ctx, wf, r, req.baseUrl)), top > 0 ? Math.min(top, 250) : 30);
        return { status: 200, body: page };
      },
    },
    {
      methods: ['GET'],
      pattern: `${WF}/runs/{runName}`,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (req, p, ctx) => {
        const wf = getWorkflow(ctx, p);
        return { status: 200, body: runView(ctx, wf, getRun(ctx, wf, p.runName), req.baseUrl) };
      },
    },
    {
      methods: ['POST'],
      pattern: `${WF}/runs/{runName}/cancel`,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const wf = getWorkflow(ctx, p);
        const run = getRun(ctx, wf, p.runName);
        if (run.status !== 'Running' && run.status !== 'Waiting') {
          throw new ArmError(409, 'WorkflowRunNotInProgress', `The workflow run '${run.name}' cannot be cancelled: it is ${run.status}.`);
        }
        const t = ctx.clock.now().toISOString();
        for (const a of Object.values(run.actions)) if (a.status === 'Waiting' || a.status === 'Running') Object.assign(a, { status: 'Cancelled', endTime: t, code: 'Cancelled', deadline: undefined });
        run.status = 'Cancelled';
        run.endTime = t;
        run.code = 'Cancelled';
        ctx.store.put('logicRuns', runKey(wf.id, run.name), run);
        cancelApprovals(ctx, wf, run.name, 'Cancelled');
        return { status: 200 };
      },
    },
    {
      methods: ['GET'],
      pattern: `${WF}/runs/{runName}/actions`,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (req, p, ctx) => {
        const wf = getWorkflow(ctx, p);
        const run = getRun(ctx, wf, p.runName);
        return { status: 200, body: paginate(req, Object.entries(run.actions).map(([n, a]) => actionView(wf, run, n, a))) };
      },
    },
    {
      methods: ['GET'],
      pattern: `${WF}/runs/{runName}/actions/{actionName}`,
      apiVersions: LOGIC_API_VERSIONS,
      handler: (_req, p, ctx) => {
        const wf = getWorkflow(ctx, p);
        const run = getRun(ctx, wf, p.runName);
        const a = run.actions[p.actionName];
        if (!a) throw new ArmError(404, 'WorkflowRunActionNotFound', `The run '${run.name}' has no action '${p.actionName}' (yet).`);
        return { status: 200, body: actionView(wf, run, p.actionName, a) };
      },
    },
    // ---- runtime (signature-authenticated) ----
    {
      methods: ['POST'],
      pattern: '/workflows/{runtimeId}/triggers/{triggerName}/paths/invoke',
      anonymous: true,
      handler: (req, p, ctx): SandboxResponse => {
        const { wf, secret } = runtimeWorkflow(ctx, p.runtimeId);
        const trigger = Object.keys(wf.properties.definition.triggers).find((t) => t.toLowerCase() === p.triggerName.toLowerCase());
        if (!trigger) throw new ArmError(404, 'WorkflowTriggerNotFound', `The workflow '${wf.name}' has no trigger '${p.triggerName}'.`);
        const authorization = firstHeader(req.headers.authorization);
        const bearer = authorization !== undefined && /^bearer\s/i.test(authorization);
        if (req.query.has('sig') && bearer) {
          throw new ArmError(400, 'DirectApiRequestHasMoreThanOneAuthorization', "The request has both SAS authentication scheme and 'Bearer' authorization scheme. Only one scheme should be used.");
        }
        if (bearer) {
          checkOAuth(ctx, wf, authorization);
        } else {
          checkSignature(req, secret, `/workflows/${secret.runtimeId}/triggers/${trigger}/paths/invoke`);
          if (req.query.get('sp') !== `/triggers/${trigger}/run`) throw new ArmError(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature does not grant running this trigger.');
          if (authorization) throw new ArmError(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
        }
        const triggerDef = wf.properties.definition.triggers[trigger];
        const includeAuth = (triggerDef.operationOptions ?? '').split(',').some((o) => o.trim() === 'IncludeAuthorizationHeadersInOutputs');
        if (wf.properties.state !== 'Enabled') throw new ArmError(409, 'WorkflowDisabled', `The workflow '${wf.name}' is disabled. Enable it, then call the trigger again.`);
        const now = ctx.clock.now().toISOString();
        const name = newRunName();
        const clientTrackingId = String(req.headers['x-ms-client-tracking-id'] ?? '') || name;
        const run: RunRecord = {
          workflowId: wf.id,
          name,
          status: 'Running',
          startTime: now,
          clientTrackingId,
          correlationId: crypto.randomUUID(),
          trigger: {
            name: trigger,
            outputs: { headers: headerMap(req, includeAuth && bearer), body: req.body ?? null },
            time: now,
            ...(triggerDef.runtimeConfiguration?.secureData?.properties?.includes('outputs') ? { secure: true } : {}),
          },
          actions: {},
          workflowVersion: wf.properties.version,
        };
        advance(ctx, wf, run, req.baseUrl);
        return { status: 202, headers: { 'x-ms-workflow-run-id': name, 'x-ms-correlation-id': run.correlationId, 'x-ms-client-tracking-id': clientTrackingId, 'x-ms-workflow-id': secret.runtimeId, 'x-ms-workflow-version': wf.properties.version, 'x-ms-workflow-name': wf.name } };
      },
    },
    {
      methods: ['POST'],
      pattern: '/workflows/{runtimeId}/runs/{runName}/actions/{actionName}/run',
      anonymous: true,
      handler: (req, p, ctx) => {
        const { wf, secret } = runtimeWorkflow(ctx, p.runtimeId);
        checkSignature(req, secret, `/workflows/${secret.runtimeId}/runs/${p.runName}/actions/${p.actionName}/run`);
        const run = getRun(ctx, wf, p.runName);
        resume(ctx, wf, run, p.actionName, req.body ?? null, req.baseUrl);
        cancelApprovals(ctx, wf, run.name, 'Answered');
        return { status: 200 };
      },
    },
    {
      methods: ['GET'],
      pattern: '/workflows/{runtimeId}/runs/{runName}/contents/TriggerOutputs',
      anonymous: true,
      handler: (req, p, ctx) => {
        const { wf, secret } = runtimeWorkflow(ctx, p.runtimeId);
        checkSignature(req, secret, `/workflows/${secret.runtimeId}/runs/${p.runName}/contents/TriggerOutputs`);
        const run = getRun(ctx, wf, p.runName);
        if (run.trigger.secure) throw new ArmError(403, 'SecureDataContentNotAvailable', "The trigger's outputs are secured (runtimeConfiguration.secureData): their content is not available in the run history.");
        return { status: 200, body: run.trigger.outputs };
      },
    },
    // ---- Teams ----
    {
      methods: ['POST'],
      pattern: '/teams/webhook/{webhookId}',
      anonymous: true,
      handler: (req, p, ctx) => {
        receiveTeamsMessage(ctx, p.webhookId, req.body);
        return { status: 202 };
      },
    },
    {
      methods: ['GET'],
      pattern: '/teams/webhook/{webhookId}',
      requireApiVersion: false,
      authorize: false,
      handler: (_req, p, ctx) => ({ status: 200, body: { value: ctx.store.list<TeamsMessageRecord>('teamsMessages', `teams/${p.webhookId}/`).map((m) => ({ receivedAt: m.receivedAt, message: m.message })) } }),
    },
    {
      methods: ['GET'],
      pattern: '/teams/approvals',
      requireApiVersion: false,
      authorize: false,
      handler: (req, _p, ctx) => {
        const caller = callerOf(req);
        const status = req.query.get('status');
        const all = ctx.store.list<ApprovalRecord>('logicApprovals').filter((a) => a.tenantId.toLowerCase() === caller.tenantId.toLowerCase() && (!status || a.status.toLowerCase() === status.toLowerCase()));
        return { status: 200, body: { value: all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(approvalView) } };
      },
    },
    {
      methods: ['POST'],
      pattern: '/teams/approvals/{approvalId}/respond',
      requireApiVersion: false,
      authorize: false,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        const ap = findApproval(ctx, p.approvalId);
        if (!ap || ap.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) throw new ArmError(404, 'ApprovalNotFound', `No card '${p.approvalId}' waits for an answer in your tenant.`);
        if (ap.status !== 'Pending') throw new ArmError(409, 'ApprovalNotPending', `The card '${ap.id}' was already ${ap.status.toLowerCase()}; it takes no more answers.`);
        const body = bodyObject(req);
        const action = String(body.action ?? '');
        if (action !== 'Approve' && action !== 'Reject') throw new ArmError(400, 'InvalidAnswer', `'action' must be 'Approve' or 'Reject'; got '${action}'.`);
        if (body.comment !== undefined && typeof body.comment !== 'string') throw new ArmError(400, 'InvalidAnswer', "'comment' must be text.");
        const wf = ctx.store.get<WorkflowRecord>('resources', ap.workflowId);
        if (!wf) throw new ArmError(404, 'WorkflowNotFound', 'The workflow that posted this card was deleted.');
        const run = getRun(ctx, wf, ap.runName);
        const now = ctx.clock.now().toISOString();
        // The verified caller answers, as Teams reports who pressed the button: never a name from the body.
        const responder = { tenantId: caller.tenantId, objectId: caller.objectId, displayName: caller.name, ...(caller.email ? { email: caller.email, userPrincipalName: caller.email } : {}), kind: caller.kind };
        resume(ctx, wf, run, ap.actionName, { submitActionId: action, data: { action, comment: String(body.comment ?? '') }, responder, responseTime: now }, req.baseUrl);
        setApproval(ctx, { ...ap, status: 'Answered', answeredAt: now });
        return { status: 200, body: { id: ap.id, status: 'Answered', responder } };
      },
    },
  ],
  onTick(ctx, now) {
    for (const run of ctx.store.list<RunRecord>('logicRuns')) {
      if (run.status !== 'Running') continue;
      const timedOut = Object.entries(run.actions).filter(([, a]) => a.status === 'Waiting' && a.deadline && Date.parse(a.deadline) <= now.getTime());
      if (!timedOut.length) continue;
      const wf = ctx.store.get<WorkflowRecord>('resources', run.workflowId);
      if (!wf) continue;
      for (const [name, a] of timedOut) {
        run.actions[name] = { ...a, status: 'TimedOut', endTime: now.toISOString(), code: 'ActionTimedOut', error: { code: 'ActionTimedOut', message: `The action '${name}' timed out waiting for its callback (limit.timeout ${wf.properties.definition.actions[name]?.limit?.timeout ?? 'default'}).` }, deadline: undefined };
      }
      cancelApprovals(ctx, wf, run.name, 'TimedOut');
      const base = new URL(wf.properties.accessEndpoint).origin;
      advance(ctx, wf, run, base);
    }
  },
};
