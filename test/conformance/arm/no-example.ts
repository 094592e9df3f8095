/**
 * Operations the flows use for which Azure/azure-rest-api-specs has no example at the copied
 * api-version (ResourceGroups_Get, ResourceGroups_List, Providers_Register), or whose example is
 * absent upstream (RoleDefinitions_List: GetRoleDefinitionAtScope.json, see not-served.json).
 * There is no expected response to compare a shape with, so these are replayed with a request of
 * our own (the one the SDK sends) and only checked against the swagger: the path must match the
 * operation's template, the status must be one the operation declares as a success, and the body
 * must validate against that response's schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { underPath } from '../engine/replay';
import { type Operation, SwaggerSpec } from '../engine/swagger';
import { Validator } from '../engine/validate';
import { API, ROLES, type ArmWorld, armSpecsRoot } from './world';

export interface NoExampleCheck {
  /** Folder under specs/arm and its swagger files (the first is the main one). */
  folder: string;
  specs: string[];
  operationId: string;
  apiVersion: string;
  /** Creates what the request names; answers the path (with its query, without api-version). */
  request: (w: ArmWorld) => Promise<{ method: string; path: string; body?: unknown }>;
  /** Properties Azure returns but the swagger does not declare (JSON paths, `[*]` for any index). */
  undeclared?: string[];
}

const RG = 'conformance-noexample-rg';

export const noExampleChecks: NoExampleCheck[] = [
  {
    folder: 'resources',
    specs: ['resources.json'],
    operationId: 'ResourceGroups_Get',
    apiVersion: API.resources,
    request: async (w) => {
      await w.ensureRg(RG);
      return { method: 'GET', path: w.rgPath(RG) };
    },
  },
  {
    folder: 'resources',
    specs: ['resources.json'],
    operationId: 'ResourceGroups_List',
    apiVersion: API.resources,
    request: async (w) => {
      await w.ensureRg(RG);
      return { method: 'GET', path: `${w.subPath}/resourcegroups` };
    },
  },
  {
    folder: 'resources',
    specs: ['resources.json'],
    operationId: 'Providers_Register',
    apiVersion: API.resources,
    request: (w) => Promise.resolve({ method: 'POST', path: `${w.subPath}/providers/Microsoft.Storage/register` }),
  },
  {
    folder: 'authorization',
    specs: ['authorization-RoleAssignmentsCalls.json', 'authorization-RoleDefinitionsCalls.json'],
    operationId: 'RoleDefinitions_List',
    apiVersion: API.authorization,
    // What AuthorizationApi.findRoleDefinitionByName sends.
    request: (w) => Promise.resolve({ method: 'GET', path: `${w.subPath}/providers/Microsoft.Authorization/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Storage Blob Data Reader'")}` }),
    undeclared: ['createdOn', 'updatedOn', 'createdBy', 'updatedBy'].map((k) => `$.value[*].properties.${k}`),
  },
];

/** `{param}` matches one path segment, or several when the parameter is `x-ms-skip-url-encoding` (a scope); literals case-insensitively. */
function matchesTemplate(op: Operation, p: string): boolean {
  const multi = new Set(op.parameters.filter((x) => x.in === 'path' && x['x-ms-skip-url-encoding']).map((x) => x.name));
  const pattern = op.pathTemplate
    .split('?')[0]
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (m) return multi.has(m[1]) ? '.+' : '[^/]+';
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`, 'i').test(p.split('?')[0]);
}

/** Problems of one check (empty when the sandbox's answer conforms). */
export async function runNoExampleCheck(check: NoExampleCheck, w: ArmWorld): Promise<string[]> {
  const dir = path.join(armSpecsRoot(), check.folder);
  const spec = SwaggerSpec.load(path.join(dir, check.specs[0]), check.specs.slice(1).map((s) => path.join(dir, s)));
  const op = spec.operations.get(check.operationId);
  if (!op) return [`the swagger has no operation ${check.operationId}`];
  const present = Object.values(op.examples).filter((f) => fs.existsSync(f));
  if (present.length > 0) return [`${check.operationId} has official examples (${present.map((f) => path.basename(f)).join(', ')}): replay those instead`];
  const req = await check.request(w);
  const problems: string[] = [];
  if (req.method !== op.method) problems.push(`method ${req.method}, the operation is ${op.method}`);
  if (!matchesTemplate(op, req.path)) problems.push(`path ${req.path} does not match ${op.pathTemplate}`);
  const res = await w.arm(req.method, req.path, req.body, check.apiVersion);
  const declared = op.responses[String(res.status)];
  if (!declared || res.status >= 300) {
    problems.push(`status ${res.status} (the swagger declares ${Object.keys(op.responses).join(', ')}): ${res.text.slice(0, 300)}`);
    return problems;
  }
  if (declared.schema) {
    for (const i of new Validator(spec).validate(declared.schema, res.body, { mode: 'response' })) {
      const excused = /is not declared/.test(i.message) && (check.undeclared ?? []).some((p) => underPath(i.path, p));
      if (!excused) problems.push(`swagger ${i.path}: ${i.message}`);
    }
  }
  if (check.operationId === 'RoleDefinitions_List') {
    const ids = ((res.body as { value?: { name?: string }[] }).value ?? []).map((r) => r.name);
    if (ids.length !== 1 || ids[0] !== ROLES.storageBlobDataReader) problems.push(`the roleName filter found ${JSON.stringify(ids)}, expected [${ROLES.storageBlobDataReader}]`);
  }
  return problems;
}
