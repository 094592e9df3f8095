/**
 * Microsoft.Resources 2025-04-01 (what @azure/arm-resources 7.0.0 sends): resource groups and
 * resource provider registration, as the flows use them. The examples name a provider the sandbox
 * does not have (`Microsoft.TestRP1`): it becomes Microsoft.Storage.
 */
import { API, exact } from './world';
import { type Setup, armSuite } from './suite';

const RG = 'my-resource-group';

const forceDelete: Setup = async (c, w) => {
  await w.ensureRg(RG);
  return w.plan(c);
};

export const resourcesSuite = () =>
  armSuite({
    name: 'arm-resources',
    folder: 'resources',
    specs: ['resources.json'],
    apiVersion: API.resources,
    setups: {
      CreateResourceGroup: async (c, w) => {
        await w.remove(w.rgPath(RG), API.resources);
        return w.plan(c);
      },
      GetProvider: async (c, w) => {
        await w.ensureRegistered('Microsoft.Storage');
        return w.plan(c, { substitutions: [exact('Microsoft.TestRP1', 'Microsoft.Storage')] });
      },
      GetProviders: async (c, w) => {
        await w.ensureRegistered('Microsoft.Storage');
        return w.plan(c);
      },
      ForceDeleteVMsInResourceGroup: forceDelete,
      ForceDeleteVMsAndVMSSInResourceGroup: forceDelete,
    },
  });
