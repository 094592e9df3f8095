/**
 * What the other governance features contribute to the dashboard: data-quality results on Purview
 * entities, approval requests, and the CMK check of a storage account. Each is wired here when its
 * module exports it; until then the dashboard shows "no data" for that tile (never a made-up figure).
 */
import type { DashboardExtras } from './gather';

export function dashboardExtras(): DashboardExtras {
  return {};
}
