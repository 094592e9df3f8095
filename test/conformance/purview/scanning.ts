/**
 * Purview Scanning (2023-09-01) replay suite: data sources, scans, runs, scan rule sets, system
 * scan rule sets and triggers of one sandbox Purview account, with a real storage account behind
 * the data sources (the examples' storage endpoint is substituted with it).
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { Substitution } from '../engine/example';
import type { CasePlan, ExampleSuite, ReplayCase, ReplayTarget } from '../engine/replay';
import type { SwaggerSpec } from '../engine/swagger';
import type { TargetDescription } from '../engine/target';
import { PURVIEW_AUDIENCE, PurviewReplayWorld, withExampleBody } from './world';

/* eslint-disable @typescript-eslint/no-explicit-any */

export class ScanningWorld extends PurviewReplayWorld {
  async dataSource(name: string): Promise<void> {
    await this.once(`ds:${name}`, async () => {
      await this.ok('PUT', `/scan/datasources/${encodeURIComponent(name)}`, { kind: 'AzureStorage', properties: { endpoint: `https://${this.storage}.blob.core.windows.net/` } });
    });
  }

  async scan(ds: string, name: string): Promise<void> {
    await this.dataSource(ds);
    await this.once(`scan:${ds}/${name}`, async () => {
      await this.ok('PUT', `/scan/datasources/${encodeURIComponent(ds)}/scans/${encodeURIComponent(name)}`, { kind: 'AzureStorageMsi', properties: { scanRulesetName: 'AzureStorage', scanRulesetType: 'System' } });
    });
  }

