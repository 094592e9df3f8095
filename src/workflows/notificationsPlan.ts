/**
 * The plan's `notifications` section: Event Grid topic and webhook subscriptions (type and checks,
 * pure), so the plan parser reports every problem with all the others at once.
 */
import { GDS_EVENT_TYPES } from './eventTypes';

export interface WebhookSubscriptionPlan {
  /** Event subscription name (3–64 letters, digits, hyphens). */
  name: string;
  /** HTTPS endpoint that answers Event Grid's validation handshake. */
  endpointUrl: string;
  /** Only these event types (default: every type). */
  includedEventTypes?: string[];
}

export interface NotificationsPlan {
  eventGrid?: {
    /** Custom topic name (3–50 letters, digits, hyphens), unique in its region. */
    topic: string;
    /** Default: the provider's resource group. */
    resourceGroup?: string;
    subscriptions?: WebhookSubscriptionPlan[];
  };
}

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function topicNameProblem(v: unknown): string | undefined {
  return typeof v !== 'string' || !/^[A-Za-z0-9-]{3,50}$/.test(v) ? `'${String(v)}' is not a valid Event Grid topic name: 3 to 50 letters, digits and hyphens.` : undefined;
}

export function subscriptionNameProblem(v: unknown): string | undefined {
  return typeof v !== 'string' || !/^[A-Za-z0-9-]{3,64}$/.test(v) ? `'${String(v)}' is not a valid event subscription name: 3 to 64 letters, digits and hyphens.` : undefined;
}

/** A webhook must be HTTPS (Event Grid delivers nowhere else) and carry no user name or password. */
export function webhookUrlProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return 'is required: the HTTPS URL of the webhook.';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `'${v.split('?')[0]}' is not a URL.`;
  }
  if (u.protocol !== 'https:') return `must be an https:// URL (Event Grid delivers to HTTPS endpoints only); got ${u.protocol}//.`;
  if (u.username || u.password) return 'must not carry a user name or password; put a secret in the query string instead.';
  return undefined;
}

/** Every problem of `notifications` as [field, message] pairs. */
export function checkNotificationsPlan(v: unknown, where = 'notifications'): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (f: string, m: string) => out.push([`${where}${f ? `.${f}` : ''}`, m]);
  if (!obj(v)) {
    add('', 'must be an object.');
    return out;
  }
  for (const k of Object.keys(v)) if (k !== 'eventGrid') add(k, 'is not a known property.');
  const eg = v.eventGrid;
  if (eg === undefined) return out;
  if (!obj(eg)) {
    add('eventGrid', 'must be an object ({topic, resourceGroup?, subscriptions?}).');
    return out;
  }
  for (const k of Object.keys(eg)) if (!['topic', 'resourceGroup', 'subscriptions'].includes(k)) add(`eventGrid.${k}`, 'is not a known property.');
  const t = topicNameProblem(eg.topic);
  if (t) add('eventGrid.topic', t);
  if (eg.resourceGroup !== undefined && (typeof eg.resourceGroup !== 'string' || !/^[-\w._()]{1,90}$/.test(eg.resourceGroup) || eg.resourceGroup.endsWith('.'))) add('eventGrid.resourceGroup', `'${String(eg.resourceGroup)}' is not a valid resource group name.`);
  if (eg.subscriptions === undefined) return out;
  if (!Array.isArray(eg.subscriptions)) {
    add('eventGrid.subscriptions', 'must be a list of {name, endpointUrl, includedEventTypes?}.');
    return out;
  }
  const names = new Set<string>();
  eg.subscriptions.forEach((s: unknown, i: number) => {
    const w = `eventGrid.subscriptions[${i}]`;
    if (!obj(s)) return add(w, 'must be an object.');
    for (const k of Object.keys(s)) if (!['name', 'endpointUrl', 'includedEventTypes'].includes(k)) add(`${w}.${k}`, 'is not a known property.');
    const n = subscriptionNameProblem(s.name);
    if (n) add(`${w}.name`, n);
    else if (names.has(String(s.name).toLowerCase())) add(`${w}.name`, `'${String(s.name)}' is used twice.`);
    names.add(String(s.name).toLowerCase());
    const u = webhookUrlProblem(s.endpointUrl);
    if (u) add(`${w}.endpointUrl`, u);
    if (s.includedEventTypes !== undefined) {
      if (!Array.isArray(s.includedEventTypes) || s.includedEventTypes.length === 0) add(`${w}.includedEventTypes`, 'must be a non-empty list of event types (omit it for every type).');
      else
        s.includedEventTypes.forEach((e: unknown, j: number) => {
          if (!(GDS_EVENT_TYPES as readonly string[]).includes(String(e))) add(`${w}.includedEventTypes[${j}]`, `'${String(e)}' is not an event type the extension publishes (${GDS_EVENT_TYPES.join(', ')}).`);
        });
    }
  });
  return out;
}
