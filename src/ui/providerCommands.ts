import * as vscode from 'vscode';
import type { ActivityLog } from './activity';
import type { CommandRegistry } from './commands';
import type { Connection } from './connection';
import { CancelledError } from '../workflows/errors';

/** Namespaces the recipe needs registered in each subscription. */
export const RECIPE_NAMESPACES = ['Microsoft.DataShare', 'Microsoft.Purview', 'Microsoft.Storage'] as const;

interface Target { tenantId: string; subscriptionId: string; subscriptionName: string; namespace?: string }

/** A subscription node of the Shares view, or an error node carrying what to register. */
function targetFromArg(arg: unknown, connection: Connection): Target | undefined {
  const node = arg as { kind?: string; tenant?: { tenantId: string }; subscriptionId?: string; displayName?: string; data?: Record<string, string> } | undefined;
  const name = (tenantId: string, subscriptionId: string) =>
    connection.info?.tenants.find((t) => t.tenantId === tenantId)?.subscriptions.find((s) => s.subscriptionId === subscriptionId)?.displayName ?? subscriptionId;
  if (node?.kind === 'subscription' && node.tenant && node.subscriptionId) {
    return { tenantId: node.tenant.tenantId, subscriptionId: node.subscriptionId, subscriptionName: node.displayName ?? node.subscriptionId };
  }
  if (node?.data?.tenantId && node.data.subscriptionId) {
    return { tenantId: node.data.tenantId, subscriptionId: node.data.subscriptionId, subscriptionName: name(node.data.tenantId, node.data.subscriptionId), namespace: node.data.namespace };
  }
  return undefined;
}

async function pickTarget(connection: Connection): Promise<Target> {
  const items = (connection.info?.tenants ?? []).flatMap((t) => t.subscriptions.map((s) => ({
    label: s.displayName, description: t.displayName, detail: s.subscriptionId,
    target: { tenantId: t.tenantId, subscriptionId: s.subscriptionId, subscriptionName: s.displayName },
  })));
  const picked = await vscode.window.showQuickPick(items, { title: 'Register a resource provider: choose the subscription', placeHolder: 'Subscription', matchOnDescription: true, matchOnDetail: true });
  if (!picked) throw new CancelledError();
  return picked.target;
}

/**
 * Register Resource Provider: registers a namespace (Microsoft.DataShare by default) in a
 * subscription and waits until it shows Registered, with progress and cancel. Registering an
 * already registered namespace changes nothing.
 */
export function registerProviderCommands(commands: CommandRegistry, connection: Connection, activity: ActivityLog, refreshViews: () => void): void {
  commands.register('governedDataShare.registerProvider', async (arg?: unknown) => {
    connection.azure(); // says how to connect when not connected
    const target = targetFromArg(arg, connection) ?? await pickTarget(connection);
    const namespace = target.namespace ?? (await vscode.window.showQuickPick([...RECIPE_NAMESPACES], { title: `Register a resource provider in ${target.subscriptionName}`, placeHolder: 'Namespace' }));
    if (!namespace) throw new CancelledError();

    const entry = activity.start(`Register ${namespace} in ${target.subscriptionName}`);
    try {
      const state = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Registering ${namespace} in ${target.subscriptionName}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          const clients = await connection.azure().clients(target.tenantId);
          const provider = await clients.resources(target.subscriptionId).providers.register(namespace, {
            abortSignal: abort.signal,
            onProgress: (s) => progress.report({ message: s ?? 'Registering' }),
          });
          return provider.registrationState ?? 'Registered';
        },
      );
      activity.finish(entry, 'succeeded', `${namespace} is ${state} in ${target.subscriptionName}.`);
      refreshViews();
      return state;
    } catch (error) {
      activity.finish(entry, (error as Error).name === 'AbortError' ? 'cancelled' : 'failed', (error as Error).message);
      throw error;
    }
  });
}
