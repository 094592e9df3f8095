/**
 * The replay engine: discovers the examples of a suite (spec + examples folder + not-served table),
 * orders them, runs each one's setup hook, sends the example's request to the target over HTTPS,
 * follows long-running operations, and checks the answer against the example (status + shape) and
 * against the swagger (response schema).
 *
 * A suite is pluggable: Data Share today; Purview data map / scanning / Purview ARM can add their
 * own `ExampleSuite` (spec file, examples folder, base URL per example, setup hooks) and reuse all
 * of this.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareShape } from './compare';
import { type BuiltRequest, type ExampleFile, type Substitution, buildRequest, loadExample } from './example';
import { type HttpResponse, type LroOutcome, httpRequest, pollLro } from './http';
import { type Operation, SwaggerSpec } from './swagger';
import { Validator } from './validate';

export interface ReplayTarget {
  armEndpoint: string;
  ca?: string | Buffer;
  /** A bearer token for the target's ARM (or data plane, by `audience`) in `tenantId`. */
  getToken(tenantId: string, audience?: string): Promise<string>;
}

export interface ReplayCase {
  suite: string;
  /** Absolute path of the example file. */
  file: string;
  /** File name without `.json`, e.g. `Accounts_Create`. */
  name: string;
  operation: Operation;
  title: string;
  example: ExampleFile;
}

/** What a setup hook decides for one example. */
export interface CasePlan {
  tenantId: string;
  /**
   * Base URL of the request, used as is (default: the target's ARM endpoint, or the spec's
   * `x-ms-parameterized-host` filled from `hostParams`). The spec's `basePath` is appended.
   */
  baseUrl?: string;
  /** Values for the spec's x-ms-parameterized-host template, e.g. `{endpoint: 'https://127.0.0.1:8443/purview/acct'}`. */
  hostParams?: Record<string, string>;
  /** Token audience (default ARM). */
  audience?: string;
  substitutions?: Substitution[];
  /** Parameter values that win over the example's, by swagger parameter name (e.g. `$filter`). */
  overrides?: Record<string, unknown>;
  transformBody?: (body: unknown) => unknown;
  /** For long-running answers: the final status the operation must reach (default: Succeeded). `any` accepts every end. */
  expectLro?: 'Succeeded' | 'Failed' | 'any';
  /** Extra checks after the replay (e.g. that a snapshot really copied files); returns problems. */
  verify?: (result: ReplayResult) => Promise<string[]>;
}

export interface ExampleSuite<W> {
  name: string;
  specFile: string;
  examplesDir: string;
  /** The api-version sent on every request (older values inside examples are not asserted). */
  apiVersion: string;
  /** Accept response properties the swagger does not declare (default false: they are problems). */
  allowUndeclared?: boolean;
  /** JSON table `{ "<suite>": { "<file>.json": "reason" } }` of examples not replayed. */
  notServedFile: string;
  createWorld(target: ReplayTarget): W;
  /**
   * For example files the spec's x-ms-examples do not reference (renamed copies, examples of a
   * newer spec version): name the operation they exercise. Return undefined to report the file.
   */
  resolveOperation?(fileName: string, spec: SwaggerSpec): { operation: Operation; title: string } | undefined;
  /** Lower runs first; default `defaultOrder`. */
  order?(c: ReplayCase): number;
  setup(c: ReplayCase, world: W): Promise<CasePlan>;
}

export interface NotServed {
  file: string;
  reason: string;
  /** True when the file is referenced by the spec but absent from the examples folder. */
  missingFile: boolean;
}

export interface Discovery {
  spec: SwaggerSpec;
  cases: ReplayCase[];
  notServed: NotServed[];
  /** Problems with the table itself (entries for files that do not exist, missing files without an entry). */
  tableProblems: string[];
}

export function readNotServed(file: string, suite: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  return all[suite] ?? {};
}

/** Creates before reads before actions, deletes last (children before parents). */
export function defaultOrder(c: ReplayCase): number {
  const depth = c.operation.pathTemplate.split('?')[0].split('/').filter(Boolean).length;
  switch (c.operation.method) {
    case 'PUT':
      return 100 + depth;
    case 'GET':
    case 'PATCH':
      return 200 + depth;
    case 'POST':
      return 300 + depth;
    case 'DELETE':
      return 900 - depth;
    default:
      return 500;
  }
}

