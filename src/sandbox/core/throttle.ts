/**
 * ARM request throttling, as Azure Resource Manager applies it since 2024: one token bucket per
 * (subscription, security principal, operation type). Reads (GET/HEAD) hold 250 tokens and refill
 * 25 per second; writes (PUT/PATCH/POST) and deletes (DELETE) hold 200 and refill 10 per second.
 * Every counted request takes one token; an empty bucket answers 429 with `Retry-After` (whole
 * seconds until one token is back) and ARM's `SubscriptionRequestsThrottled` error. Counted
 * responses carry `x-ms-ratelimit-remaining-subscription-{reads|writes|deletes}`.
 *
 * Deterministic, unlike the random `throttle` fault (faults.ts): buckets refill on the sandbox
 * clock (real time plus any admin clock advance), so a test may also advance the clock to refill.
 *
 * Counters (requests per type and 429s, per subscription) are kept whether or not throttling is on,
 * for `GET /admin/stats`.
 */
import { ArmError } from './contract';

export type OperationType = 'reads' | 'writes' | 'deletes';

export interface BucketLimits {
  /** Bucket size (the burst allowed from full). */
  burst: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

/** Per-type overrides; anything left out keeps ARM's numbers. */
export interface ThrottleOptions {
  reads?: Partial<BucketLimits>;
  writes?: Partial<BucketLimits>;
  deletes?: Partial<BucketLimits>;
}

export const ARM_LIMITS: Readonly<Record<OperationType, BucketLimits>> = Object.freeze({
  reads: { burst: 250, refillPerSecond: 25 },
  writes: { burst: 200, refillPerSecond: 10 },
  deletes: { burst: 200, refillPerSecond: 10 },
});

export const OPERATION_TYPES: OperationType[] = ['reads', 'writes', 'deletes'];

export interface TypeCounters {
  reads: number;
  writes: number;
  deletes: number;
  /** Requests answered 429 by the rate limiter (they are also counted under their type). */
  throttled: number;
}

export interface ThrottleStats {
  /** Whether the rate limiter is on (counting happens either way). */
  enabled: boolean;
  limits: Record<OperationType, BucketLimits> | null;
  /** Every ARM request under /subscriptions/{id}/… the sandbox received, by type, and the 429s. */
  arm: TypeCounters;
  /** The same, per subscription id (lower case). */
  subscriptions: Record<string, TypeCounters>;
}

/** The outcome of counting one request. */
export interface ThrottleDecision {
  type: OperationType;
  /** Headers to send with the response (empty when throttling is off). */
  headers: Record<string, string>;
  /** Set when the request must be refused: 429 with this error and Retry-After. */
  error?: ArmError & { retryAfter: number };
}

interface Bucket {
  tokens: number;
  /** Sandbox-clock time (ms) of the last refill. */
  at: number;
}

/** GET/HEAD read, DELETE delete, everything else (PUT, PATCH, POST) write. */
export function operationTypeOf(method: string): OperationType {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') return 'reads';
  if (m === 'DELETE') return 'deletes';
  return 'writes';
}

/** The subscription id of an ARM path `/subscriptions/{id}/…` (or `/subscriptions/{id}`), else undefined. */
export function subscriptionOfPath(path: string): string | undefined {
  const m = /^\/subscriptions\/([^/]+)(?:\/|$)/i.exec(path);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** Fills ARM's numbers into partial limits and rejects nonsense (non-positive or non-finite numbers). */
export function resolveLimits(options: boolean | ThrottleOptions | undefined): Record<OperationType, BucketLimits> | undefined {
  if (options === undefined || options === false) return undefined;
  const given: ThrottleOptions = options === true ? {} : options;
  const out = {} as Record<OperationType, BucketLimits>;
  for (const type of OPERATION_TYPES) {
    const o = given[type] ?? {};
    const burst = o.burst ?? ARM_LIMITS[type].burst;
    const refillPerSecond = o.refillPerSecond ?? ARM_LIMITS[type].refillPerSecond;
    if (!Number.isFinite(burst) || burst < 1) {
      throw new Error(`throttle.${type}.burst must be a number of at least 1; got '${String(burst)}'.`);
    }
    if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
      throw new Error(`throttle.${type}.refillPerSecond must be a positive number; got '${String(refillPerSecond)}'.`);
    }
    out[type] = { burst, refillPerSecond };
  }
  return out;
}

/**
 * Parses the CLI form of `--throttle`: empty (ARM's numbers) or a comma list of
 * `type=burst/refill` such as `reads=20/2,writes=10/1` (`type` is reads, writes or deletes).
 */
export function parseThrottleFlag(value: string | undefined): ThrottleOptions {
  const out: ThrottleOptions = {};
  if (value === undefined || value.trim() === '') return out;
  for (const part of value.split(',')) {
    const m = /^\s*(reads|writes|deletes)\s*[=:]\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/i.exec(part);
    if (!m) {
      throw new Error(`--throttle: '${part}' is not of the form type=burst/refillPerSecond (type: reads, writes or deletes), e.g. --throttle=reads=20/2,writes=10/1.`);
    }
    out[m[1].toLowerCase() as OperationType] = { burst: Number(m[2]), refillPerSecond: Number(m[3]) };
  }
  resolveLimits(out); // validate
  return out;
}

function emptyCounters(): TypeCounters {
  return { reads: 0, writes: 0, deletes: 0, throttled: 0 };
}

export class ArmRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private totals: TypeCounters = emptyCounters();
  private perSubscription = new Map<string, TypeCounters>();

