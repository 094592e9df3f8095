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
import { type Issue, Validator } from './validate';

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
  /**
   * Response fields of the example that the target does not serve (Azure-only), by JSON path
   * (`$.properties.secondaryLocation`, `$.value[0].properties.geoReplicationStats`), with the
   * reason: they are left out of the shape comparison and reported, never silently.
   */
  unservedFields?: Record<string, string>;
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
  /** More swagger files of the same service whose operations the examples also exercise. */
  extraSpecFiles?: string[];
  examplesDir: string;
  /** The api-version sent on every request (older values inside examples are not asserted). */
  apiVersion: string;
  /** Accept response properties the swagger does not declare (default false: they are problems). */
  allowUndeclared?: boolean;
  /**
   * Response properties the target returns (as Azure does) that the targeted swagger does not
   * declare, by JSON path (`[*]` or `[0]` for any element), with the reason: their "not declared"
   * problems become notes. Narrower than `allowUndeclared`.
   */
  undeclared?: Record<string, string>;
  /**
   * JSON table `{ "<suite>": { "<file>.json": "reason" } }` of examples not replayed. An entry may
   * instead be `{ "fields": { "<JSON path>": "reason" } }`: the example is replayed, but those
   * response fields (Azure-only) are not asserted.
   */
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

export interface UnservedField {
  file: string;
  path: string;
  reason: string;
}

export interface Discovery {
  spec: SwaggerSpec;
  cases: ReplayCase[];
  notServed: NotServed[];
  /** Response fields of replayed examples that are not asserted, with their reasons. */
  unservedFields: UnservedField[];
  /** Problems with the table itself (entries for files that do not exist, missing files without an entry). */
  tableProblems: string[];
}

export type NotServedEntry = string | { fields: Record<string, string> };

export function readNotServed(file: string, suite: string): Record<string, NotServedEntry> {
  if (!fs.existsSync(file)) return {};
  const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, NotServedEntry>>;
  return all[suite] ?? {};
}

/** Parses `$.a.b[0]['c-d']` into keys and indexes; undefined when the path is malformed. */
export function parseJsonPath(p: string): (string | number)[] | undefined {
  if (!p.startsWith('$')) return undefined;
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$@-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < p.length) {
    const m = re.exec(p);
    if (!m) return undefined;
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3].replace(/\\(.)/g, '$1')));
  }
  return out;
}

/** Deletes the value at `segments` from `root` (in place); true when there was one. */
function deleteAt(root: unknown, segments: (string | number)[]): boolean {
  let node: unknown = root;
  for (let i = 0; i < segments.length - 1; i++) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[segments[i]];
  }
  const last = segments[segments.length - 1];
  if (node === null || typeof node !== 'object' || !(last in (node as object))) return false;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete (node as Record<string | number, unknown>)[last];
  return true;
}

/** A copy of an example body without the unserved fields. */
export function withoutFields(body: unknown, paths: string[]): unknown {
  if (body === undefined || paths.length === 0) return body;
  const copy = JSON.parse(JSON.stringify(body)) as unknown;
  for (const p of paths) {
    const segs = parseJsonPath(p);
    if (segs && segs.length > 0) deleteAt(copy, segs);
  }
  return copy;
}

/** True when `issuePath` is `pattern` or lies under it; array indexes match any index (`[0]`, `[*]`). */
export function underPath(issuePath: string, pattern: string): boolean {
  const norm = (p: string) => p.replace(/\[(\d+|\*)\]/g, '[*]');
  const a = norm(issuePath);
  const b = norm(pattern);
  return a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
}

