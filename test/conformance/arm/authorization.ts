/**
 * Microsoft.Authorization 2022-04-01 (what @azure/arm-authorization 9.0.0 sends): role definitions
 * (get, get by id) and role assignments (create at subscription, resource group and resource
 * scope, get, list, delete, delete by id).
 *
 * The examples' subscription (`a925f2f7-…`, inside their scopes) maps to the tenant's. Their principal (`ce2ce14e-…`, a User) does not exist in the sandbox directory: it maps
 * to the tenant's user. Their role (`0b5fe924-…`) is not one the sandbox knows: it maps to Reader.
 * The resource scope (a Cosmos DB account) maps to a storage account in the same resource group;
 * the role definition placeholders (`scope`, `roleDefinitionId`) map to the subscription and
 * Storage Blob Data Reader (a built-in role with data actions, as the examples' role has).
 */
import { API, ROLES, exact, substring } from './world';
import { type Setup, armSuite } from './suite';
import type { ArmWorld } from './world';
import type { ReplayCase } from '../engine/replay';

const EXAMPLE_SUBSCRIPTION = 'a925f2f7-5c63-4b7b-8799-25a5f97bc3b2';
const EXAMPLE_PRINCIPAL = 'ce2ce14e-85d7-4629-bdbc-454d0519d987';
const EXAMPLE_ROLE = '0b5fe924-9a61-425c-96af-cfe6e287ca2d';
const EXAMPLE_RESOURCE = 'resourceGroups/testrg/providers/Microsoft.DocumentDb/databaseAccounts/test-db-account';
const RG = 'testrg';
const ACCOUNT = 'testdbaccount';
/** The assignment the get / delete examples name, at the subscription. */
const EXISTING = 'b0f43c54-e787-4862-89b1-a653fa9cf747';
/** The assignment the create examples name. */
const CREATED = '05c5a614-a7d6-4502-b150-c2fb455033ff';

function mapped(c: ReplayCase, w: ArmWorld) {
  return w.plan(c, {
    substitutions: [
      substring(EXAMPLE_SUBSCRIPTION, w.subscriptionId),
      substring(EXAMPLE_PRINCIPAL, w.userObjectId),
      substring(EXAMPLE_ROLE, ROLES.reader),
      substring(EXAMPLE_RESOURCE, `resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`),
    ],
  });
}

/**
 * A fresh create at the example's scope: a previous run's assignment is removed first, and so is
 * the get / delete examples' one (same principal and role at the subscription: Azure answers 409
 * RoleAssignmentExists for a second one at the same scope).
 */
const create: Setup = async (c, w) => {
  await w.remove(`${w.subPath}/providers/Microsoft.Authorization/roleAssignments/${EXISTING}`, API.authorization);
  await w.ensureStorage(RG, ACCOUNT);
  const plan = mapped(c, w);
  const scope = String(c.example.parameters.scope);
  const ours = plan.substitutions!.reduce((s, sub) => (sub.mode === 'substring' ? s.split(sub.from).join(sub.to) : s), scope);
  await w.remove(`/${ours}/providers/Microsoft.Authorization/roleAssignments/${CREATED}`, API.authorization);
  return plan;
};

/** The get / delete examples' assignment, after removing the create example's twin at the subscription. */
const existing: Setup = async (c, w) => {
  await w.remove(`${w.subPath}/providers/Microsoft.Authorization/roleAssignments/${CREATED}`, API.authorization);
  await w.ensureRoleAssignment(w.subPath, EXISTING, w.userObjectId, ROLES.reader);
  return mapped(c, w);
};

export const authorizationSuite = () =>
  armSuite({
    name: 'arm-authorization',
    folder: 'authorization',
    specs: ['authorization-RoleAssignmentsCalls.json', 'authorization-RoleDefinitionsCalls.json'],
    apiVersion: API.authorization,
    setups: {
      RoleAssignments_CreateForSubscription: create,
      RoleAssignments_CreateForResourceGroup: create,
      RoleAssignments_CreateForResource: create,
      RoleAssignments_Get: existing,
      RoleAssignments_ListForScope: existing,
      RoleAssignments_Delete: existing,
      RoleAssignments_DeleteById: existing,
      // A built-in role with data actions, as the examples' role has.
      GetRoleDefinitionByName: (c, w) => Promise.resolve(w.plan(c, { overrides: { scope: w.subPath.slice(1), roleDefinitionId: ROLES.storageBlobDataReader } })),
      GetRoleDefinitionById: (c, w) => Promise.resolve(w.plan(c, { substitutions: [exact('roleDefinitionId', `${w.subPath.slice(1)}/providers/Microsoft.Authorization/roleDefinitions/${ROLES.storageBlobDataReader}`)] })),
    },
    undeclared: Object.fromEntries(
      ['createdOn', 'updatedOn', 'createdBy', 'updatedBy'].map((k) => [
        `$.properties.${k}`,
        'role definitions carry it in Azure and in @azure/arm-authorization 9 (RoleDefinition.' + k + '); the 2022-04-01 swagger only declares it on role assignments',
      ]),
    ),
  });
