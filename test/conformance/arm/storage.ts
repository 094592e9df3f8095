/**
 * Microsoft.Storage 2025-08-01 (what @azure/arm-storage 20.0.0 sends): storage accounts
 * (storage.json) and blob containers (blob.json), as the flows use them. Each setup creates the
 * resource group, account and containers the example names (storage account names are global,
 * the sandbox is fresh, so the example's own names are used).
 */
import { API } from './world';
import { armSuite } from './suite';

const SYSTEM_DATA =
  'ARM systemData: @azure/arm-storage 20 models it on every resource (Resource.systemData, from the TypeSpec source); the swagger\'s StorageAccount extends the v1 TrackedResource, which predates it';

export const storageSuite = () =>
  armSuite({
    name: 'arm-storage',
    folder: 'storage',
    specs: ['storage.json', 'blob.json'],
    apiVersion: API.storage,
    setups: {
      StorageAccountCreate: async (c, w) => {
        await w.ensureRegistered('Microsoft.Storage');
        await w.ensureRg('res9101');
        await w.remove(w.storagePath('res9101', 'sto4445'), API.storage);
        return w.plan(c);
      },
      StorageAccountGetProperties: async (c, w) => (await w.ensureStorage('res9407', 'sto8596'), w.plan(c)),
      StorageAccountList: async (c, w) => (await w.ensureStorage('res2627', 'sto1125'), w.plan(c)),
      StorageAccountListByResourceGroup: async (c, w) => (await w.ensureStorage('res6117', 'sto4036'), w.plan(c)),
      StorageAccountListKeys: async (c, w) => (await w.ensureStorage('res418', 'sto2220'), w.plan(c)),
      StorageAccountCheckNameAvailability: async (c, w) => {
        await w.ensureRegistered('Microsoft.Storage');
        await w.remove(w.storagePath('res3363', 'sto3363'), API.storage);
        return w.plan(c);
      },
      StorageAccountDelete: async (c, w) => (await w.ensureStorage('res4228', 'sto2434'), w.plan(c)),
      BlobContainersPut: async (c, w) => {
        await w.ensureStorage('res3376', 'sto328');
        await w.remove(w.containerPath('res3376', 'sto328', 'container6185'), API.storage);
        return w.plan(c);
      },
      BlobContainersGet: async (c, w) => (await w.ensureContainer('res9871', 'sto6217', 'container1634'), w.plan(c)),
      BlobContainersList: async (c, w) => {
        await w.ensureContainer('res9290', 'sto1590', 'container1644');
        await w.ensureContainer('res9290', 'sto1590', 'container4052');
        return w.plan(c);
      },
      BlobContainersDelete: async (c, w) => (await w.ensureContainer('res4079', 'sto4506', 'container9689'), w.plan(c)),
    },
    undeclared: {
      '$.systemData': SYSTEM_DATA,
      '$.value[*].systemData': SYSTEM_DATA,
    },
  });
