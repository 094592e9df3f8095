/**
 * Scanning client behaviour with fakes at the HTTP boundary: the scan-run LRO (Operation-Location,
 * Retry-After, Succeeded / Failed / Canceled, resume, abort), run history paging, request bodies
 * and the `{error:{code,message}}` error shape.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { LroState } from '../../src/azure/core/lro';
import { AzureRequestError, isAbortError } from '../../src/common/azureErrors';
import { PurviewDataPlaneClient } from '../../src/azure/purview/client';
import type { ScanRun } from '../../src/azure/purview/scanningModels';
import { FakeHttpClient, hang, harness, type Harness } from './support/azureFakes';

const ENDPOINT = 'https://contoso.purview.azure.com';
const RUN = '138301e4-f4f9-4ab5-b734-bac446b236e7';
const RUN_PATH = `/scan/datasources/src-blob/scans/weekly/runs/${RUN}`;
const RUN_URL = `${ENDPOINT}${RUN_PATH}?api-version=2023-09-01`;
const OP_URL = `${ENDPOINT}/scan/operations/op-1?api-version=2023-09-01`;

function specsDir(): string {
  return process.env.GDS_SPECS_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'specs');
}

function exampleBody(name: string, status = '200'): unknown {
  const e = JSON.parse(fs.readFileSync(path.join(specsDir(), 'examples', 'scanning', `${name}.json`), 'utf8')) as { responses: Record<string, { body?: unknown }> };
  return e.responses[status]!.body;
}

function client(h: Harness): PurviewDataPlaneClient {
  return new PurviewDataPlaneClient(ENDPOINT, h.credential, h.settings);
}

const accepted = exampleBody('ScanResult_RunScan', '202');
/** The GetScanStatus example wraps the run in `{value: …}`. */
const finishedRun = exampleBody('ScanResult_GetScanStatus') as { value: ScanRun };

