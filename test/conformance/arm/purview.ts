/**
 * Microsoft.Purview 2021-12-01 accounts (the api src/azure/arm/purview.ts pins): create, get, list
 * by resource group and subscription, list keys, name check, delete. The examples' account is
 * `account1` in `SampleResourceGroup`, created as the official create example asks (West US 2,
 * managed resource group `custom-rgname`).
 */
import { API } from './world';
import { type Setup, armSuite } from './suite';

const RG = 'SampleResourceGroup';
const ACCOUNT = 'account1';

const withAccount: Setup = async (c, w) => {
  await w.ensurePurview(RG, ACCOUNT);
  return w.plan(c);
};

export const purviewSuite = () =>
  armSuite({
    name: 'arm-purview',
    folder: 'purview',
    specs: ['purview.json'],
    apiVersion: API.purview,
    setups: {
      Accounts_CreateOrUpdate: async (c, w) => {
        await w.ensureRegistered('Microsoft.Purview');
        await w.ensureRg(RG, 'westus2');
        await w.remove(w.purviewPath(RG, ACCOUNT), API.purview);
        return w.plan(c);
      },
      Accounts_Get: withAccount,
      Accounts_ListByResourceGroup: withAccount,
      Accounts_ListBySubscription: withAccount,
      Accounts_ListKeys: withAccount,
      Accounts_Delete: withAccount,
      // A name nobody holds: the example expects `nameAvailable: true`.
      Accounts_CheckNameAvailability: async (c, w) => {
        await w.ensureRegistered('Microsoft.Purview');
        return w.plan(c, { overrides: { checkNameAvailabilityRequest: { name: 'conformance-free-name', type: 'Microsoft.Purview/accounts' } } });
      },
    },
  });