  /**
   * @param limits bucket sizes and refill rates; undefined = count only, never throttle.
   * @param now the sandbox clock in milliseconds.
   */
  constructor(
    private readonly limits: Record<OperationType, BucketLimits> | undefined,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.limits !== undefined;
  }

  /** Counts one ARM request of `principalId` on `subscriptionId` and takes a token when throttling is on. */
  take(subscriptionId: string, principalId: string, method: string): ThrottleDecision {
    const type = operationTypeOf(method);
    const sub = subscriptionId.toLowerCase();
    const counters = this.perSubscription.get(sub) ?? emptyCounters();
    this.perSubscription.set(sub, counters);
    counters[type]++;
    this.totals[type]++;
    if (!this.limits) {
      return { type, headers: {} };
    }
    const limit = this.limits[type];
    const key = `${sub}|${principalId.toLowerCase()}|${type}`;
    const t = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: t };
    // The sandbox clock only moves forward; guard anyway so a bucket never drains by itself.
    const elapsed = Math.max(0, t - bucket.at) / 1000;
    bucket.tokens = Math.min(limit.burst, bucket.tokens + elapsed * limit.refillPerSecond);
    bucket.at = t;
    this.buckets.set(key, bucket);
    const header = `x-ms-ratelimit-remaining-subscription-${type}`;
    if (bucket.tokens < 1) {
      counters.throttled++;
      this.totals.throttled++;
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.refillPerSecond));
      const kind = type === 'reads' ? 'read' : type === 'writes' ? 'write' : 'delete';
      const error = Object.assign(
        new ArmError(
          429,
          'SubscriptionRequestsThrottled',
          `Number of '${kind}' requests for subscription '${subscriptionId}' actor '${principalId}' exceeded the limit (bucket ${limit.burst}, refill ${limit.refillPerSecond} per second). Please try again after '${retryAfter}' seconds. For more information, see https://aka.ms/armthrottling`,
        ),
        { retryAfter },
      );
      return { type, headers: { [header]: '0' }, error };
    }
    bucket.tokens -= 1;
    return { type, headers: { [header]: String(Math.floor(bucket.tokens)) } };
  }

  stats(): ThrottleStats {
    return {
      enabled: this.enabled,
      limits: this.limits ? { reads: { ...this.limits.reads }, writes: { ...this.limits.writes }, deletes: { ...this.limits.deletes } } : null,
      arm: { ...this.totals },
      subscriptions: Object.fromEntries([...this.perSubscription.entries()].map(([k, v]) => [k, { ...v }])),
    };
  }

  /** Zeroes the counters (buckets keep their tokens). */
  resetCounters(): void {
    this.totals = emptyCounters();
    this.perSubscription = new Map();
  }

  /** Fills every bucket again (for tests and benches that want a clean start). */
  refillAll(): void {
    this.buckets.clear();
  }
}
