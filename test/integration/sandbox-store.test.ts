/**
 * Persistence of the sandbox: the journaled store (torn tails, CRC damage, compaction), a clean
 * restart that keeps everything, and kill -9 of the sandbox CLI in the middle of concurrent writes:
 * no acknowledged write may be lost and the store must open.
 */
import * as assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { JournaledStore } from '../../src/sandbox/core/store';
import type { SandboxDescription } from '../../src/sandbox';
import { armOptions, ARM_SCOPE, blobClient, grantBlobData, httpsRequest, removeTempDirs, spCredential, startTestSandbox, tempDir, tenantOf } from './support/sandbox';

describe('sandbox store and persistence', function () {
  this.timeout(90_000);
  after(() => removeTempDirs());

  describe('journaled store', () => {
    it('puts, gets, lists by prefix (case-insensitive keys), deletes and reopens', async () => {
      const dir = tempDir('store');
      const a = await JournaledStore.open(dir);
      a.put('resources', '/Subscriptions/S/resourceGroups/RG1', { n: 1 });
      a.put('resources', '/subscriptions/s/resourceGroups/rg1/providers/x/y/z', { n: 2 });
      a.put('resources', '/subscriptions/s/resourceGroups/rg2', { n: 3 });
      a.put('other', 'k', [1, 2, 3]);
      assert.deepEqual(a.get('resources', '/SUBSCRIPTIONS/s/resourcegroups/rg1'), { n: 1 });
      assert.equal(a.list('resources', '/subscriptions/S/resourceGroups/rg1/').length, 1);
      const value = a.get<{ n: number }>('resources', '/subscriptions/s/resourceGroups/rg2') as { n: number };
      value.n = 99; // callers never alias the stored value
      assert.deepEqual(a.get('resources', '/subscriptions/s/resourceGroups/rg2'), { n: 3 });
      assert.equal(a.deletePrefix('/subscriptions/s/resourcegroups/rg1/'), 1);
      assert.equal(a.delete('other', 'k'), true);
      assert.equal(a.delete('other', 'k'), false);
      await a.commit();
      const b = await JournaledStore.open(dir);
      assert.deepEqual(b.collections(), ['resources']);
      assert.equal(b.list('resources').length, 2);
      await a.close();
      await b.close();
    });

    it('truncates a torn tail and ignores a record with a bad CRC', async () => {
      const dir = tempDir('torn');
      const a = await JournaledStore.open(dir);
      for (let i = 0; i < 10; i++) {
        a.put('c', `k${i}`, { i });
      }
      await a.commit();
      const journal = path.join(dir, 'journal-0.log');
      const good = fs.statSync(journal).size;
      // A crash mid-append: a header promising 100 bytes followed by 10.
      const torn = Buffer.alloc(18);
      torn.writeUInt32LE(100, 0);
      fs.appendFileSync(journal, torn);
      const b = await JournaledStore.open(dir);
      assert.equal(b.list('c').length, 10);
      assert.equal(fs.statSync(journal).size, good, 'torn tail truncated');
      b.put('c', 'after', { ok: true });
      await b.commit();
      // Damage the last record's payload: it is dropped, everything before survives.
      const buf = fs.readFileSync(journal);
      buf[buf.length - 3] ^= 0xff;
      fs.writeFileSync(journal, buf);
      const c = await JournaledStore.open(dir);
      assert.equal(c.get('c', 'after'), undefined);
      assert.equal(c.list('c').length, 10);
      for (const store of [a, b, c]) await store.close(); // one at a time: each close compacts the folder
    });

    it('compacts into a snapshot (temp file + rename) and reopens from it', async () => {
      const dir = tempDir('compact');
      const a = await JournaledStore.open(dir, { compactAfterBytes: 2048 });
      for (let i = 0; i < 200; i++) {
        a.put('c', `k${i}`, { i, pad: 'x'.repeat(50) });
        if (i % 20 === 0) {
          await a.commit();
        }
      }
      a.delete('c', 'k5');
      await a.commit();
      assert.ok(fs.existsSync(path.join(dir, 'snapshot.json')));
      assert.ok(!fs.existsSync(path.join(dir, 'snapshot.json.tmp')));
      const journals = fs.readdirSync(dir).filter((f) => f.startsWith('journal-'));
      assert.equal(journals.length, 1);
      assert.notEqual(journals[0], 'journal-0.log');
      const b = await JournaledStore.open(dir);
      assert.equal(b.list('c').length, 199);
      assert.equal(b.get('c', 'k5'), undefined);
      for (const store of [a, b]) await store.close(); // one at a time: each close compacts the folder
      const c = await JournaledStore.open(dir);
      assert.equal(c.list('c').length, 199);
      await c.close();
    });
  });

  it('a restart keeps resources, blobs, secrets, keys and the CA', async () => {
    const { sandbox, dataDir } = await startTestSandbox('restart');
    const contoso = tenantOf(sandbox, 'Contoso');
    const sub = contoso.subscriptions[0].subscriptionId;
    const name = `restart${Date.now().toString(36)}`;
    try {
      await new ResourceManagementClient(spCredential(sandbox, contoso), sub, armOptions(sandbox)).resourceGroups.createOrUpdate('keep', { location: 'westeurope', tags: { v: '1' } });
      const storage = new StorageManagementClient(spCredential(sandbox, contoso), sub, { endpoint: sandbox.armEndpoint, credentials: { scopes: [ARM_SCOPE] }, tlsOptions: { ca: sandbox.ca } });
      const account = await storage.storageAccounts.create('keep', name, { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } });
      await storage.blobContainers.create('keep', name, 'box', {});
      await grantBlobData(sandbox, contoso, account.id as string);
      await blobClient(sandbox, account.primaryEndpoints?.blob as string, spCredential(sandbox, contoso)).getContainerClient('box').getBlockBlobClient('a.txt').uploadData(Buffer.from('persisted'));
    } finally {
      await sandbox.stop();
    }
    const before = sandbox.description;
    const { sandbox: again } = await startTestSandbox('restart', { dataDir });
    try {
      const d = again.description;
      assert.equal(d.adminKey, before.adminKey);
      assert.equal(again.ca, sandbox.ca);
      assert.deepEqual(d.tenants, before.tenants);
      const t = tenantOf(again, 'Contoso');
      const rg = await new ResourceManagementClient(spCredential(again, t), sub, armOptions(again)).resourceGroups.get('keep');
      assert.equal(rg.tags?.v, '1');
      const storage = new StorageManagementClient(spCredential(again, t), sub, { endpoint: again.armEndpoint, credentials: { scopes: [ARM_SCOPE] }, tlsOptions: { ca: again.ca } });
      const account = await storage.storageAccounts.getProperties('keep', name);
      const text = await blobClient(again, account.primaryEndpoints?.blob as string, spCredential(again, t)).getContainerClient('box').getBlobClient('a.txt').downloadToBuffer();
      assert.equal(text.toString(), 'persisted');
    } finally {
      await again.stop();
    }
  });

  it('kill -9 during concurrent writes loses no acknowledged write and never corrupts the store', async () => {
    const dataDir = tempDir('kill9');
    const cli = path.join(__dirname, '..', '..', 'src', 'sandbox', 'main.js');
    const child = await startCli(cli, dataDir);
    const description = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox.json'), 'utf8')) as SandboxDescription;
    const ca = fs.readFileSync(description.caCertPath, 'utf8');
    const contoso = description.tenants.find((t) => t.displayName === 'Contoso');
    assert.ok(contoso);
    const sub = contoso.subscriptions[0].subscriptionId;
    const sp = contoso.servicePrincipals[0];
    const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 32 });
    const tokenRes = await httpsRequest('POST', `${description.authorityHost}/${contoso.tenantId}/oauth2/v2.0/token`, {
      agent,
      form: { grant_type: 'client_credentials', client_id: sp.clientId, client_secret: sp.secret, scope: ARM_SCOPE },
    });
    const token = (JSON.parse(tokenRes.text) as { access_token: string }).access_token;
    const azuritePids = childPids(child.pid as number);

    const acked = new Set<string>();
    let counterAcked = 0;
    let killed = false;
    const put = (name: string, tags: Record<string, string>) =>
      httpsRequest('PUT', `${description.armEndpoint}/subscriptions/${sub}/resourcegroups/${name}?api-version=2025-04-01`, { agent, token, body: { location: 'westeurope', tags } });
    // 24 workers creating groups, one worker updating a counter tag in sequence.
    let next = 0;
    const workers = Array.from({ length: 24 }, async () => {
      while (!killed && next < 5000) {
        const name = `kill-rg-${next++}`;
        try {
          const res = await put(name, { n: name });
          if (res.status === 201 || res.status === 200) {
            acked.add(name);
          }
        } catch {
          /* connection reset by the kill */
        }
      }
    });
    const counter = (async () => {
      for (let v = 1; !killed; v++) {
        try {
          const res = await put('kill-counter', { v: String(v) });
          if (res.status === 200 || res.status === 201) {
            counterAcked = v;
          }
        } catch {
          /* killed */
        }
      }
    })();
    const killer = (async () => {
      while (acked.size < 300) {
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      killed = true;
    })();
    await Promise.all([...workers, counter, killer]);
    agent.destroy();
    await waitForExit(child);
    // Azurite's host notices the closed IPC channel and exits by itself.
    for (const pid of azuritePids) {
      await waitForPidGone(pid);
    }
    assert.ok(acked.size >= 300);

    const { sandbox } = await startTestSandbox('kill9', { dataDir });
    try {
      const t = tenantOf(sandbox, 'Contoso');
      const names = new Set<string>();
      let counterValue = 0;
      for await (const rg of new ResourceManagementClient(spCredential(sandbox, t), sub, armOptions(sandbox)).resourceGroups.list()) {
        names.add(rg.name as string);
        if (rg.name === 'kill-counter') {
          counterValue = Number(rg.tags?.v);
        }
      }
      const lost = [...acked].filter((n) => !names.has(n));
      assert.deepEqual(lost, [], `${lost.length} acknowledged writes lost`);
      assert.ok(counterValue >= counterAcked, `counter ${counterValue} < acknowledged ${counterAcked}`);
    } finally {
      await sandbox.stop();
    }
  });
});

