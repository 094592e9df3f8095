/**
 * Microsoft.Authorization: built-in role definitions and role assignments at any scope
 * (api 2022-04-01, what @azure/arm-authorization 9.0.0 sends). Assignments are enforced by the core
 * on every ARM call (see core/rbac.ts).
 */
import { ArmError, type Principal, type ResourceProvider, type SandboxContext, type SandboxRequest } from '../core/contract';
import { paginate } from '../core/arm';
import { internals } from '../core/server';
import { authorizationFailed, builtInRole, BUILT_IN_ROLES, normalizeScope, roleGuidOf, scopeContains, type RoleAssignmentResource, type RoleDefinition } from '../core/rbac';
import { bodyObject, callerOf, isGuid, propertiesOf } from './common';

export const AUTHORIZATION_API_VERSIONS = ['2015-07-01', '2018-01-01-preview', '2018-09-01-preview', '2020-04-01-preview', '2020-08-01-preview', '2020-10-01-preview', '2022-01-01-preview', '2022-04-01', '2022-05-01-preview'];

const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];

function scopeFromParam(raw: string | undefined): string {
  return normalizeScope(raw ?? '');
}

function subscriptionOfScope(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
}

function roleDefinitionView(role: RoleDefinition, scope: string) {
  const sub = subscriptionOfScope(scope);
  const prefix = sub ? `/subscriptions/${sub}` : '';
  return {
    id: `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
    name: role.guid,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: role.roleName,
      type: 'BuiltInRole',
      description: role.description,
      assignableScopes: ['/'],
      permissions: [{ actions: role.actions, notActions: role.notActions, dataActions: role.dataActions, notDataActions: role.notDataActions }],
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2021-11-11T20:13:47.8628684Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** Checks the caller may do `action` at `scope` when the core did not (scopes outside a subscription). */
function requireAllowed(ctx: SandboxContext, principal: Principal, action: string, scope: string): void {
  if (!ctx.authorization.isAllowed(principal.objectId, action, scope)) {
    throw authorizationFailed(principal, action, scope);
  }
}

function assignmentId(scope: string, name: string): string {
  return `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** Assignments visible to the caller: in their tenant's subscriptions (or the root). */
function tenantAssignments(ctx: SandboxContext, principal: Principal): RoleAssignmentResource[] {
  const subs = new Set(
    internals(ctx)
      .directory.subscriptions(principal.tenantId)
      .map((s) => s.subscriptionId.toLowerCase()),
  );
  return internals(ctx)
    .authorization.assignments()
    .filter((a) => {
      const sub = subscriptionOfScope(a.properties.scope);
      return sub ? subs.has(sub.toLowerCase()) : true;
    });
}

/** `$filter` forms ARM accepts on role assignment lists: `atScope()`, `principalId eq '…'`, `assignedTo('…')`, combined with `and`. */
function filterAssignments(req: SandboxRequest, scope: string, all: RoleAssignmentResource[]): RoleAssignmentResource[] {
  const filter = req.query.get('$filter') ?? '';
  const atScope = /atScope\(\)/i.test(filter);
  const principal = /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1] ?? /assignedTo\('([^']+)'\)/i.exec(filter)?.[1];
  const unknown = filter
    .replace(/atScope\(\)/gi, '')
    .replace(/principalId\s+eq\s+'[^']+'/gi, '')
    .replace(/assignedTo\('[^']+'\)/gi, '')
    .replace(/\band\b/gi, '')
    .trim();
  if (unknown) {
    throw new ArmError(400, 'UnsupportedQuery', `The filter '${filter}' is not supported. Supported filters: 'atScope()', 'principalId eq {id}', 'assignedTo({id})', combined with 'and'.`);
  }
  return all.filter((a) => {
    const s = a.properties.scope;
    const above = scopeContains(s, scope);
    const below = scopeContains(scope, s);
    if (atScope ? !above : !(above || below)) {
      return false;
    }
    return !principal || a.properties.principalId.toLowerCase() === principal.toLowerCase();
  });
}

const RA = '/{*scope}/providers/Microsoft.Authorization/roleAssignments';
const RD = '/{*scope}/providers/Microsoft.Authorization/roleDefinitions';

export const authorizationProvider: ResourceProvider = {
  namespace: 'Microsoft.Authorization',
  routes: [
    // Built-in role definitions are readable by anyone signed in (they are the same everywhere).
    {
      methods: ['GET'],
      pattern: RD,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      authorize: false,
      handler: (req, p) => {
        const scope = scopeFromParam(p.scope);
        const filter = req.query.get('$filter') ?? '';
        const roleName = /roleName\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
        const type = /type\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
        let roles = BUILT_IN_ROLES;
        if (roleName !== undefined) {
          roles = roles.filter((r) => r.roleName.toLowerCase() === roleName.toLowerCase());
        }
        if (type !== undefined && type.toLowerCase() !== 'builtinrole') {
          roles = [];
        }
        return { status: 200, body: paginate(req, roles.map((r) => roleDefinitionView(r, scope))) };
      },
    },
    {
      methods: ['GET'],
      pattern: `${RD}/{roleDefinitionId}`,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      authorize: false,
      handler: (_req, p) => {
        const role = builtInRole(p.roleDefinitionId);
        if (!role) {
          throw new ArmError(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${p.roleDefinitionId}' does not exist.`);
        }
        return { status: 200, body: roleDefinitionView(role, scopeFromParam(p.scope)) };
      },
    },

    // ---- role assignments ----
    {
      methods: ['GET'],
      pattern: RA,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        const scope = scopeFromParam(p.scope);
        if (!subscriptionOfScope(scope)) {
          requireAllowed(ctx, caller, 'Microsoft.Authorization/roleAssignments/read', scope);
        }
        const found = filterAssignments(req, scope, tenantAssignments(ctx, caller));
        return { status: 200, body: paginate(req, found) };
      },
    },
    {
      methods: ['GET'],
      pattern: `${RA}/{roleAssignmentName}`,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const scope = scopeFromParam(p.scope);
        if (!subscriptionOfScope(scope)) {
          requireAllowed(ctx, callerOf(req), 'Microsoft.Authorization/roleAssignments/read', scope);
        }
        const found = ctx.store.get<RoleAssignmentResource>('roleAssignments', assignmentId(scope, p.roleAssignmentName));
        if (!found) {
          throw new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${p.roleAssignmentName}' is not found.`);
        }
        return { status: 200, body: found };
      },
    },
    {
      methods: ['PUT'],
      pattern: `${RA}/{roleAssignmentName}`,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        const scope = scopeFromParam(p.scope);
        const name = p.roleAssignmentName;
        const id = assignmentId(scope, name);
        if (!subscriptionOfScope(scope)) {
          requireAllowed(ctx, caller, 'Microsoft.Authorization/roleAssignments/write', id);
        }
        if (!isGuid(name)) {
          throw new ArmError(400, 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
        }
        // The scope must exist (resource groups are checked by the core; resources here).
        if (/\/providers\//i.test(scope) && !ctx.store.get('resources', scope)) {
          throw new ArmError(404, 'ResourceNotFound', `The Resource '${scope}' was not found. Create it before assigning roles on it.`);
        }
        const props = propertiesOf(bodyObject(req));
        const roleDefinitionId = String(props.roleDefinitionId ?? '');
        const principalId = String(props.principalId ?? '');
        if (!roleDefinitionId) {
          throw new ArmError(400, 'InvalidRequestContent', "The request content is missing the required property 'properties.roleDefinitionId'.");
        }
        if (!principalId) {
          throw new ArmError(400, 'InvalidRequestContent', "The request content is missing the required property 'properties.principalId'.");
        }
        const role = builtInRole(roleGuidOf(roleDefinitionId));
        if (!role || !/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[^/]+$/i.test(roleDefinitionId)) {
          throw new ArmError(400, 'InvalidRoleDefinitionId', `The role definition ID '${roleDefinitionId}' is not valid. Look it up with GET {scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq '<name>'.`);
        }
        const sub = subscriptionOfScope(scope);
        const tenantId = (sub ? ctx.resources.subscription(sub)?.tenantId : undefined) ?? caller.tenantId;
        const principal = ctx.directory.object(principalId);
        if (!principal || principal.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
          throw new ArmError(
            400,
            'PrincipalNotFound',
            `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
          );
        }
        const principalType = String(props.principalType ?? (principal.kind === 'User' ? 'User' : 'ServicePrincipal'));
        if (!PRINCIPAL_TYPES.includes(principalType)) {
          throw new ArmError(400, 'InvalidPrincipalType', `The principal type '${principalType}' is not valid. Use one of: ${PRINCIPAL_TYPES.join(', ')}.`);
        }
        const existing = ctx.store.get<RoleAssignmentResource>('roleAssignments', id);
        if (existing) {
          const same = existing.properties.principalId.toLowerCase() === principalId.toLowerCase() && roleGuidOf(existing.properties.roleDefinitionId) === role.guid;
          if (!same) {
            throw new ArmError(409, 'RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
          }
          return { status: 201, body: existing };
        }
        const duplicate = internals(ctx)
          .authorization.assignments()
          .find(
            (a) =>
              normalizeScope(a.properties.scope).toLowerCase() === scope.toLowerCase() &&
              a.properties.principalId.toLowerCase() === principalId.toLowerCase() &&
              roleGuidOf(a.properties.roleDefinitionId) === role.guid,
          );
        if (duplicate) {
          throw new ArmError(409, 'RoleAssignmentExists', `The role assignment already exists. (Existing assignment: ${duplicate.id})`);
        }
        const now = ctx.clock.now().toISOString();
        const ra: RoleAssignmentResource = {
          id,
          name,
          type: 'Microsoft.Authorization/roleAssignments',
          properties: {
            scope,
            roleDefinitionId: `${sub ? `/subscriptions/${sub}` : ''}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
            principalId: principal.objectId,
            principalType,
            description: typeof props.description === 'string' ? props.description : null,
            condition: typeof props.condition === 'string' ? props.condition : null,
            conditionVersion: typeof props.conditionVersion === 'string' ? props.conditionVersion : null,
            createdOn: now,
            updatedOn: now,
            createdBy: caller.objectId,
            updatedBy: caller.objectId,
            delegatedManagedIdentityResourceId: null,
          },
        };
        ctx.store.put('roleAssignments', id, ra);
        return { status: 201, body: ra };
      },
    },
    {
      methods: ['DELETE'],
      pattern: `${RA}/{roleAssignmentName}`,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const scope = scopeFromParam(p.scope);
        const id = assignmentId(scope, p.roleAssignmentName);
        if (!subscriptionOfScope(scope)) {
          requireAllowed(ctx, callerOf(req), 'Microsoft.Authorization/roleAssignments/delete', id);
        }
        const existing = ctx.store.get<RoleAssignmentResource>('roleAssignments', id);
        if (!existing) {
          return { status: 204 };
        }
        ctx.store.delete('roleAssignments', id);
        return { status: 200, body: existing };
      },
    },
  ],
};
