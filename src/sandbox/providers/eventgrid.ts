/**
 * Microsoft.EventGrid: custom topics and their webhook event subscriptions over ARM, the topic's
 * data plane (`POST {endpoint}?api-version=2018-01-01`, served by this HTTPS server under
 * `/eventgrid/{location}/{topic}/api/events`) and delivery to subscribers.
 *
 *  - Topics: PUT (201 + Azure-AsyncOperation on create), GET, PATCH (tags, publicNetworkAccess,
 *    disableLocalAuth), DELETE (its subscriptions and deliveries go with it), list by resource group
 *    and subscription, `listKeys` and `regenerateKey`. `inputSchema` is EventGridSchema or
 *    CloudEventSchemaV1_0 and cannot change after creation (as in Azure).
 *  - Event subscriptions on a topic (`{topicId}/providers/Microsoft.EventGrid/eventSubscriptions/{name}`)
 *    with WebHook destinations: the PUT runs the validation handshake as a long-running operation
 *    (Event Grid schema: a `SubscriptionValidationEvent` POSTed with `aeg-event-type:
 *    SubscriptionValidation`, answered 200 `{validationResponse}`, or a GET on its `validationUrl`
 *    within 10 minutes; CloudEvents: `OPTIONS` with `WebHook-Request-Origin`, answered with
 *    `WebHook-Allowed-Origin`). Creating -> Succeeded, or AwaitingManualAction (-> Failed after
 *    10 minutes on the sandbox clock), or Failed when the endpoint refuses. The response hides the
 *    URL (`endpointUrl: null`, `endpointBaseUrl`); `getFullUrl` returns it.
 *  - Publishing: `aeg-sas-key`, `aeg-sas-token` (`r=…&e=…&s=…`, HMAC-SHA256 with a topic key) or
 *    an Entra token for `https://eventgrid.azure.net` whose principal holds EventGrid Data Sender
 *    on the topic; `disableLocalAuth` refuses keys and SAS. Events are checked against the topic's
 *    schema (400), a batch or an event over 1 MB is refused (413), as Learn documents today.
 *  - Delivery: each event that passes a subscription's filter (includedEventTypes,
 *    subjectBeginsWith/EndsWith, isSubjectCaseSensitive) is delivered on its own
 *    (`aeg-event-type: Notification`, `aeg-delivery-count`), persisted before the publisher's 200,
 *    retried after a 5xx, 408, 429, a timeout (30 s) or a connection error on Event Grid's schedule
 *    (10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, then hourly) on the sandbox clock, until it
 *    succeeds, 30 attempts or 24 hours pass. 400 and 413 are not retried (dropped, as without a
 *    dead-letter destination).
 *  - For tests: `GET {eventSubscriptionId}/sandboxDeliveries?api-version=…` lists each delivery
 *    with its attempts (time, status, duration), with an ARM token as any read.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { ArmError, type ResourceProvider, type Route, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../core/contract';
import { notFound, paginate, systemData } from '../core/arm';
import { AUDIENCE } from '../core/identity';
import { internals } from '../core/server';
import { bodyObject, normalizeLocation, propertiesOf, tagsOf } from './common';

/** @azure/arm-eventgrid 14.1.0 sends 2022-06-15; 2025-02-15 is the newest stable in the specs. */
export const EVENTGRID_API_VERSIONS = ['2020-06-01', '2021-12-01', '2022-06-15', '2023-12-15-preview', '2024-06-01-preview', '2025-02-15'];
export const EVENTGRID_DATA_API_VERSION = '2018-01-01';
export const EVENTGRID_DATA_SENDER = 'd5a91429-5739-47e2-a06b-3470a27159e7';
/** Learn, "Event Grid quotas and limits": an event and a whole batch up to 1 MB. */
export const MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_BATCH_BYTES = 1024 * 1024;
const MANUAL_VALIDATION_MS = 10 * 60 * 1000;
/** Event Grid waits 30 s for a subscriber's answer (`SANDBOX_EVENTGRID_TIMEOUT_MS` shortens it for tests). */
function deliveryTimeoutMs(): number {
  const v = Number(process.env.SANDBOX_EVENTGRID_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 30_000;
}
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Event Grid's retry schedule (Learn, "Delivery and retry"), then hourly. */
const RETRY_SCHEDULE_S = [10, 30, 60, 300, 600, 1800, 3600];

const TOPICS = 'resources';
const KEYS = 'eventGridKeys';
const SECRETS = 'eventGridSecrets';
const DELIVERIES = 'eventGridDeliveries';
const NAMES = 'eventGridTopicNames';

const RG = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}';
const TOPIC = `${RG}/providers/Microsoft.EventGrid/topics/{topicName}`;
const ES = '/{*scope}/providers/Microsoft.EventGrid/eventSubscriptions';

type InputSchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

interface TopicRecord {
  id: string;
  name: string;
  type: 'Microsoft.EventGrid/topics';
  location: string;
  tags?: Record<string, string>;
  sku: { name: string };
  kind: 'Azure';
  identity: { type: 'None' };
  systemData: ReturnType<typeof systemData>;
  properties: {
    provisioningState: 'Succeeded' | 'Creating';
    endpoint: string;
    inputSchema: InputSchema;
    metricResourceId: string;
    publicNetworkAccess: 'Enabled' | 'Disabled';
    inboundIpRules: { ipMask: string; action: string }[];
    disableLocalAuth: boolean;
    dataResidencyBoundary: string;
    minimumTlsVersionAllowed: string;
    privateEndpointConnections: unknown[];
  };
}

type SubState = 'Creating' | 'Succeeded' | 'AwaitingManualAction' | 'Failed' | 'Deleting';

interface SubscriptionRecord {
  id: string;
  name: string;
  type: 'Microsoft.EventGrid/eventSubscriptions';
  topicId: string;
  systemData: ReturnType<typeof systemData>;
  createdAt: number;
  properties: {
    topic: string;
    provisioningState: SubState;
    destination: { endpointType: 'WebHook'; properties: { endpointBaseUrl: string; maxEventsPerBatch: number; preferredBatchSizeInKilobytes: number } };
    filter: { includedEventTypes?: string[] | null; subjectBeginsWith: string; subjectEndsWith: string; isSubjectCaseSensitive: boolean; enableAdvancedFilteringOnArrays?: boolean };
    labels: string[];
    eventDeliverySchema: InputSchema;
    retryPolicy: { maxDeliveryAttempts: number; eventTimeToLiveInMinutes: number };
    expirationTimeUtc?: string;
  };
}

