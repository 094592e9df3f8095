/**
 * Example files (`{parameters, responses}` as in azure-rest-api-specs) turned into requests:
 * path from the operation's template and the example's parameters, query parameters (the
 * targeted api-version replaces the example's), and the body parameter.
 *
 * Substitutions let a replay swap example values for ones that exist in the target (subscription
 * ids, invitation ids, data set ids, storage account names...): `exact` replaces whole string
 * values (path parameters, body strings), `substring` also inside longer strings (resource ids,
 * $filter expressions).
 */
import * as fs from 'node:fs';
import type { Operation } from './swagger';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface ExampleFile {
  parameters: Record<string, any>;
  responses: Record<string, { body?: unknown; headers?: Record<string, unknown> }>;
}

export interface Substitution {
  from: string;
  to: string;
  mode: 'exact' | 'substring';
}

export interface BuiltRequest {
  method: string;
  /** Path with the query string (api-version first). */
  url: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** Example parameters that the request used, after substitution. */
  params: Record<string, unknown>;
}

export function loadExample(file: string): ExampleFile {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as ExampleFile;
  if (!raw || typeof raw !== 'object' || !raw.parameters || !raw.responses) throw new Error(`${file} is not an example file (no parameters/responses)`);
  return raw;
}

export function substituteString(value: string, subs: Substitution[]): string {
  let out = value;
  for (const s of subs) {
    if (s.mode === 'exact') {
      if (out === s.from) out = s.to;
    } else if (s.from && out.toLowerCase().includes(s.from.toLowerCase())) {
      out = out.split(new RegExp(escapeRegExp(s.from), 'gi')).join(s.to);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function substituteDeep(value: unknown, subs: Substitution[]): unknown {
  if (typeof value === 'string') return substituteString(value, subs);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, subs));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteDeep(v, subs);
    return out;
  }
  return value;
}

/** The example's value for a swagger parameter (`$filter` is written `filter` or `$filter` in examples). */
export function exampleParam(example: ExampleFile, name: string): unknown {
  const params = example.parameters;
  if (name in params) return params[name];
  const bare = name.replace(/^\$/, '').toLowerCase();
  const k = Object.keys(params).find((x) => x.replace(/^\$/, '').toLowerCase() === bare);
  return k === undefined ? undefined : params[k];
}

export interface BuildOptions {
  apiVersion: string;
  substitutions?: Substitution[];
  /** Parameter values that win over the example's (after substitution), by swagger parameter name. */
  overrides?: Record<string, unknown>;
  /** Last word on the body (e.g. move dates into the future). */
  transformBody?: (body: unknown) => unknown;
}

export function buildRequest(op: Operation, example: ExampleFile, opts: BuildOptions): BuiltRequest {
  const subs = opts.substitutions ?? [];
  const params: Record<string, unknown> = {};
  const value = (name: string): unknown => {
    if (opts.overrides && name in opts.overrides) return opts.overrides[name];
    const v = exampleParam(example, name);
    return v === undefined ? undefined : substituteDeep(v, subs);
  };
  const [template, templateQuery] = op.pathTemplate.split('?');
  let path = template;
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const v = value(p.name);
    if (v === undefined) {
      if (p.required) throw new Error(`example has no value for path parameter '${p.name}' of ${op.operationId}`);
      continue;
    }
    params[p.name] = v;
    const s = String(v);
    path = path.split(`{${p.name}}`).join(p['x-ms-skip-url-encoding'] ? s : encodeURIComponent(s));
  }
  const query: Record<string, string> = {};
  for (const p of op.parameters.filter((x) => x.in === 'query')) {
    if (p.name === 'api-version') {
      query['api-version'] = opts.apiVersion;
      continue;
    }
    const v = value(p.name);
    if (v === undefined || v === null) continue;
    params[p.name] = v;
    query[p.name] = String(v);
  }
  if (templateQuery) {
    for (const part of templateQuery.split('&')) {
      const [k, v = ''] = part.split('=');
      if (k) query[k] = v;
    }
  }
  let body: unknown;
  const bodyParam = op.parameters.find((x) => x.in === 'body');
  if (bodyParam) {
    body = value(bodyParam.name);
    if (body !== undefined) params[bodyParam.name] = body;
  }
  if (opts.transformBody && body !== undefined) body = opts.transformBody(body);
  const qs = new URLSearchParams();
  qs.set('api-version', query['api-version'] ?? opts.apiVersion);
  for (const [k, v] of Object.entries(query)) if (k !== 'api-version') qs.set(k, v);
  return { method: op.method, url: `${path}?${qs.toString()}`, path, query, body, params };
}