describe('Purview scan runs as long-running operations', () => {
  it('runs to Succeeded: polls Operation-Location honouring Retry-After, then reads the run', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Operation-Location': OP_URL, 'Retry-After': '3' }, body: accepted },
      { status: 200, headers: { 'Retry-After': '1' }, body: { scanResultId: RUN, status: 'InProgress' } },
      { status: 200, body: { scanResultId: RUN, status: 'TransientFailure' } },
      { status: 200, body: { scanResultId: RUN, status: 'Succeeded' } },
      { status: 200, body: finishedRun },
    );
    const progress: LroState<ScanRun>[] = [];
    const poller = await client(h).scanning.runs.beginRunScan('src-blob', 'weekly', RUN, { scanLevel: 'Full', intervalInMs: 50, onProgress: (s) => progress.push(s) });
    assert.strictEqual(poller.runId, RUN);
    assert.deepStrictEqual(poller.getOperationState().initialResult, accepted);
    assert.strictEqual(poller.getOperationState().serviceStatus, 'Accepted');
    assert.strictEqual(poller.isDone(), false);

    const run = await poller.pollUntilDone();
    assert.deepStrictEqual(run, finishedRun.value, 'the run, unwrapped from {value}');
    assert.strictEqual(run.status, 'Succeeded');
    assert.strictEqual(run.ingestionExecutionDetails?.status, 'Succeeded');
    assert.deepStrictEqual(
      h.http.requests.map((r) => `${r.method} ${r.url}`),
      [`PUT ${ENDPOINT}${RUN_PATH}?api-version=2023-09-01&scanLevel=Full`, `GET ${OP_URL}`, `GET ${OP_URL}`, `GET ${OP_URL}`, `GET ${RUN_URL}`],
    );
    assert.strictEqual(h.http.requests[0]!.body, undefined, 'RunScan has no body');
    assert.deepStrictEqual(h.sleeps, [3000, 1000, 50], 'Retry-After, then the interval');
    assert.deepStrictEqual(progress.map((p) => p.serviceStatus), ['InProgress', 'TransientFailure', 'Succeeded'], 'TransientFailure is not terminal');
    assert.deepStrictEqual([poller.isDone(), poller.getOperationState().status, poller.getResult()?.id], [true, 'succeeded', finishedRun.value.id]);
  });

  it('after success, a run URL answering 404 falls back to the operation status', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Operation-Location': OP_URL }, body: accepted },
      { status: 200, body: { scanResultId: RUN, status: 'Succeeded', startTime: 's', endTime: 'e' } },
      { status: 404, body: { error: { code: 'NotFound', message: 'run not found' } } },
    );
    const run = await client(h).scanning.runs.runScanAndWait('src-blob', 'weekly', RUN);
    assert.deepStrictEqual(run, { id: RUN, status: 'Succeeded', startTime: 's', endTime: 'e' });
  });

  it('runs to Failed: the run error surfaces as AzureRequestError with its code', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Operation-Location': OP_URL }, body: accepted },
      { status: 200, body: { scanResultId: RUN, status: 'InProgress' } },
      { status: 200, headers: { 'x-ms-request-id': 'req-9' }, body: { scanResultId: RUN, status: 'Failed', error: { code: 'ScanFailedNoAccess', message: 'The Purview managed identity cannot read storage account src.' } } },
    );
    const err = await client(h)
      .scanning.runs.runScanAndWait('src-blob', 'weekly', RUN)
      .catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError, String(err));
    assert.strictEqual(err.code, 'ScanFailedNoAccess');
    assert.match(err.message, /cannot read storage account src/);
    assert.strictEqual(err.requestId, 'req-9');
    assert.ok(err.nextStep.length > 10);
    assert.strictEqual(h.http.requests.length, 3, 'no final GET of the run when the status carries the error');

    // As the sandbox reports a missing storage role: the step names Purview's identity, not the caller's.
    const h2 = harness();
    h2.http.enqueue(
      { status: 202, headers: { 'Operation-Location': RUN_URL }, body: accepted },
      { status: 200, body: { id: RUN, status: 'Failed', error: { code: 'AuthorizationPermissionMismatch', message: "The managed identity does not have the 'Storage Blob Data Reader' role." } } },
    );
    const roleErr = await client(h2).scanning.runs.runScanAndWait('src-blob', 'weekly', RUN).catch((e: unknown) => e);
    assert.ok(roleErr instanceof AzureRequestError);
    assert.strictEqual(roleErr.code, 'AuthorizationPermissionMismatch');
    assert.match(roleErr.nextStep, /Purview account's managed identity/);
  });

  it('a failed status without detail reads the error from the run; without any, ScanRunFailed', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Operation-Location': OP_URL }, body: accepted },
      { status: 200, body: { scanResultId: RUN, status: 'Failed' } },
      { status: 200, body: { value: { id: RUN, status: 'Failed', error: { code: 'Forbidden', message: 'Not authorized to list blobs.' } } } },
    );
    const poller = await client(h).scanning.runs.beginRunScan('src-blob', 'weekly', RUN);
    const err = await poller.pollUntilDone().catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.deepStrictEqual([err.code, err.message], ['Forbidden', 'Not authorized to list blobs.']);
    assert.strictEqual(h.http.requests[2]!.url, RUN_URL);
    assert.strictEqual(poller.getOperationState().status, 'failed');

    const h2 = harness();
    h2.http.enqueue({ status: 202, body: accepted }, { status: 200, body: { id: RUN, status: 'Failed', errorMessage: null, error: null } });
    const err2 = await client(h2).scanning.runs.runScanAndWait('src-blob', 'weekly', RUN).catch((e: unknown) => e);
    assert.ok(err2 instanceof AzureRequestError);
    assert.strictEqual(err2.code, 'ScanRunFailed');
    assert.match(err2.nextStep, /Storage Blob Data Reader/);
  });

  it('Canceled (and Cancelled) end the operation as canceled', async () => {
    for (const status of ['Canceled', 'Cancelled']) {
      const h = harness();
      h.http.enqueue({ status: 202, headers: { 'Operation-Location': OP_URL }, body: accepted }, { status: 200, body: { status } }, { status: 200, body: { id: RUN, status } });
      const poller = await client(h).scanning.runs.beginRunScan('src-blob', 'weekly', RUN);
      const err = await poller.pollUntilDone().catch((e: unknown) => e);
      assert.ok(err instanceof AzureRequestError);
      assert.strictEqual(err.code, 'ScanRunCanceled');
      assert.strictEqual(poller.getOperationState().status, 'canceled');
    }
  });

  it('without Operation-Location, polls the run itself (bare or wrapped bodies)', async () => {
    const h = harness({ lro: { intervalInMs: 7 } });
    h.http.enqueue(
      { status: 202, body: accepted },
      { status: 200, body: { value: { id: RUN, status: 'Queued' } } },
      { status: 200, body: { id: RUN, status: 'InProgress' } },
      { status: 200, body: { value: { id: RUN, status: 'Succeeded', scanLevelType: 'Full' } } },
    );
    const run = await client(h).scanning.runs.runScanAndWait('src-blob', 'weekly', RUN);
    assert.deepStrictEqual(run, { id: RUN, status: 'Succeeded', scanLevelType: 'Full' });
    assert.ok(h.http.requests.slice(1).every((r) => r.method === 'GET' && r.url === RUN_URL));
    assert.strictEqual(h.http.requests.length, 4, 'no extra GET when the polled URL is the run');
    assert.deepStrictEqual(h.sleeps, [7, 7, 7]);
  });

  it('generates a GUID run id, rejects a non-GUID one and a cross-host Operation-Location', async () => {
    const h = harness();
    h.http.enqueue({ status: 202, body: accepted });
    const poller = await client(h).scanning.runs.beginRunScan('src-blob', 'weekly');
    assert.match(poller.runId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(h.http.requests[0]!.url.includes(`/runs/${poller.runId}?`));
    assert.throws(() => client(h).scanning.runs.beginRunScan('src-blob', 'weekly', 'run-1'), TypeError);

    const h2 = harness();
    h2.http.enqueue({ status: 202, headers: { 'Operation-Location': 'https://evil.example.com/scan/op' }, body: accepted });
    await assert.rejects(client(h2).scanning.runs.beginRunScan('src-blob', 'weekly', RUN), (e: unknown) => e instanceof AzureRequestError && e.code === 'UntrustedFollowUrl');
  });

  it('resumes from poller.toString() without starting another run', async () => {
    const h = harness();
    h.http.enqueue({ status: 202, headers: { 'Operation-Location': OP_URL }, body: accepted });
    const token = (await client(h).scanning.runs.beginRunScan('src-blob', 'weekly', RUN)).toString();

    const h2 = harness();
    h2.http.enqueue({ status: 200, body: { status: 'Succeeded' } }, { status: 200, body: { id: RUN, status: 'Succeeded' } });
    const resumed = await client(h2).scanning.runs.beginRunScan('src-blob', 'weekly', RUN, { resumeFrom: token });
    assert.strictEqual(resumed.runId, RUN);
    assert.deepStrictEqual(await resumed.pollUntilDone(), { id: RUN, status: 'Succeeded' });
    assert.deepStrictEqual(h2.http.requests.map((r) => `${r.method} ${r.url}`), [`GET ${OP_URL}`, `GET ${RUN_URL}`]);
    await assert.rejects(client(h2).scanning.runs.beginRunScan('src-blob', 'weekly', RUN, { resumeFrom: 'garbage' }), (e: unknown) => e instanceof AzureRequestError && e.code === 'InvalidResumeToken');
  });

  it('abort while waiting or while a poll hangs rejects with AbortError and sends nothing more', async () => {
    const http = new FakeHttpClient();
    http.enqueue({ status: 202, headers: { 'Operation-Location': OP_URL }, body: accepted }, { status: 200, body: { status: 'InProgress' } }, hang);
    const h = harness({}, http);
    const ac = new AbortController();
    const poller = await client(h).scanning.runs.beginRunScan('src-blob', 'weekly', RUN, { abortSignal: ac.signal });
    const done = poller.pollUntilDone();
    setTimeout(() => ac.abort(), 10);
    await assert.rejects(done, (e: unknown) => isAbortError(e));
    assert.strictEqual(http.requests.length, 3);
    assert.strictEqual(poller.isDone(), false);

    const h2 = harness();
    h2.http.enqueue({ status: 202, body: accepted });
    const p2 = await client(h2).scanning.runs.beginRunScan('src-blob', 'weekly', RUN);
    const ac2 = new AbortController();
    ac2.abort();
    await assert.rejects(p2.pollUntilDone({ abortSignal: ac2.signal }), (e: unknown) => isAbortError(e));
    assert.strictEqual(h2.http.requests.length, 1);
  });
});