export function discover<W>(suite: ExampleSuite<W>): Discovery {
  const spec = SwaggerSpec.load(suite.specFile);
  const table = readNotServed(suite.notServedFile, suite.name);
  const tableKeys = new Map(Object.keys(table).map((k) => [k.toLowerCase(), k]));
  const present = fs.existsSync(suite.examplesDir) ? fs.readdirSync(suite.examplesDir).filter((f) => f.toLowerCase().endsWith('.json')).sort() : [];
  const presentLower = new Set(present.map((f) => f.toLowerCase()));
  const cases: ReplayCase[] = [];
  const notServed: NotServed[] = [];
  const tableProblems: string[] = [];
  for (const f of present) {
    const reason = table[tableKeys.get(f.toLowerCase()) ?? ''];
    if (reason !== undefined) {
      notServed.push({ file: f, reason, missingFile: false });
      continue;
    }
    const found = spec.operationForExample(f) ?? suite.resolveOperation?.(f, spec);
    if (!found) {
      tableProblems.push(`${f} is in ${suite.examplesDir} but no operation of ${path.basename(suite.specFile)} references it; add it to ${path.basename(suite.notServedFile)} with a reason.`);
      continue;
    }
    const file = path.join(suite.examplesDir, f);
    cases.push({ suite: suite.name, file, name: f.replace(/\.json$/i, ''), operation: found.operation, title: found.title, example: loadExample(file) });
  }
  for (const ref of spec.referencedExamples()) {
    const base = path.basename(ref.file);
    if (presentLower.has(base.toLowerCase())) continue;
    const reason = table[tableKeys.get(base.toLowerCase()) ?? ''];
    if (reason === undefined) {
      tableProblems.push(`${base} (${ref.operationId}) is referenced by the spec but not in ${suite.examplesDir}; list it in ${path.basename(suite.notServedFile)}.`);
    } else {
      notServed.push({ file: base, reason, missingFile: true });
    }
  }
  for (const k of Object.keys(table)) {
    const inFolder = presentLower.has(k.toLowerCase());
    const referenced = spec.referencedExamples().some((r) => path.basename(r.file).toLowerCase() === k.toLowerCase());
    if (!inFolder && !referenced) tableProblems.push(`${path.basename(suite.notServedFile)} lists ${k}, which is neither in the examples folder nor referenced by the spec; remove the entry.`);
  }
  const order = suite.order ?? defaultOrder;
  cases.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  return { spec, cases, notServed, tableProblems };
}

export function formatNotServed(suite: string, list: NotServed[]): string {
  if (list.length === 0) return `${suite}: every example is replayed.`;
  const w = Math.max(...list.map((n) => n.file.length));
  return [`${suite}: ${list.length} example(s) not replayed:`, ...list.map((n) => `  ${n.file.padEnd(w)}  ${n.missingFile ? '[file absent] ' : ''}${n.reason}`)].join('\n');
}

export interface ReplayResult {
  name: string;
  operationId: string;
  request: BuiltRequest & { absoluteUrl: string };
  status: number;
  expectedStatuses: string[];
  body: unknown;
  headers: Record<string, string>;
  /** Failures: any entry fails the example. */
  problems: string[];
  /** Information: extra keys, LRO outcome. */
  notes: string[];
  lro?: LroOutcome;
}

export class Replayer {
  readonly validator: Validator;
  constructor(readonly spec: SwaggerSpec, readonly target: ReplayTarget, readonly apiVersion: string, readonly options: { allowUndeclared?: boolean } = {}) {
    this.validator = new Validator(spec);
  }