function hasPath(body: unknown, segments: (string | number)[]): boolean {
  let node = body;
  for (const s of segments) {
    if (node === null || typeof node !== 'object' || !(s in (node as object))) return false;
    node = (node as Record<string | number, unknown>)[s];
  }
  return true;
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
  const spec = SwaggerSpec.load(suite.specFile, suite.extraSpecFiles ?? []);
  const table = readNotServed(suite.notServedFile, suite.name);
  const tableKeys = new Map(Object.keys(table).map((k) => [k.toLowerCase(), k]));
  const present = fs.existsSync(suite.examplesDir) ? fs.readdirSync(suite.examplesDir).filter((f) => f.toLowerCase().endsWith('.json')).sort() : [];
  const presentLower = new Set(present.map((f) => f.toLowerCase()));
  const cases: ReplayCase[] = [];
  const notServed: NotServed[] = [];
  const unservedFields: UnservedField[] = [];
  const tableProblems: string[] = [];
  const specNames = spec.roots.map((r) => path.basename(r)).join(' / ');
  for (const f of present) {
    const entry = table[tableKeys.get(f.toLowerCase()) ?? ''];
    if (typeof entry === 'string') {
      notServed.push({ file: f, reason: entry, missingFile: false });
      continue;
    }
    const found = spec.operationForExample(f) ?? suite.resolveOperation?.(f, spec);
    if (!found) {
      tableProblems.push(`${f} is in ${suite.examplesDir} but no operation of ${specNames} references it; add it to ${path.basename(suite.notServedFile)} with a reason.`);
      continue;
    }
    const file = path.join(suite.examplesDir, f);
    const example = loadExample(file);
    const c: ReplayCase = { suite: suite.name, file, name: f.replace(/\.json$/i, ''), operation: found.operation, title: found.title, example };
    if (entry !== undefined) {
      const fields = entry && typeof entry === 'object' && entry.fields && typeof entry.fields === 'object' ? entry.fields : undefined;
      if (!fields || Object.keys(fields).length === 0) {
        tableProblems.push(`${path.basename(suite.notServedFile)}: the entry for ${f} must be a reason (string) or { "fields": { "<JSON path>": "reason" } }.`);
      } else {
        for (const [p, reason] of Object.entries(fields)) {
          const segs = parseJsonPath(p);
          const bodies = Object.values(example.responses).map((r) => r.body);
          if (!segs || segs.length === 0) tableProblems.push(`${path.basename(suite.notServedFile)}: '${p}' (${f}) is not a JSON path such as $.properties.name or $.value[0].id.`);
          else if (!bodies.some((b) => hasPath(b, segs))) tableProblems.push(`${path.basename(suite.notServedFile)} lists field ${p} of ${f}, which no response of the example has; remove it.`);
          unservedFields.push({ file: f, path: p, reason });
        }
        c.unservedFields = fields;
      }
    }
    cases.push(c);
  }
  for (const ref of spec.referencedExamples()) {
    const base = path.basename(ref.file);
    if (presentLower.has(base.toLowerCase())) continue;
    const reason = table[tableKeys.get(base.toLowerCase()) ?? ''];
    if (typeof reason === 'object') {
      tableProblems.push(`${path.basename(suite.notServedFile)} lists fields of ${base}, which is not in ${suite.examplesDir}; give a reason (string) instead.`);
      continue;
    }
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
  return { spec, cases, notServed, unservedFields, tableProblems };
}

export function formatNotServed(suite: string, list: NotServed[], fields: UnservedField[] = []): string {
  const lines: string[] = [];
  if (list.length === 0) lines.push(`${suite}: every example is replayed.`);
  else {
    const w = Math.max(...list.map((n) => n.file.length));
    lines.push(`${suite}: ${list.length} example(s) not replayed:`, ...list.map((n) => `  ${n.file.padEnd(w)}  ${n.missingFile ? '[file absent] ' : ''}${n.reason}`));
  }
  if (fields.length > 0) {
    lines.push(`${suite}: ${fields.length} response field(s) of replayed examples not asserted:`, ...fields.map((f) => `  ${f.file} ${f.path}: ${f.reason}`));
  }
  return lines.join('\n');
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
  constructor(readonly spec: SwaggerSpec, readonly target: ReplayTarget, readonly apiVersion: string, readonly options: { allowUndeclared?: boolean; undeclared?: Record<string, string> } = {}) {
    this.validator = new Validator(spec);
  }

  /**
   * Swagger problems, minus the documented exceptions (moved to notes): anything at a response
   * field the case does not serve, and "not declared" at a path the suite documents.
   */
  private swaggerIssues(c: ReplayCase, issues: Issue[], label: string, problems: string[], notes: string[]): void {
    const unserved = Object.keys(c.unservedFields ?? {});
    const undeclared = Object.keys(this.options.undeclared ?? {});
    for (const i of issues) {
      const excused = unserved.some((p) => underPath(i.path, p)) || (/is not declared/.test(i.message) && undeclared.some((p) => underPath(i.path, p)));
      (excused ? notes : problems).push(`${label} ${i.path}: ${i.message}${excused ? ' (documented exception)' : ''}`);
    }
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
        this.swaggerIssues(c, this.validator.validate(spec.schema, res.body, { mode: 'response', allowUndeclared: this.options.allowUndeclared }), 'swagger', problems, notes);
      }
    } else if (res.body !== undefined && res.text.trim().length > 0) {
      notes.push(`status ${res.status} has no schema in the swagger; the response still carried a body`);
    }
    if (expected?.body !== undefined) {
      if (res.body === undefined) {
        problems.push(`the example's ${res.status} response has a body, the actual response has none`);
      } else {
        const skipped = Object.keys(c.unservedFields ?? {});
        if (skipped.length > 0) notes.push(`not asserted (not served, see ${c.suite} in not-served.json): ${skipped.join(', ')}`);
        const shape = compareShape(withoutFields(expected.body, skipped), res.body, this.validator, spec?.schema);
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
        this.swaggerIssues(c, this.validator.validate(finalSpec, outcome.result, { mode: 'response', allowUndeclared: this.options.allowUndeclared }), 'swagger (final result)', problems, notes);
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