describe('Purview scanning: lists, bodies, errors', () => {
  it('run history follows nextLink, adding api-version when the link lacks it; other hosts are refused', async () => {
    const history = exampleBody('ScanResult_ListScanHistory') as { value: ScanRun[] };
    const h = harness();
    h.http.enqueue(
      { status: 200, body: { value: [{ id: 'r2', status: 'InProgress' }], nextLink: `${ENDPOINT}/scan/datasources/src-blob/scans/weekly/runs?$skipToken=abc` } },
      { status: 200, body: { ...history, nextLink: null } },
    );
    const runs = await client(h).scanning.runs.listHistory('src-blob', 'weekly').collect();
    assert.deepStrictEqual(runs.items.map((r) => r.id), ['r2', history.value[0]!.id]);
    assert.strictEqual(h.http.requests[1]!.url, `${ENDPOINT}/scan/datasources/src-blob/scans/weekly/runs?$skipToken=abc&api-version=2023-09-01`);

    const h2 = harness();
    h2.http.enqueue({ status: 200, body: { value: [{ kind: 'AzureStorage', name: 'a' }], nextLink: 'https://elsewhere.example.net/scan/datasources?page=2' } });
    const pages = client(h2).scanning.dataSources.list().byPage();
    await assert.rejects(pages.next(), (e: unknown) => e instanceof AzureRequestError && e.code === 'UntrustedFollowUrl');
    assert.strictEqual(h2.http.requests.length, 1);
  });

  it('data source, scan and trigger bodies: read-only fields dropped, collection type and rule set defaults filled', async () => {
    const h = harness();
    h.http.enqueue({ status: 201, body: exampleBody('DataSources_CreateOrReplace', '201') }, { status: 201, body: {} }, { status: 201, body: {} });
    const sc = client(h).scanning;
    const ds = await sc.dataSources.createOrReplace('src-blob', {
      kind: 'AdlsGen2',
      properties: {
        endpoint: 'https://srcacct.dfs.core.windows.net/',
        resourceGroup: 'rg',
        subscriptionId: '00000000-0000-0000-0000-0000000000aa',
        collection: { referenceName: 'sales', lastModifiedAt: '2026-01-01T00:00:00Z' },
        createdAt: '2026-01-01T00:00:00Z',
      } as never,
    });
    assert.strictEqual(ds.kind, 'AdlsGen2');
    await sc.scans.createOrReplace('src-blob', 'weekly', { kind: 'AdlsGen2Msi', properties: { collection: { referenceName: 'sales' } } });
    await sc.triggers.createOrReplace('src-blob', 'weekly', {
      properties: { scanLevel: 'Incremental', recurrence: { frequency: 'Week', interval: 1, startTime: '2026-01-05T02:00:00Z', schedule: { hours: [2], minutes: [0], weekDays: ['Monday'] } } },
    });
    assert.deepStrictEqual(h.http.requests[0]!.body, {
      kind: 'AdlsGen2',
      properties: {
        endpoint: 'https://srcacct.dfs.core.windows.net/',
        resourceGroup: 'rg',
        subscriptionId: '00000000-0000-0000-0000-0000000000aa',
        collection: { referenceName: 'sales', type: 'CollectionReference' },
      },
    });
    assert.deepStrictEqual(h.http.requests[1]!.body, {
      kind: 'AdlsGen2Msi',
      properties: { scanRulesetName: 'AdlsGen2', scanRulesetType: 'System', collection: { referenceName: 'sales', type: 'CollectionReference' } },
    });
    assert.deepStrictEqual(h.http.requests[2]!.body, {
      properties: {
        state: 'Enabled',
        scanLevel: 'Incremental',
        recurrence: { frequency: 'Week', interval: 1, startTime: '2026-01-05T02:00:00Z', schedule: { hours: [2], minutes: [0], weekDays: ['Monday'] } },
      },
    });
    assert.ok(h.http.requests[2]!.url.endsWith('/scans/weekly/triggers/default?api-version=2023-09-01'));
  });

  it('get status unwraps {value}; cancel posts to runs/{id}:cancel', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, body: finishedRun }, { status: 202, headers: { 'Operation-Location': `${ENDPOINT}${RUN_PATH}/:cancel` }, body: exampleBody('ScanResult_CancelScan', '202') });
    const run = await client(h).scanning.runs.getStatus('src-blob', 'weekly', RUN);
    assert.strictEqual(run.id, finishedRun.value.id);
    const op = await client(h).scanning.runs.cancel('src-blob', 'weekly', RUN);
    assert.strictEqual(op.status, 'Accepted');
    assert.strictEqual(h.http.requests[1]!.method, 'POST');
    assert.strictEqual(h.http.requests[1]!.url, `${ENDPOINT}${RUN_PATH}:cancel?api-version=2023-09-01`);
  });

  it('maps {error:{code,message}} bodies; 403 points at Purview collection roles, not Azure RBAC', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 403, headers: { 'x-ms-request-id': 'scan-req-1' }, body: { error: { code: 'Unauthorized', message: 'Not authorized to access account' } } },
      { status: 404, body: { error: { code: 'DataSourceNotFound', message: 'Data source src-blob was not found.' } } },
      { status: 400, body: { error: { code: 'InvalidRequest', message: 'Bad scan.', target: 'properties.scanRulesetName', details: [{ code: 'Inner', message: 'x' }] } } },
    );
    const sc = client(h).scanning;
    const forbidden = await sc.dataSources.get('src-blob').catch((e: unknown) => e);
    assert.ok(forbidden instanceof AzureRequestError);
    assert.deepStrictEqual([forbidden.statusCode, forbidden.code, forbidden.requestId], [403, 'Unauthorized', 'scan-req-1']);
    assert.match(forbidden.nextStep, /Collection Admin/);
    assert.doesNotMatch(forbidden.nextStep, /Owner or User Access Administrator/);

    const missing = await sc.dataSources.get('src-blob').catch((e: unknown) => e);
    assert.ok(missing instanceof AzureRequestError && missing.isNotFound);
    assert.match(missing.nextStep, /does not exist in this Purview account/);

    const bad = await sc.scans.get('src-blob', 'weekly').catch((e: unknown) => e);
    assert.ok(bad instanceof AzureRequestError);
    assert.deepStrictEqual([bad.code, bad.target, bad.details], ['InvalidRequest', 'properties.scanRulesetName', [{ code: 'Inner', message: 'x' }]]);
  });
});