interface SecretRecord {
  endpointUrl: string;
  validationCode: string;
}

interface Attempt {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface DeliveryRecord {
  key: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  subject: string;
  /** The event as the subscriber receives it (one per request). */
  event: Record<string, unknown>;
  publishedAt: string;
  state: 'Pending' | 'Delivered' | 'Dropped';
  nextAttemptAt: number;
  attempts: Attempt[];
}

// ---- helpers ----------------------------------------------------------------------------------------

function topicId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.EventGrid/topics/${p.topicName}`;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function newKey(): string {
  return crypto.randomBytes(32).toString('base64');
}

function topicNameError(name: string): string | undefined {
  if (!/^[A-Za-z0-9-]{3,50}$/.test(name)) {
    return `The topic name '${name}' is invalid. Topic names must be 3 to 50 characters long and use only letters, digits and hyphens.`;
  }
  return undefined;
}

function subscriptionNameError(name: string): string | undefined {
  if (!/^[A-Za-z0-9-]{3,64}$/.test(name)) {
    return `The event subscription name '${name}' is invalid. Names must be 3 to 64 characters long and use only letters, digits and hyphens.`;
  }
  return undefined;
}

function topicEndpoint(req: SandboxRequest | { baseUrl: string }, location: string, name: string): string {
  return `${req.baseUrl}/eventgrid/${location}/${name}/api/events`;
}

function getTopic(ctx: SandboxContext, id: string): TopicRecord | undefined {
  const r = ctx.store.get<TopicRecord>(TOPICS, id);
  return r?.type === 'Microsoft.EventGrid/topics' ? r : undefined;
}

function requireTopic(ctx: SandboxContext, p: Record<string, string>): TopicRecord {
  const t = getTopic(ctx, topicId(p));
  if (!t) throw notFound('Microsoft.EventGrid/topics', p.topicName);
  return t;
}

function topicView(t: TopicRecord, apiVersion: string) {
  const props: Record<string, unknown> = { ...t.properties };
  if (apiVersion < '2025-02-15') delete props.minimumTlsVersionAllowed;
  return { id: t.id, name: t.name, type: t.type, location: t.location, ...(t.tags ? { tags: t.tags } : {}), sku: t.sku, kind: t.kind, identity: t.identity, systemData: t.systemData, properties: props };
}

function subscriptionView(s: SubscriptionRecord) {
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    systemData: s.systemData,
    properties: {
      ...s.properties,
      destination: { endpointType: 'WebHook', properties: { endpointUrl: null, ...s.properties.destination.properties } },
    },
  };
}

/** A subscription's scope must be one of our topics. */
function topicOfScope(ctx: SandboxContext, scope: string): TopicRecord {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.EventGrid\/topics\/([^/]+)$/i.exec(scope);
  if (!m) {
    throw new ArmError(400, 'InvalidRequest', `The sandbox serves event subscriptions on custom topics only; '${scope}' is not a Microsoft.EventGrid/topics resource id.`);
  }
  const t = getTopic(ctx, `/subscriptions/${m[1]}/resourceGroups/${m[2]}/providers/Microsoft.EventGrid/topics/${m[3]}`);
  if (!t) throw notFound('Microsoft.EventGrid/topics', m[3]);
  return t;
}

function subscriptionKey(t: TopicRecord, name: string): string {
  return `${t.id}/providers/Microsoft.EventGrid/eventSubscriptions/${name}`;
}

function requireSubscription(ctx: SandboxContext, scope: string, name: string): { topic: TopicRecord; sub: SubscriptionRecord } {
  const topic = topicOfScope(ctx, scope);
  const sub = ctx.store.get<SubscriptionRecord>(TOPICS, subscriptionKey(topic, name));
  if (!sub || sub.type !== 'Microsoft.EventGrid/eventSubscriptions') throw notFound('Microsoft.EventGrid/eventSubscriptions', name);
  return { topic, sub };
}

function subscriptionsOf(ctx: SandboxContext, topic: TopicRecord): SubscriptionRecord[] {
  return ctx.store.list<SubscriptionRecord>(TOPICS, `${topic.id}/providers/Microsoft.EventGrid/eventSubscriptions/`).filter((s) => s.type === 'Microsoft.EventGrid/eventSubscriptions');
}

// ---- outbound HTTP ------------------------------------------------------------------------------------

interface OutResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agents = new Map<string, https.Agent>();

function agentFor(ctx: SandboxContext): https.Agent {
  const ca = internals(ctx).caPem;
  let agent = agents.get(ca);
  if (!agent) {
    agent = new https.Agent({ ca: [ca, ...tls.rootCertificates], keepAlive: false });
    agents.set(ca, agent);
  }
  return agent;
}

function send(ctx: SandboxContext, method: string, url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<OutResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const options: https.RequestOptions = {
      method,
      headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
      timeout: timeoutMs,
      ...(u.protocol === 'https:' ? { agent: agentFor(ctx) } : {}),
    };
    const req = (u.protocol === 'https:' ? https : http).request(u, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

// ---- handshake ----------------------------------------------------------------------------------------

async function handshake(ctx: SandboxContext, baseUrl: string, topic: TopicRecord, sub: SubscriptionRecord, secret: SecretRecord): Promise<{ state: SubState; error?: string }> {
  const base = sub.properties.destination.properties.endpointBaseUrl;
  try {
    if (sub.properties.eventDeliverySchema === 'CloudEventSchemaV1_0') {
      const res = await send(ctx, 'OPTIONS', secret.endpointUrl, { 'WebHook-Request-Origin': 'eventgrid.azure.net', 'WebHook-Request-Rate': '120' }, undefined, HANDSHAKE_TIMEOUT_MS);
      const allowed = firstHeader(res.headers['webhook-allowed-origin']);
      if (res.status >= 200 && res.status < 300 && (allowed === '*' || allowed?.toLowerCase() === 'eventgrid.azure.net')) return { state: 'Succeeded' };
      return { state: 'Failed', error: `Webhook validation handshake failed for ${base}. The OPTIONS request answered ${res.status} without 'WebHook-Allowed-Origin: eventgrid.azure.net'. For CloudEvents the endpoint must answer the abuse-protection OPTIONS request.` };
    }
    const event = {
      id: crypto.randomUUID(),
      topic: topic.id,
      subject: '',
      data: { validationCode: secret.validationCode, validationUrl: `${baseUrl}/eventgrid/validate?id=${encodeURIComponent(sub.id)}&code=${encodeURIComponent(secret.validationCode)}` },
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      eventTime: ctx.clock.now().toISOString(),
      metadataVersion: '1',
      dataVersion: '2',
    };
    const res = await send(
      ctx,
      'POST',
      secret.endpointUrl,
      { 'content-type': 'application/json; charset=utf-8', 'aeg-event-type': 'SubscriptionValidation', 'aeg-subscription-name': sub.name.toUpperCase(), 'aeg-delivery-count': '0', 'aeg-metadata-version': '1', 'aeg-data-version': '2' },
      JSON.stringify([event]),
      HANDSHAKE_TIMEOUT_MS,
    );
    if (res.status === 200) {
      let answer: unknown;
      try {
        answer = JSON.parse(res.text);
      } catch {
        answer = undefined;
      }
      const code = (answer as { validationResponse?: unknown } | undefined)?.validationResponse;
      if (code === secret.validationCode) return { state: 'Succeeded' };
      if (code !== undefined) return { state: 'Failed', error: `Webhook validation handshake failed for ${base}. The endpoint answered a validationResponse that does not match the validationCode it was sent.` };
      return { state: 'AwaitingManualAction' };
    }
    if (res.status >= 200 && res.status < 300) return { state: 'AwaitingManualAction' };
    return { state: 'Failed', error: `Webhook validation handshake failed for ${base}. Http POST request failed with response code ${res.status}. The endpoint must answer 200 with {"validationResponse": "<validationCode>"}.` };
  } catch (e) {
    return { state: 'Failed', error: `Webhook validation handshake failed for ${base}. Http POST request failed with response code Unknown (${(e as Error).message}).` };
  }
}

// ---- data plane: auth, schema, limits -----------------------------------------------------------------

function dataPlaneError(status: number, code: string, message: string): SandboxResponse {
  return { status, body: { error: { code, message, details: [{ code, message }] } } };
}

function checkSas(token: string, topic: TopicRecord, keys: { key1: string; key2: string }, now: Date): string | undefined {
  const parts = new URLSearchParams(token);
  const r = parts.get('r');
  const e = parts.get('e');
  const s = parts.get('s');
  if (!r || !e || !s) return "The 'aeg-sas-token' must have the form r={resource}&e={expiry}&s={signature}.";
  const unsigned = `r=${encodeURIComponent(r)}&e=${encodeURIComponent(e)}`;
  const ok = [keys.key1, keys.key2].some((k) => safeEqual(crypto.createHmac('sha256', Buffer.from(k, 'base64')).update(unsigned).digest('base64'), s));
  if (!ok) return 'The request authorization SAS token signature is invalid.';
  const expires = parseSasExpiry(e);
  if (!Number.isFinite(expires) || expires < now.getTime()) return `The request authorization SAS token expired at ${e}.`;
  const resource = r.split('?')[0].toLowerCase();
  if (!topic.properties.endpoint.toLowerCase().startsWith(resource.replace(/\/+$/, '')) && !resource.startsWith(topic.properties.endpoint.toLowerCase())) {
    return `The SAS token was issued for '${r.split('?')[0]}', not for this topic.`;
  }
  return undefined;
}

/** `M/D/YYYY h:mm:ss AM` (UTC), as Event Grid and @azure/eventgrid write it, or an ISO time. */
function parseSasExpiry(e: string): number {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/i.exec(e.trim());
  if (!m) return Date.parse(e);
  const hour = (Number(m[4]) % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour, Number(m[5]), Number(m[6]));
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}

/** The events of a publish, checked against the topic's schema; throws a 400 message otherwise. */
function eventsOf(topic: TopicRecord, body: unknown, contentType: string, now: Date): Record<string, unknown>[] {
  const cloud = topic.properties.inputSchema === 'CloudEventSchemaV1_0';
  let list: unknown[];
  if (Array.isArray(body)) list = body;
  else if (cloud && body && typeof body === 'object' && /application\/cloudevents\+json/i.test(contentType)) list = [body];
  else throw new Error(cloud ? 'The request body must be a JSON array of CloudEvents (Content-Type: application/cloudevents-batch+json) or one CloudEvent (application/cloudevents+json).' : 'The request body must be a JSON array of Event Grid events.');
  if (list.length === 0) throw new Error('The request body has no events.');
  return list.map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`Event ${i} is not a JSON object.`);
    const e = raw as Record<string, unknown>;
    const str = (k: string) => typeof e[k] === 'string' && (e[k] as string).length > 0;
    if (cloud) {
      const missing = ['id', 'source', 'type', 'specversion'].filter((k) => !str(k));
      if (missing.length) throw new Error(`Event ${i} is not a CloudEvent: required attribute(s) ${missing.join(', ')} missing. The topic's input schema is CloudEventSchemaV1_0.`);
      if (e.specversion !== '1.0') throw new Error(`Event ${i} has specversion '${String(e.specversion)}'; the topic accepts CloudEvents 1.0.`);
      if ('eventType' in e || 'dataVersion' in e) throw new Error(`Event ${i} uses Event Grid schema properties (eventType/dataVersion); the topic's input schema is CloudEventSchemaV1_0.`);
      return { ...e, time: typeof e.time === 'string' ? e.time : now.toISOString() };
    }
    const missing = ['id', 'eventType', 'subject', 'dataVersion'].filter((k) => !str(k) && !(k === 'dataVersion' && typeof e[k] === 'string'));
    if (missing.length || typeof e.eventTime !== 'string' || !Number.isFinite(Date.parse(e.eventTime))) {
      throw new Error(`Event ${i} is not an Event Grid event: ${[...missing, ...(typeof e.eventTime !== 'string' || !Number.isFinite(Date.parse(String(e.eventTime))) ? ['eventTime'] : [])].join(', ')} missing or invalid. The topic's input schema is EventGridSchema${'specversion' in e ? ' (this looks like a CloudEvent)' : ''}.`);
    }
    if (typeof e.topic === 'string' && e.topic.toLowerCase() !== topic.id.toLowerCase()) throw new Error(`Event ${i} names topic '${e.topic}', not this topic.`);
    return { ...e, topic: topic.id, metadataVersion: '1' };
  });
}