  /** A scan with one finished run. */
  async scanWithRun(ds: string, name: string): Promise<void> {
    await this.scan(ds, name);
    await this.once(`run:${ds}/${name}`, async () => {
      await this.ok('PUT', `/scan/datasources/${ds}/scans/${name}/runs/${crypto.randomUUID()}`);
      for (let i = 0; i < 200; i++) {
        const runs = await this.ok('GET', `/scan/datasources/${ds}/scans/${name}/runs`);
        if (runs.value.every((r: any) => ['Succeeded', 'Failed', 'Canceled'].includes(r.status))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('setup: the scan run did not finish');
    });
  }

  async trigger(ds: string, scan: string, schedule: unknown): Promise<void> {
    await this.scan(ds, scan);
    await this.ok('PUT', `/scan/datasources/${ds}/scans/${scan}/triggers/default`, {
      properties: { scanLevel: 'Incremental', state: 'Enabled', recurrence: { frequency: 'Month', interval: 1, startTime: '2020-06-03T19:15:00Z', endTime: '2020-06-03T19:22:00Z', schedule } },
    });
  }

  async ruleset(name: string): Promise<void> {
    await this.ok('PUT', `/scan/scanrulesets/${name}`, { kind: 'AzureStorage', scanRulesetType: 'Custom', properties: { scanningRule: { fileExtensions: ['CSV', 'JSON'] } } });
  }
}

/** Example files the 2023-09-01 swagger does not reference, and the operation each exercises. */
const RENAMED: Record<string, string> = {
  'DataSources_CreateOrUpdate.json': 'DataSources_CreateOrReplace',
  'DataSources_ListAll.json': 'DataSources_List',
  'Scans_CreateOrUpdate.json': 'Scans_CreateOrReplace',
  'ScanRulesets_CreateOrUpdate.json': 'ScanRulesets_CreateOrReplace',
  'ScanRulesets_ListAll.json': 'ScanRulesets_List',
  'SystemScanRulesets_ListAll.json': 'SystemScanRulesets_List',
  'Triggers_CreateTrigger.json': 'Triggers_CreateOrReplace',
  'Triggers_DeleteTrigger.json': 'Triggers_Delete',
  'Triggers_EnableTrigger.json': 'Triggers_Enable',
  'Triggers_DisableTrigger.json': 'Triggers_Disable',
};

const MONTHLY = { minutes: [56], hours: [23], weekDays: null, monthDays: null, monthlyOccurrences: [{ day: 'Wednesday', occurrence: 2 }] };

export function scanningSuite(examplesRoot: string, notServedFile: string): ExampleSuite<ScanningWorld> {
  return {
    name: 'purview-scanning',
    specFile: path.join(examplesRoot, '..', 'purview-scanning-2023-09-01.json'),
    examplesDir: path.join(examplesRoot, 'scanning'),
    apiVersion: '2023-09-01',
    // Published scanning examples carry properties their swagger does not declare.
    allowUndeclared: true,
    notServedFile,
    createWorld: (target: ReplayTarget) => new ScanningWorld(target as ReplayTarget & { description: TargetDescription }),
    resolveOperation(fileName: string, spec: SwaggerSpec) {
      const opId = RENAMED[fileName];
      const operation = opId ? spec.operations.get(opId) : undefined;
      return operation ? { operation, title: fileName.replace(/\.json$/, '') } : undefined;
    },
    async setup(c: ReplayCase, w: ScanningWorld): Promise<CasePlan> {
      return withExampleBody(c, await setupCase(c, w));
    },
  };
}

async function setupCase(c: ReplayCase, w: ScanningWorld): Promise<CasePlan> {
  await w.ensureReady();
  const plan: CasePlan = { tenantId: w.tenantId, hostParams: { endpoint: w.endpoint }, audience: PURVIEW_AUDIENCE };
  const p = c.example.parameters;
  const storageSubs: Substitution[] = [
    { from: 'https://azurestorage.core.windows.net/', to: `https://${w.storage}.blob.core.windows.net/`, mode: 'exact' },
  ];
  switch (c.name) {
    case 'DataSources_CreateOrReplace':
    case 'DataSources_CreateOrUpdate':
      await w.collection('Collection-rZX');
      return { ...plan, substitutions: storageSubs };
    case 'DataSources_List':
    case 'DataSources_ListAll':
      await w.dataSource('myDataSource');
      return plan;
    case 'DataSources_Delete':
      await w.dataSource('myDataSource');
      await w.dp('DELETE', '/scan/datasources/myDataSource/scans/myScanName');
      return plan;
    case 'Scans_CreateOrReplace':
    case 'Scans_CreateOrUpdate':
      await w.collection('Collection-rZX');
      await w.dataSource(String(p.dataSourceName));
      return plan;
    case 'Scans_Get':
    case 'Scans_ListByDataSource':
      await w.collection('Collection-rZX');
      await w.dataSource('myDataSource');
      await w.ok('PUT', '/scan/datasources/myDataSource/scans/myScanName', {
        kind: 'AzureStorageCredential',
        properties: { credential: { referenceName: 'CredentialAKV', credentialType: 'AccountKey' }, connectedVia: null, scanRulesetName: 'AzureStorage', scanRulesetType: 'System', workers: null, collection: { referenceName: 'Collection-rZX', type: 'CollectionReference' } },
      });
      return plan;
    case 'Scans_Delete':
      await w.scan(String(p.dataSourceName), String(p.scanName));
      return plan;
    case 'ScanResult_RunScan':
      await w.scan(String(p.dataSourceName), String(p.scanName));
      return plan;
    case 'ScanResult_ListScanHistory':
      await w.scanWithRun(String(p.dataSourceName), String(p.scanName));
      return plan;
    case 'ScanRulesets_Get':
    case 'ScanRulesets_Delete':
    case 'ScanRulesets_List':
    case 'ScanRulesets_ListAll':
      await w.ruleset('nyScanRulesetName');
      return plan;
    case 'Triggers_CreateTrigger':
      // PUT over an existing trigger answers 200: the example's 200 body describes that answer.
      await w.trigger(String(p.dataSourceName), String(p.scanName), null);
      return plan;
    case 'Triggers_Enable':
    case 'Triggers_Disable':
      await w.trigger(String(p.dataSourceName), String(p.scanName), MONTHLY);
      return plan;
    case 'Triggers_EnableTrigger':
    case 'Triggers_DisableTrigger':
      await w.trigger(String(p.dataSourceName), String(p.scanName), null);
      return plan;
    case 'Triggers_Delete':
    case 'Triggers_DeleteTrigger':
      await w.trigger(String(p.dataSourceName), String(p.scanName), null);
      return plan;
    default:
      return plan;
  }
}
