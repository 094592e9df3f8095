/**
 * The dashboard bench's gathering side, in its own process (forked by dashboard.bench.ts) as the
 * dashboard runs in the extension host and the sandbox in its own child process: the sandbox's CPU
 * is not the gatherer's. Messages: {ready} after signing in, then on 'go' {first}, {fill}, {full}
 * (the full pass's data written to GDS_DASHBOARD_DATA for the render step).
 */
import * as fs from 'node:fs';
import { computeFigures, gatherDashboard, startDashboard, tenantsOfSandbox } from '../../src/workflows/dashboard';

async function main(): Promise<void> {
  const description = process.env.GDS_DASHBOARD_SANDBOX!;
  const historySince = process.env.GDS_DASHBOARD_SINCE!;
  const out = process.env.GDS_DASHBOARD_DATA!;
  const tenants = (await tenantsOfSandbox(description)).filter((t) => ['Contoso', 'Fabrikam'].includes(t.tenant.displayName));
  // Sign in first (as the editor is, before a dashboard is opened), as the SDK pipelines ask (CAE):
  // token requests are not part of the gathering.
  await Promise.all(tenants.map(async (t) => {
    const c = await t.clients();
    await c.credential.getToken('https://management.azure.com/.default', { enableCae: true });
    await c.credential.getToken('https://purview.azure.net/.default', { enableCae: true });
  }));
  process.send!({ ready: true });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  const started = Date.now();
  const session = await startDashboard(tenants, { details: 'budget', historySince });
  const end = Date.now();
  const first = session.data;
  process.send!({ first: { start: started, end, gatherMs: end - started, stats: first.stats, historyFrom: first.historyFrom ?? null, snapshots: computeFigures(first).summary.snapshots } });

  const t1 = Date.now();
  await session.fillHistory();
  process.send!({ fill: { historyFillMs: Date.now() - t1, armCalls: session.data.stats.armCalls, snapshots: session.data.synchronizations.length } });

  const t2 = Date.now();
  const data = await gatherDashboard(tenants, { details: 'budget' });
  const fullHistoryMs = Date.now() - t2;
  fs.writeFileSync(out, JSON.stringify(data));
  process.send!({ full: { fullHistoryMs, stats: data.stats, warnings: first.warnings.length + data.warnings.length } });
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