function matches(sub: SubscriptionRecord, event: Record<string, unknown>, cloud: boolean): boolean {
  const type = String(cloud ? event.type : event.eventType);
  const subject = String(event.subject ?? '');
  const f = sub.properties.filter;
  if (f.includedEventTypes && f.includedEventTypes.length > 0 && !f.includedEventTypes.some((t) => t.toLowerCase() === type.toLowerCase())) return false;
  const cs = f.isSubjectCaseSensitive;
  const norm = (s: string) => (cs ? s : s.toLowerCase());
  if (f.subjectBeginsWith && !norm(subject).startsWith(norm(f.subjectBeginsWith))) return false;
  if (f.subjectEndsWith && !norm(subject).endsWith(norm(f.subjectEndsWith))) return false;
  return true;
}

// ---- delivery -----------------------------------------------------------------------------------------

const inFlight = new WeakMap<SandboxContext, Set<string>>();

function flightOf(ctx: SandboxContext): Set<string> {
  let s = inFlight.get(ctx);
  if (!s) inFlight.set(ctx, (s = new Set()));
  return s;
}

function retryDelayS(attempt: number, status: number | undefined): number {
  if (status === 401 || status === 403 || status === 404) return Math.max(300, RETRY_SCHEDULE_S[Math.min(attempt - 1, RETRY_SCHEDULE_S.length - 1)]);
  if (status === 408) return Math.max(120, RETRY_SCHEDULE_S[Math.min(attempt - 1, RETRY_SCHEDULE_S.length - 1)]);
  return RETRY_SCHEDULE_S[Math.min(attempt - 1, RETRY_SCHEDULE_S.length - 1)];
}