  /** Where requests go: plan.baseUrl, or the parameterized host filled from hostParams, or ARM; then basePath. */
  baseUrl(plan: CasePlan): string {
    const root = this.spec.root;
    const host = root['x-ms-parameterized-host'] as { hostTemplate?: string } | undefined;
    let base = plan.baseUrl;
    if (base === undefined && host?.hostTemplate && plan.hostParams) {
      base = host.hostTemplate.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const v = plan.hostParams![name];
        if (v === undefined) throw new Error(`no value for host parameter '${name}' of ${host.hostTemplate}`);
        return v.replace(/\/+$/, '');
      });
    }
    base = (base ?? this.target.armEndpoint).replace(/\/+$/, '');
    const basePath = typeof root.basePath === 'string' && root.basePath !== '/' ? root.basePath.replace(/\/+$/, '') : '';
    return `${base}${basePath}`;
  }

  async run(c: ReplayCase, plan: CasePlan): Promise<ReplayResult> {
    const op = c.operation;
    const req = buildRequest(op, c.example, { apiVersion: this.apiVersion, substitutions: plan.substitutions, overrides: plan.overrides, transformBody: plan.transformBody });
    const absoluteUrl = `${this.baseUrl(plan)}${req.url}`;
    const token = await this.target.getToken(plan.tenantId, plan.audience);
    const problems: string[] = [];
    const notes: string[] = [];

    // Requests must satisfy the spec too (a broken example or substitution shows up here, not as a 400).
    const bodyParam = op.parameters.find((p) => p.in === 'body');
    if (bodyParam?.schema && req.body !== undefined) {
      for (const i of this.validator.validate(bodyParam.schema, req.body, { mode: 'request', allowUndeclared: true })) {
        notes.push(`request body ${i.path}: ${i.message}`);
      }
    }

    const res: HttpResponse = await httpRequest(absoluteUrl, { method: req.method, headers: { authorization: `Bearer ${token}` }, body: req.body, ca: this.target.ca });
    const expectedStatuses = Object.keys(c.example.responses);
    const result: ReplayResult = { name: c.name, operationId: op.operationId, request: { ...req, absoluteUrl }, status: res.status, expectedStatuses, body: res.body, headers: res.headers, problems, notes };

    if (!expectedStatuses.includes(String(res.status))) {
      const err = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
      problems.push(`status ${res.status} is not among the example's statuses (${expectedStatuses.join(', ')})${err ? `: ${err.code}: ${err.message}` : res.text ? `: ${res.text.slice(0, 300)}` : ''}`);
      return result;
    }

    const spec = op.responses[String(res.status)] ?? op.responses.default;
    const expected = c.example.responses[String(res.status)];
    if (spec?.schema) {
      if (res.body === undefined) {
        problems.push(`status ${res.status} should carry a ${spec.schema.schema.$ref ?? 'JSON'} body, the response has none`);
      } else {
        for (const i of this.validator.validate(spec.schema, res.body, { mode: 'response', allowUndeclared: this.options.allowUndeclared })) problems.push(`swagger ${i.path}: ${i.message}`);
      }
    } else if (res.body !== undefined && res.text.trim().length > 0) {
      notes.push(`status ${res.status} has no schema in the swagger; the response still carried a body`);
    }
    if (expected?.body !== undefined) {
      if (res.body === undefined) {
        problems.push(`the example's ${res.status} response has a body, the actual response has none`);
      } else {
        const shape = compareShape(expected.body, res.body, this.validator, spec?.schema);
        for (const d of shape.differences) problems.push(`shape ${d.path}: ${d.message}`);
        if (shape.extra.length) notes.push(`keys beyond the example (declared by the swagger): ${shape.extra.join(', ')}`);
      }
    }

    // Long-running operations: follow them to the end, as a client would.
    const isLroAnswer = (res.status === 201 || res.status === 202) && (res.headers['azure-asyncoperation'] || res.headers.location);
    if (isLroAnswer) {
      const outcome = await pollLro(res, { token, ca: this.target.ca });
      result.lro = outcome;
      notes.push(`long-running operation ended ${outcome.status} after ${outcome.polls} poll(s)${outcome.error ? ` (${outcome.error.code}: ${outcome.error.message})` : ''}`);
      const want = plan.expectLro ?? 'Succeeded';
      if (want !== 'any' && outcome.status !== want) problems.push(`the long-running operation ended ${outcome.status}, expected ${want}${outcome.error ? `: ${outcome.error.code}: ${outcome.error.message}` : ''}`);
      const finalSpec = op.responses['200']?.schema;
      if (outcome.status === 'Succeeded' && outcome.result !== undefined && finalSpec && op.method !== 'DELETE') {
        for (const i of this.validator.validate(finalSpec, outcome.result, { mode: 'response', allowUndeclared: this.options.allowUndeclared })) problems.push(`swagger (final result) ${i.path}: ${i.message}`);
      }
    }
    if (plan.verify && problems.length === 0) problems.push(...(await plan.verify(result)));
    return result;
  }
}

export function describeResult(r: ReplayResult): string {
  return [
    `${r.name} (${r.operationId}): ${r.request.method} ${r.request.url} -> ${r.status}`,
    ...r.problems.map((p) => `  PROBLEM ${p}`),
    ...r.notes.map((n) => `  note ${n}`),
    ...(r.problems.length ? [`  response body: ${JSON.stringify(r.body)?.slice(0, 2000)}`] : []),
  ].join('\n');
}
