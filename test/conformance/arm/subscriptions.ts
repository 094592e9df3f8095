/**
 * Microsoft.Resources subscriptions 2022-12-01 (the SubscriptionClient api the sign-in flow lists
 * subscriptions with): list and get, in the signed-in user's tenant.
 */
import { API } from './world';
import { armSuite } from './suite';

export const subscriptionsSuite = () =>
  armSuite({
    name: 'arm-subscriptions',
    folder: 'subscriptions',
    specs: ['subscriptions.json'],
    apiVersion: API.subscriptions,
    setups: {
      GetSubscription: (c, w) => Promise.resolve(w.plan(c)),
      GetSubscriptions: (c, w) => Promise.resolve(w.plan(c)),
    },
  });