async function attemptDelivery(ctx: SandboxContext, key: string): Promise<void> {
  const flight = flightOf(ctx);
  if (flight.has(key)) return;
  const d = ctx.store.get<DeliveryRecord>(DELIVERIES, key);
  if (!d || d.state !== 'Pending') return;
  const sub = ctx.store.get<SubscriptionRecord>(TOPICS, d.subscriptionId);
  const secret = ctx.store.get<SecretRecord>(SECRETS, d.subscriptionId);
  if (!sub || !secret) {
    d.state = 'Dropped';
    d.attempts.push({ at: ctx.clock.now().toISOString(), error: 'the event subscription was deleted', durationMs: 0 });
    ctx.store.put(DELIVERIES, key, d);
    await ctx.store.commit();
    return;
  }
  flight.add(key);
  const t0 = Date.now();
  const at = ctx.clock.now();
  const cloud = sub.properties.eventDeliverySchema === 'CloudEventSchemaV1_0';
  let status: number | undefined;
  let error: string | undefined;
  try {
    const res = await send(
      ctx,
      'POST',
      secret.endpointUrl,
      {
        'content-type': cloud ? 'application/cloudevents+json; charset=utf-8' : 'application/json; charset=utf-8',
        'aeg-event-type': 'Notification',
        'aeg-subscription-name': sub.name.toUpperCase(),
        'aeg-delivery-count': String(d.attempts.length),
        'aeg-metadata-version': '1',
        ...(cloud ? { 'WebHook-Request-Origin': 'eventgrid.azure.net' } : { 'aeg-data-version': String(d.event.dataVersion ?? '') }),
      },
      JSON.stringify(cloud ? d.event : [d.event]),
      deliveryTimeoutMs(),
    );
    status = res.status;
  } catch (e) {
    error = (e as Error).message;
  } finally {
    flight.delete(key);
  }
  const fresh = ctx.store.get<DeliveryRecord>(DELIVERIES, key) ?? d;
  fresh.attempts.push({ at: at.toISOString(), ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}), durationMs: Date.now() - t0 });
  const n = fresh.attempts.length;
  if (status !== undefined && status >= 200 && status < 300) {
    fresh.state = 'Delivered';
  } else if (status === 400 || status === 413) {
    fresh.state = 'Dropped';
  } else {
    const expired = ctx.clock.now().getTime() - Date.parse(fresh.publishedAt) > sub.properties.retryPolicy.eventTimeToLiveInMinutes * 60_000;
    if (n >= sub.properties.retryPolicy.maxDeliveryAttempts || expired) fresh.state = 'Dropped';
    else fresh.nextAttemptAt = ctx.clock.now().getTime() + retryDelayS(n, status) * 1000;
  }
  ctx.store.put(DELIVERIES, key, fresh);
  await ctx.store.commit();
  if (fresh.state !== 'Delivered') ctx.log(`event ${fresh.eventId} to ${sub.name}: attempt ${n} ${status ?? error}; ${fresh.state === 'Pending' ? `retry at ${new Date(fresh.nextAttemptAt).toISOString()}` : fresh.state}`);
}

// ---- routes -------------------------------------------------------------------------------------------

