/**
 * Thin wrapper over `@azure/arm-authorization` 9 (api 2022-04-01): idempotent role assignments
 * and built-in role lookups.
 */
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { AuthorizationManagementClient, type RoleAssignment, type RoleDefinition } from '@azure/arm-authorization';
import { AzureRequestError, isAbortError, toAzureRequestError } from '../../common/azureErrors';
import type { PagedIterable } from '../core/paging';
import { applyPipelinePolicies, defaultSleep } from '../pipeline';
import { coreClientArmOptions, sdkCall, sdkScope, wrapPaged, type ArmSettings, type OperationOptions } from './common';

export type { RoleAssignment, RoleDefinition };

/** Built-in Azure role definition GUIDs (the same in every tenant). */
export const BUILT_IN_ROLES = {
  StorageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  StorageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  UserAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

export const BUILT_IN_ROLE_NAMES: Record<BuiltInRole, string> = {
  StorageBlobDataReader: 'Storage Blob Data Reader',
  StorageBlobDataContributor: 'Storage Blob Data Contributor',
  Reader: 'Reader',
  Contributor: 'Contributor',
  Owner: 'Owner',
  UserAccessAdministrator: 'User Access Administrator',
};

/** `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}` for a built-in role or GUID. */
export function roleDefinitionId(subscriptionId: string, role: BuiltInRole | string): string {
  const guid = (BUILT_IN_ROLES as Record<string, string>)[role] ?? role;
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** The trailing GUID of a role definition id (lower-case), for comparisons. */
export function roleGuidOf(roleDefinitionIdOrGuid: string): string {
  return (roleDefinitionIdOrGuid.split('/').pop() ?? roleDefinitionIdOrGuid).toLowerCase();
}

/**
 * A stable role-assignment name for (scope, role, principal): re-running a step PUTs the same
 * name, which ARM treats as an idempotent update.
 */
export function roleAssignmentName(scope: string, role: string, principalId: string): string {
  const h = createHash('sha1').update(`${normalizeScope(scope)}|${roleGuidOf(role)}|${principalId.toLowerCase()}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function normalizeScope(scope: string): string {
  return `/${sdkScope(scope)}`.replace(/\/+$/, '').toLowerCase();
}

export interface EnsureRoleAssignmentParams {
  /** Resource id the role applies to, e.g. a storage account id. */
  scope: string;
  /** A built-in role key, a role GUID, or a full role definition id. */
  role: BuiltInRole | string;
  /** Object id of the user, group, service principal or managed identity. */
  principalId: string;
  /** Set it for new managed identities to avoid replication delays (default `ServicePrincipal`). */
  principalType?: 'User' | 'Group' | 'ServicePrincipal' | 'ForeignGroup' | 'Device';
  description?: string;
}

export interface EnsureRoleAssignmentOptions extends OperationOptions {
  /** Retries when the principal is not yet replicated (`PrincipalNotFound`); default 3. */
  principalNotFoundRetries?: number;
  /** Delay between those retries; default 10 s. */
  principalNotFoundDelayInMs?: number;
}

export interface EnsureRoleAssignmentResult {
  /** False when an equivalent assignment already existed. */
  created: boolean;
  assignment?: RoleAssignment;
}

export class AuthorizationApi {
  readonly sdk: AuthorizationManagementClient;

  constructor(
    credential: TokenCredential,
    readonly subscriptionId: string,
    private readonly settings: ArmSettings,
  ) {
    this.sdk = new AuthorizationManagementClient(credential, subscriptionId, coreClientArmOptions(settings));
    applyPipelinePolicies(this.sdk.pipeline, settings);
  }

  /** Full role definition id for `role` (built-in key, GUID, or id passed through). */
  roleDefinitionId(role: BuiltInRole | string): string {
    return role.includes('/') ? role : roleDefinitionId(this.subscriptionId, role);
  }

  /**
   * Creates the role assignment unless an equivalent one exists. Treats 409 `RoleAssignmentExists`
   * as success and retries `PrincipalNotFound` (new managed identities) a few times.
   */
  async ensureRoleAssignment(params: EnsureRoleAssignmentParams, options: EnsureRoleAssignmentOptions = {}): Promise<EnsureRoleAssignmentResult> {
    const roleId = this.roleDefinitionId(params.role);
    const existing = await this.findAssignment(params.scope, roleId, params.principalId, options);
    if (existing) {
      return { created: false, assignment: existing };
    }
    const name = roleAssignmentName(params.scope, roleId, params.principalId);
    const retries = options.principalNotFoundRetries ?? 3;
    const sleep = this.settings.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      try {
        const assignment = await this.sdk.roleAssignments.create(
          sdkScope(params.scope),
          name,
          {
            roleDefinitionId: roleId,
            principalId: params.principalId,
            principalType: params.principalType ?? 'ServicePrincipal',
            ...(params.description ? { description: params.description } : {}),
          },
          { abortSignal: options.abortSignal },
        );
        return { created: true, assignment };
      } catch (e) {
        if (isAbortError(e)) {
          throw e;
        }
        const err = toAzureRequestError(e);
        if (err.code.toLowerCase() === 'roleassignmentexists') {
          return { created: false, assignment: await this.findAssignment(params.scope, roleId, params.principalId, options) };
        }
        if (err.code.toLowerCase() === 'principalnotfound' && attempt < retries) {
          await sleep(options.principalNotFoundDelayInMs ?? 10_000, options.abortSignal);
          continue;
        }
        throw err;
      }
    }
  }

  /** Assignments for a principal at, above or below `scope`. */
  listForPrincipal(scope: string, principalId: string, options?: OperationOptions): PagedIterable<RoleAssignment> {
    if (!/^[0-9a-f-]{36}$/i.test(principalId)) {
      throw new AzureRequestError({ code: 'InvalidParameter', message: 'The principal id must be an object id (GUID).' });
    }
    return wrapPaged(() => this.sdk.roleAssignments.listForScope(sdkScope(scope), { filter: `principalId eq '${principalId}'`, abortSignal: options?.abortSignal }));
  }

  /** Assignments at or above `scope`. */
  listAtScope(scope: string, options?: OperationOptions): PagedIterable<RoleAssignment> {
    return wrapPaged(() => this.sdk.roleAssignments.listForScope(sdkScope(scope), { filter: 'atScope()', abortSignal: options?.abortSignal }));
  }

  async delete(scope: string, assignmentName: string, options?: OperationOptions): Promise<void> {
    await sdkCall(() => this.sdk.roleAssignments.delete(sdkScope(scope), assignmentName, { abortSignal: options?.abortSignal }));
  }

  async deleteById(roleAssignmentId: string, options?: OperationOptions): Promise<void> {
    await sdkCall(() => this.sdk.roleAssignments.deleteById(sdkScope(roleAssignmentId), { abortSignal: options?.abortSignal }));
  }

  /** Looks up a role definition by its display name (e.g. `Storage Blob Data Reader`) at a scope. */
  async findRoleDefinitionByName(scope: string, roleName: string, options?: OperationOptions): Promise<RoleDefinition | undefined> {
    const filter = `roleName eq '${roleName.replace(/'/g, "''")}'`;
    const { items } = await wrapPaged(() => this.sdk.roleDefinitions.list(sdkScope(scope), { filter, abortSignal: options?.abortSignal })).collect({ max: 1 });
    return items[0];
  }

  private async findAssignment(scope: string, roleId: string, principalId: string, options: OperationOptions): Promise<RoleAssignment | undefined> {
    const wantScope = normalizeScope(scope);
    const wantRole = roleGuidOf(roleId);
    for await (const a of this.listForPrincipal(scope, principalId, options)) {
      if (a.scope && normalizeScope(a.scope) === wantScope && a.roleDefinitionId && roleGuidOf(a.roleDefinitionId) === wantRole) {
        return a;
      }
    }
    return undefined;
  }
}
