/**
 * The resource providers the sandbox serves, in registration order. Each is a plain module
 * exporting a `ResourceProvider` (see core/contract.ts); the core adds identity and operation-status
 * routes itself.
 */
import type { ResourceProvider } from '../core/contract';
import { authorizationProvider } from './authorization';
import { purviewProvider } from './purview';
import { purviewDataPlaneProvider } from './purview/index';
import { resourcesProvider } from './resources';
import { storageProvider } from './storage';
import { dataShareProvider } from './datashare';
import { graphProvider } from './graph';
import { eventGridProvider } from './eventgrid';
import { logicProvider } from './logic';
import { keyVaultProvider } from './keyvault';
import { msiProvider } from './msi';
import { webConnectionsProvider } from './webConnections';

export const providers: ResourceProvider[] = [
  resourcesProvider,
  storageProvider,
  authorizationProvider,
  purviewProvider,
  dataShareProvider,
  purviewDataPlaneProvider,
  graphProvider,
  logicProvider,
  eventGridProvider,
  keyVaultProvider,
  msiProvider,
  webConnectionsProvider,
];