function putTopic(req: SandboxRequest, p: Record<string, string>, ctx: SandboxContext): SandboxResponse {
  const bad = topicNameError(p.topicName);
  if (bad) throw new ArmError(400, 'InvalidTopicName', bad);
  const body = bodyObject(req);
  const props = propertiesOf(body);
  const id = topicId(p);
  const existing = getTopic(ctx, id);
  const location = normalizeLocation(body.location ?? existing?.location);
  const schema = (props.inputSchema ?? existing?.properties.inputSchema ?? 'EventGridSchema') as string;
  if (schema !== 'EventGridSchema' && schema !== 'CloudEventSchemaV1_0') {
    throw new ArmError(400, 'InvalidRequest', `The inputSchema '${schema}' is not supported by the sandbox. Use EventGridSchema or CloudEventSchemaV1_0.`);
  }
  const now = ctx.clock.now();
  if (existing) {
    if (existing.location !== location) throw new ArmError(400, 'InvalidRequest', `The location of topic '${p.topicName}' cannot change (it is ${existing.location}).`);
    if (existing.properties.inputSchema !== schema) throw new ArmError(400, 'InvalidRequest', `The inputSchema of topic '${p.topicName}' cannot be updated (it is ${existing.properties.inputSchema}). Create a new topic for another schema.`);
  } else {
    const owner = ctx.store.get<{ id: string }>(NAMES, `${location}/${p.topicName}`);
    if (owner && owner.id.toLowerCase() !== id.toLowerCase()) {
      throw new ArmError(409, 'Conflict', `Topic name '${p.topicName}' is already in use in region ${location}. Topic names are unique per region; choose another name.`);
    }
  }
  const rec: TopicRecord = {
    id,
    name: p.topicName,
    type: 'Microsoft.EventGrid/topics',
    location,
    ...(tagsOf(body) ?? existing?.tags ? { tags: tagsOf(body) ?? existing?.tags } : {}),
    sku: { name: 'Basic' },
    kind: 'Azure',
    identity: { type: 'None' },
    systemData: existing ? { ...existing.systemData, ...systemData(req.principal, new Date(existing.systemData.createdAt), now), createdAt: existing.systemData.createdAt, createdBy: existing.systemData.createdBy, createdByType: existing.systemData.createdByType } : systemData(req.principal, now),
    properties: {
      provisioningState: 'Succeeded',
      endpoint: topicEndpoint(req, location, p.topicName),
      inputSchema: schema,
      metricResourceId: existing?.properties.metricResourceId ?? ctx.newGuid(),
      publicNetworkAccess: props.publicNetworkAccess === 'Disabled' ? 'Disabled' : 'Enabled',
      inboundIpRules: Array.isArray(props.inboundIpRules) ? (props.inboundIpRules as { ipMask: string; action: string }[]) : [],
      disableLocalAuth: props.disableLocalAuth === true,
      dataResidencyBoundary: typeof props.dataResidencyBoundary === 'string' ? props.dataResidencyBoundary : 'WithinGeopair',
      minimumTlsVersionAllowed: typeof props.minimumTlsVersionAllowed === 'string' ? props.minimumTlsVersionAllowed : '1.2',
      privateEndpointConnections: [],
    },
  };
  ctx.store.put(TOPICS, id, rec);
  ctx.store.put(NAMES, `${location}/${p.topicName}`, { id });
  if (!ctx.store.get(KEYS, `${id}/keys`)) ctx.store.put(KEYS, `${id}/keys`, { key1: newKey(), key2: newKey() });
  const view = topicView(rec, req.apiVersion);
  if (existing) return { status: 200, body: view };
  return ctx.operations.start(req, {
    status: 201,
    resourceId: id,
    body: { ...view, properties: { ...view.properties, provisioningState: 'Creating' } },
    work: () => Promise.resolve(view),
  });
}

function patchTopic(req: SandboxRequest, p: Record<string, string>, ctx: SandboxContext): SandboxResponse {
  const t = requireTopic(ctx, p);
  const body = bodyObject(req);
  const props = propertiesOf(body);
  if (props.inputSchema !== undefined && props.inputSchema !== t.properties.inputSchema) throw new ArmError(400, 'InvalidRequest', 'The inputSchema of a topic cannot be updated.');
  const tags = tagsOf(body);
  if (tags) t.tags = tags;
  if (props.publicNetworkAccess === 'Disabled' || props.publicNetworkAccess === 'Enabled') t.properties.publicNetworkAccess = props.publicNetworkAccess;
  if (typeof props.disableLocalAuth === 'boolean') t.properties.disableLocalAuth = props.disableLocalAuth;
  if (Array.isArray(props.inboundIpRules)) t.properties.inboundIpRules = props.inboundIpRules as { ipMask: string; action: string }[];
  t.systemData = { ...t.systemData, ...systemData(req.principal, new Date(t.systemData.createdAt), ctx.clock.now()), createdAt: t.systemData.createdAt, createdBy: t.systemData.createdBy, createdByType: t.systemData.createdByType };
  ctx.store.put(TOPICS, t.id, t);
  return { status: 200, body: topicView(t, req.apiVersion) };
}

async function deleteTopic(req: SandboxRequest, p: Record<string, string>, ctx: SandboxContext): Promise<SandboxResponse> {
  const t = getTopic(ctx, topicId(p));
  if (!t) return { status: 204 };
  ctx.store.delete(NAMES, `${t.location}/${t.name}`);
  await ctx.deleteTree(t.id);
  return { status: 200 };
}