// ---- helpers ----

function startCli(cli: string, dataDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--data-dir', dataDir, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sandbox CLI did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Sandbox cloud listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox CLI exited with ${String(code)}: ${out}`));
    });
  });
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
    } else {
      child.once('exit', () => resolve());
    }
  });
}

async function waitForPidGone(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} (Azurite host) did not exit after the sandbox was killed`);
}

describe('JournaledStore.listReadOnly', () => {
  it('serves frozen values, shares them while unchanged, and follows puts and deletes', async () => {
    const store = await JournaledStore.open(tempDir('gds-store-ro-'));
    try {
      store.put('runs', '/s/a/1', { id: 1, details: [{ files: 2 }] });
      store.put('runs', '/s/a/2', { id: 2, details: [] });
      store.put('runs', '/s/b/1', { id: 3, details: [] });
      const first = store.listReadOnly<{ id: number; details: Array<{ files: number }> }>('runs', '/s/a/');
      assert.deepEqual(first.map((r) => r.id), [1, 2]);
      assert.ok(Object.isFrozen(first[0]) && Object.isFrozen(first[0].details[0]), 'deeply frozen');
      assert.throws(() => { (first[0] as { id: number }).id = 9; }, TypeError);
      const again = store.listReadOnly<{ id: number }>('runs', '/s/a/');
      assert.equal(again[0], first[0], 'the same object while the record is unchanged');
      store.put('runs', '/s/a/1', { id: 1, details: [{ files: 5 }] });
      const changed = store.listReadOnly<{ id: number; details: Array<{ files: number }> }>('runs', '/s/a/');
      assert.notEqual(changed[0], first[0]);
      assert.equal(changed[0].details[0].files, 5);
      assert.equal(store.list<{ details: Array<{ files: number }> }>('runs', '/s/a/')[0].details[0].files, 5, 'list still returns fresh, writable copies');
      store.delete('runs', '/s/a/2');
      assert.deepEqual(store.listReadOnly<{ id: number }>('runs', '/s/a/').map((r) => r.id), [1]);
    } finally {
      await store.close();
    }
  });
});
