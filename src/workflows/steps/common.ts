/** Small helpers the steps share: refs, read-before-write, and waiting with cancellation. */
import { undefinedIfNotFound } from '../../common/azureErrors';
import type { RecipeEnv, SideEnv } from '../env';

export { undefinedIfNotFound as getOrUndefined };

export const PROVIDER_NAMESPACES = ['Microsoft.Storage', 'Microsoft.DataShare', 'Microsoft.Purview'] as const;

export function accountRef(s: SideEnv) {
  return { subscriptionId: s.subscriptionId, resourceGroupName: s.plan.resourceGroup, accountName: s.plan.dataShareAccount };
}

/** The plan's share (provider side) and share subscription (consumer side). */
export const shareRef = (env: RecipeEnv) => ({ ...accountRef(env.provider), shareName: env.plan.share.name });
export const subscriptionRef = (env: RecipeEnv) => ({ ...accountRef(env.consumer), shareSubscriptionName: env.plan.subscription.name });

export function storageId(s: SideEnv): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.plan.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${s.plan.storageAccount}`;
}

export function rgPath(s: SideEnv, ...rest: string[]): string {
  return [s.plan.resourceGroup, ...rest].join('/');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(Object.assign(new Error('The operation was cancelled.'), { name: 'AbortError' }));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(Object.assign(new Error('The operation was cancelled.'), { name: 'AbortError' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The sample data the recipe uploads when asked: small CSVs, one with email addresses (a classification to govern). */
export const SAMPLE_FILES: Record<string, string> = {
  'sales/2024/01/sales.csv': 'id,region,amount,sold_at\n1,north,10.50,2024-01-03T10:00:00Z\n2,south,20.00,2024-01-09T14:30:00Z\n',
  'sales/2024/02/sales.csv': 'id,region,amount,sold_at\n3,east,7.25,2024-02-01T08:15:00Z\n4,west,99.99,2024-02-11T16:45:00Z\n5,north,1.00,2024-02-20T12:00:00Z\n',
  'reference/regions.csv': 'region,manager\nnorth,Team A\nsouth,Team B\neast,Team C\nwest,Team D\n',
};