function putSubscription(req: SandboxRequest, p: Record<string, string>, ctx: SandboxContext): SandboxResponse {
  const topic = topicOfScope(ctx, p.scope);
  const bad = subscriptionNameError(p.eventSubscriptionName);
  if (bad) throw new ArmError(400, 'InvalidRequest', bad);
  const props = propertiesOf(bodyObject(req));
  const key = subscriptionKey(topic, p.eventSubscriptionName);
  const existing = ctx.store.get<SubscriptionRecord>(TOPICS, key);
  const oldSecret = ctx.store.get<SecretRecord>(SECRETS, key);
  const dest = (props.destination ?? {}) as { endpointType?: string; properties?: Record<string, unknown> };
  if (dest.endpointType !== 'WebHook') {
    throw new ArmError(400, 'InvalidRequest', `The sandbox delivers to WebHook destinations only; got endpointType '${String(dest.endpointType ?? '(none)')}'.`);
  }
  const rawUrl = dest.properties?.endpointUrl;
  const endpointUrl = typeof rawUrl === 'string' && rawUrl !== '' ? rawUrl : oldSecret?.endpointUrl;
  if (!endpointUrl) throw new ArmError(400, 'InvalidRequest', "The destination's endpointUrl is required for a WebHook destination.", 'properties.destination.properties.endpointUrl');
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw new ArmError(400, 'InvalidRequest', `The endpointUrl '${endpointUrl.split('?')[0]}' is not a valid URL.`);
  }
  if (url.protocol !== 'https:') throw new ArmError(400, 'InvalidRequest', `Invalid webhook endpoint '${url.origin}${url.pathname}': Event Grid delivers to HTTPS endpoints only.`);
  const filter = (props.filter ?? {}) as Record<string, unknown>;
  const types = filter.includedEventTypes;
  if (types !== undefined && types !== null && (!Array.isArray(types) || types.some((t) => typeof t !== 'string' || t === ''))) {
    throw new ArmError(400, 'InvalidRequest', 'filter.includedEventTypes must be an array of event type names.');
  }
  const schema = (props.eventDeliverySchema ?? topic.properties.inputSchema) as string;
  if (schema !== 'EventGridSchema' && schema !== 'CloudEventSchemaV1_0') throw new ArmError(400, 'InvalidRequest', `eventDeliverySchema '${schema}' is not supported; use EventGridSchema or CloudEventSchemaV1_0.`);
  if (topic.properties.inputSchema === 'CloudEventSchemaV1_0' && schema !== 'CloudEventSchemaV1_0') {
    throw new ArmError(400, 'InvalidRequest', `A topic with input schema CloudEventSchemaV1_0 cannot deliver events in ${schema}. Use eventDeliverySchema CloudEventSchemaV1_0.`);
  }
  const retry = (props.retryPolicy ?? {}) as { maxDeliveryAttempts?: number; eventTimeToLiveInMinutes?: number };
  const now = ctx.clock.now();
  const rec: SubscriptionRecord = {
    id: key,
    name: p.eventSubscriptionName,
    type: 'Microsoft.EventGrid/eventSubscriptions',
    topicId: topic.id,
    systemData: existing ? { ...existing.systemData, lastModifiedAt: now.toISOString() } : systemData(req.principal, now),
    createdAt: now.getTime(),
    properties: {
      topic: topic.id,
      provisioningState: 'Creating',
      destination: { endpointType: 'WebHook', properties: { endpointBaseUrl: `${url.origin}${url.pathname}`, maxEventsPerBatch: 1, preferredBatchSizeInKilobytes: 64 } },
      filter: {
        includedEventTypes: Array.isArray(types) && types.length ? (types as string[]) : null,
        subjectBeginsWith: typeof filter.subjectBeginsWith === 'string' ? filter.subjectBeginsWith : '',
        subjectEndsWith: typeof filter.subjectEndsWith === 'string' ? filter.subjectEndsWith : '',
        isSubjectCaseSensitive: filter.isSubjectCaseSensitive === true,
        enableAdvancedFilteringOnArrays: filter.enableAdvancedFilteringOnArrays === true,
      },
      labels: Array.isArray(props.labels) ? (props.labels as string[]) : [],
      eventDeliverySchema: schema,
      retryPolicy: { maxDeliveryAttempts: Math.min(30, Math.max(1, Number(retry.maxDeliveryAttempts ?? 30))), eventTimeToLiveInMinutes: Math.min(1440, Math.max(1, Number(retry.eventTimeToLiveInMinutes ?? 1440))) },
      ...(typeof props.expirationTimeUtc === 'string' ? { expirationTimeUtc: props.expirationTimeUtc } : {}),
    },
  };
  // An unchanged URL that already passed the handshake keeps its validation (Azure re-validates only a new endpoint).
  const sameEndpoint = existing && oldSecret?.endpointUrl === endpointUrl && existing.properties.provisioningState === 'Succeeded';
  const secret: SecretRecord = { endpointUrl, validationCode: sameEndpoint && oldSecret ? oldSecret.validationCode : crypto.randomUUID().toUpperCase() };
  if (sameEndpoint) rec.properties.provisioningState = 'Succeeded';
  ctx.store.put(TOPICS, key, rec);
  ctx.store.put(SECRETS, key, secret);
  const baseUrl = req.baseUrl;
  return ctx.operations.start(req, {
    status: 201,
    resourceId: key,
    body: subscriptionView(rec),
    work: async () => {
      if (!sameEndpoint) {
        const result = await handshake(ctx, baseUrl, topic, rec, secret);
        const current = ctx.store.get<SubscriptionRecord>(TOPICS, key);
        if (current && current.properties.provisioningState === 'Creating') {
          current.properties.provisioningState = result.state;
          ctx.store.put(TOPICS, key, current);
          await ctx.store.commit();
        }
        if (result.state === 'Failed') throw new ArmError(400, 'Url validation', result.error ?? 'Webhook validation handshake failed.');
      }
      const done = ctx.store.get<SubscriptionRecord>(TOPICS, key);
      return done ? subscriptionView(done) : undefined;
    },
  });
}

