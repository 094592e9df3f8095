/**
 * Messages between the dashboard panel host (src/ui/governance/dashboardPanel.ts) and its webview
 * (webview-ui/dashboard/main.ts). Typed once, used by both sides.
 */
import type { DashboardFigures } from '../../src/workflows/dashboard/figures';
import type { DashboardFilter } from '../../src/workflows/dashboard/model';

export type { DashboardFigures, DashboardFilter };

export interface LoadState {
  /** Snapshots whose files and bytes are still being read (background fill). */
  detailsPending: number;
  warnings: string[];
  gatheredAt: string;
  armCalls: number;
  purviewCalls: number;
  elapsedMs: number;
}

export type HostToWebview =
  | { type: 'loading'; message: string }
  | { type: 'figures'; figures: DashboardFigures; load: LoadState }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'filter'; filter: DashboardFilter }
  | { type: 'refresh' }
  | { type: 'export' }
  /** Show a share, received share or storage account in the Shares tree (ARM id). */
  | { type: 'reveal'; id: string }
  /** Open the lineage of a share or received share (ARM id), or of an asset. */
  | { type: 'lineage'; id?: string; asset?: { tenantId: string; qualifiedName: string; typeName?: string; guid?: string; account?: string; name?: string } }
  /** The webview drew the figures: how long it took, what it drew, and any CSP violation it saw. */
  | { type: 'rendered'; ms: number; charts: number; alternatives: number; cspViolations: string[] };

export function isHostToWebview(m: unknown): m is HostToWebview {
  return typeof m === 'object' && m !== null && ['loading', 'figures', 'error'].includes((m as { type?: string }).type ?? '');
}

export function isWebviewToHost(m: unknown): m is WebviewToHost {
  return typeof m === 'object' && m !== null && ['ready', 'filter', 'refresh', 'export', 'reveal', 'lineage', 'rendered'].includes((m as { type?: string }).type ?? '');
}