function dataPlaneHandler(req: SandboxRequest, p: Record<string, string>, ctx: SandboxContext): SandboxResponse {
  if (req.method !== 'POST') return dataPlaneError(405, 'MethodNotAllowed', 'Only POST is supported on the topic endpoint.');
  const apiVersion = req.query.get('api-version') ?? req.query.get('api%2Dversion') ?? '';
  if (apiVersion !== EVENTGRID_DATA_API_VERSION) {
    return dataPlaneError(400, 'BadRequest', `The api-version '${apiVersion}' is not supported. Use api-version=${EVENTGRID_DATA_API_VERSION}.`);
  }
  const name = ctx.store.get<{ id: string }>(NAMES, `${p.location}/${p.topicName}`);
  const topic = name ? getTopic(ctx, name.id) : undefined;
  if (!topic) return dataPlaneError(404, 'NotFound', `The topic '${p.topicName}' does not exist in ${p.location}.`);
  if (topic.properties.publicNetworkAccess === 'Disabled') return dataPlaneError(403, 'Forbidden', `Public network access is disabled on topic '${topic.name}'.`);
  const now = ctx.clock.now();
  const keys = ctx.store.get<{ key1: string; key2: string }>(KEYS, `${topic.id}/keys`) ?? { key1: '', key2: '' };
  const sasKey = firstHeader(req.headers['aeg-sas-key']);
  const sasToken = firstHeader(req.headers['aeg-sas-token']);
  const bearer = firstHeader(req.headers.authorization);
  if (sasKey !== undefined || sasToken !== undefined) {
    if (topic.properties.disableLocalAuth) return dataPlaneError(401, 'Unauthorized', `Local authentication (keys and SAS tokens) is disabled on topic '${topic.name}'. Use a Microsoft Entra token for https://eventgrid.azure.net.`);
    if (sasKey !== undefined) {
      if (!(keys.key1 && safeEqual(sasKey, keys.key1)) && !(keys.key2 && safeEqual(sasKey, keys.key2))) return dataPlaneError(401, 'Unauthorized', 'The request authorization key is not authorized for this topic.');
    } else {
      const why = checkSas(sasToken ?? '', topic, keys, now);
      if (why) return dataPlaneError(401, 'Unauthorized', why);
    }
  } else if (bearer) {
    const check = internals(ctx).verifyBearer(bearer, [AUDIENCE.eventGrid]);
    if (!check.ok) return dataPlaneError(401, 'Unauthorized', `The bearer token is not valid for Event Grid: ${check.error.message}`);
    const sub = /^\/subscriptions\/([^/]+)/i.exec(topic.id)?.[1] ?? '';
    const owner = ctx.resources.subscription(sub);
    if (owner && owner.tenantId.toLowerCase() !== check.principal.tenantId.toLowerCase()) return dataPlaneError(401, 'Unauthorized', `The token is from tenant ${check.principal.tenantId}; topic '${topic.name}' is in tenant ${owner.tenantId}.`);
    if (!ctx.authorization.hasRole(check.principal.objectId, topic.id, EVENTGRID_DATA_SENDER)) {
      return dataPlaneError(401, 'Unauthorized', `The principal '${check.principal.objectId}' does not have the 'EventGrid Data Sender' role (${EVENTGRID_DATA_SENDER}) on topic '${topic.name}' or above; it needs Microsoft.EventGrid/events/send/action.`);
    }
  } else {
    return dataPlaneError(401, 'Unauthorized', "The request has no credential: send 'aeg-sas-key', 'aeg-sas-token' or 'Authorization: Bearer' with a token for https://eventgrid.azure.net.");
  }
  // Size limits (the raw batch, then each event).
  const batchBytes = Buffer.byteLength(JSON.stringify(req.body ?? null), 'utf8');
  if (batchBytes > MAX_BATCH_BYTES) return dataPlaneError(413, 'RequestEntityTooLarge', `The batch is ${batchBytes} bytes; a publish may carry at most ${MAX_BATCH_BYTES} bytes (1 MB).`);
  let events: Record<string, unknown>[];
  try {
    events = eventsOf(topic, req.body, firstHeader(req.headers['content-type']) ?? '', now);
  } catch (e) {
    return dataPlaneError(400, 'BadRequest', (e as Error).message);
  }
  for (const e of events) {
    const size = Buffer.byteLength(JSON.stringify(e), 'utf8');
    if (size > MAX_EVENT_BYTES) return dataPlaneError(413, 'RequestEntityTooLarge', `Event '${String(e.id)}' is ${size} bytes; an event may be at most ${MAX_EVENT_BYTES} bytes (1 MB).`);
  }
  const cloud = topic.properties.inputSchema === 'CloudEventSchemaV1_0';
  const subs = subscriptionsOf(ctx, topic).filter((s) => s.properties.provisioningState === 'Succeeded');
  const due: string[] = [];
  for (const e of events) {
    for (const s of subs) {
      if (!matches(s, e, cloud)) continue;
      const key = `${s.id}/deliveries/${crypto.randomUUID()}`;
      const rec: DeliveryRecord = {
        key,
        subscriptionId: s.id,
        eventId: String(e.id),
        eventType: String(cloud ? e.type : e.eventType),
        subject: String(e.subject ?? ''),
        event: e,
        publishedAt: now.toISOString(),
        state: 'Pending',
        nextAttemptAt: now.getTime(),
        attempts: [],
      };
      ctx.store.put(DELIVERIES, key, rec);
      due.push(key);
    }
  }
  // The core commits the store before answering; deliveries start once the publisher has its 200.
  setTimeout(() => {
    for (const key of due) void attemptDelivery(ctx, key).catch((err: unknown) => ctx.log(`delivery ${key} failed: ${(err as Error).message}`));
  }, 0);
  return { status: 200 };
}

function validateHandler(req: SandboxRequest, _p: Record<string, string>, ctx: SandboxContext): SandboxResponse {
  const id = req.query.get('id') ?? '';
  const code = req.query.get('code') ?? '';
  const sub = ctx.store.get<SubscriptionRecord>(TOPICS, id);
  const secret = ctx.store.get<SecretRecord>(SECRETS, id);
  if (!sub || !secret || !safeEqual(code, secret.validationCode)) return dataPlaneError(404, 'NotFound', 'This validation URL is not valid (unknown subscription or code).');
  if (sub.properties.provisioningState === 'Succeeded') return { status: 200, body: { message: 'The subscription is already validated.' } };
  if (sub.properties.provisioningState !== 'AwaitingManualAction' || ctx.clock.now().getTime() - sub.createdAt > MANUAL_VALIDATION_MS) {
    return dataPlaneError(400, 'BadRequest', `The validation URL expired: it is valid for 10 minutes while the subscription awaits manual action (it is ${sub.properties.provisioningState}).`);
  }
  sub.properties.provisioningState = 'Succeeded';
  ctx.store.put(TOPICS, sub.id, sub);
  return { status: 200, body: { message: 'Webhook successfully validated as a part of the subscription validation.' } };
}

const V = EVENTGRID_API_VERSIONS;

function arm(methods: string[], pattern: string, handler: Route['handler'], extra: Partial<Route> = {}): Route {
  return { methods, pattern, apiVersions: V, handler, ...extra };
}

export const eventGridProvider: ResourceProvider = {
  namespace: 'Microsoft.EventGrid',
  requiresRegistration: true,
  routes: [
    arm(['GET'], '/subscriptions/{subscriptionId}/providers/Microsoft.EventGrid/topics', (req, p, ctx) => ({
      status: 200,
      body: paginate(req, ctx.store.list<TopicRecord>(TOPICS, `/subscriptions/${p.subscriptionId}/`).filter((t) => t.type === 'Microsoft.EventGrid/topics').map((t) => topicView(t, req.apiVersion))),
    })),
    arm(['GET'], `${RG}/providers/Microsoft.EventGrid/topics`, (req, p, ctx) => ({
      status: 200,
      body: paginate(req, ctx.store.list<TopicRecord>(TOPICS, `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/`).filter((t) => t.type === 'Microsoft.EventGrid/topics').map((t) => topicView(t, req.apiVersion))),
    })),
    arm(['GET'], TOPIC, (req, p, ctx) => ({ status: 200, body: topicView(requireTopic(ctx, p), req.apiVersion) })),
    arm(['PUT'], TOPIC, putTopic),
    arm(['PATCH'], TOPIC, patchTopic),
    arm(['DELETE'], TOPIC, deleteTopic),
    arm(['POST'], `${TOPIC}/listKeys`, (_req, p, ctx) => {
      const t = requireTopic(ctx, p);
      return { status: 200, body: ctx.store.get(KEYS, `${t.id}/keys`) };
    }),
    arm(['POST'], `${TOPIC}/regenerateKey`, (req, p, ctx) => {
      const t = requireTopic(ctx, p);
      const which = bodyObject(req).keyName;
      if (which !== 'key1' && which !== 'key2') throw new ArmError(400, 'InvalidRequest', "keyName must be 'key1' or 'key2'.", 'keyName');
      const keys = ctx.store.get<{ key1: string; key2: string }>(KEYS, `${t.id}/keys`) ?? { key1: newKey(), key2: newKey() };
      keys[which] = newKey();
      ctx.store.put(KEYS, `${t.id}/keys`, keys);
      return { status: 200, body: keys };
    }),
    arm(['GET'], ES, (req, p, ctx) => ({ status: 200, body: paginate(req, subscriptionsOf(ctx, topicOfScope(ctx, p.scope)).map(subscriptionView)) })),
    arm(['GET'], `${ES}/{eventSubscriptionName}`, (_req, p, ctx) => ({ status: 200, body: subscriptionView(requireSubscription(ctx, p.scope, p.eventSubscriptionName).sub) })),
    arm(['PUT'], `${ES}/{eventSubscriptionName}`, putSubscription),
    arm(['PATCH'], `${ES}/{eventSubscriptionName}`, (req, p, ctx) => {
      const { sub } = requireSubscription(ctx, p.scope, p.eventSubscriptionName);
      const props = bodyObject(req);
      if (props.filter && typeof props.filter === 'object') sub.properties.filter = { ...sub.properties.filter, ...(props.filter as object) };
      if (Array.isArray(props.labels)) sub.properties.labels = props.labels as string[];
      ctx.store.put(TOPICS, sub.id, sub);
      return { status: 200, body: subscriptionView(sub) };
    }),
    arm(['DELETE'], `${ES}/{eventSubscriptionName}`, async (_req, p, ctx) => {
      const topic = topicOfScope(ctx, p.scope);
      const key = subscriptionKey(topic, p.eventSubscriptionName);
      if (!ctx.store.get(TOPICS, key)) return { status: 204 };
      await ctx.deleteTree(key);
      return { status: 200 };
    }),
    arm(['POST'], `${ES}/{eventSubscriptionName}/getFullUrl`, (_req, p, ctx) => {
      const { sub } = requireSubscription(ctx, p.scope, p.eventSubscriptionName);
      return { status: 200, body: { endpointUrl: ctx.store.get<SecretRecord>(SECRETS, sub.id)?.endpointUrl } };
    }),
    arm(['POST'], `${ES}/{eventSubscriptionName}/getDeliveryAttributes`, (_req, p, ctx) => {
      requireSubscription(ctx, p.scope, p.eventSubscriptionName);
      return { status: 200, body: { value: [] } };
    }),
    {
      methods: ['GET'],
      pattern: `${ES}/{eventSubscriptionName}/sandboxDeliveries`,
      handler: (_req, p, ctx) => {
        const { sub } = requireSubscription(ctx, p.scope, p.eventSubscriptionName);
        const list = ctx.store.list<DeliveryRecord>(DELIVERIES, `${sub.id}/deliveries/`);
        list.sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.key.localeCompare(b.key));
        return { status: 200, body: { value: list.map(({ key: _k, event, ...rest }) => ({ ...rest, event })) } };
      },
    },
    {
      methods: ['POST', 'GET', 'PUT', 'DELETE'],
      pattern: '/eventgrid/{location}/{topicName}/api/events',
      anonymous: true,
      authorize: false,
      requireApiVersion: false,
      handler: dataPlaneHandler,
    },
    { methods: ['GET'], pattern: '/eventgrid/validate', anonymous: true, authorize: false, requireApiVersion: false, handler: validateHandler },
  ],
  async onTick(ctx, now) {
    // Subscriptions left awaiting manual validation for 10 minutes fail, as in Azure.
    for (const s of ctx.store.list<SubscriptionRecord>(TOPICS).filter((x) => x.type === 'Microsoft.EventGrid/eventSubscriptions' && x.properties.provisioningState === 'AwaitingManualAction')) {
      if (now.getTime() - s.createdAt > MANUAL_VALIDATION_MS) {
        s.properties.provisioningState = 'Failed';
        ctx.store.put(TOPICS, s.id, s);
      }
    }
    const due = ctx.store.list<DeliveryRecord>(DELIVERIES).filter((d) => d.state === 'Pending' && d.nextAttemptAt <= now.getTime() && !flightOf(ctx).has(d.key));
    await Promise.all(due.map((d) => attemptDelivery(ctx, d.key).catch((err: unknown) => ctx.log(`delivery ${d.key} failed: ${(err as Error).message}`))));
  },
};

export default eventGridProvider;
