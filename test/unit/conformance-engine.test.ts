/**
 * The conformance replay engine (test/conformance/engine) on synthetic specs and a stub server:
 * $ref resolution, schema validation with JSON paths, shape comparison, request building,
 * discovery with the not-served table, and a replay with a long-running operation.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { compareShape } from '../conformance/engine/compare';
import { buildRequest, loadExample, substituteString } from '../conformance/engine/example';
import { Replayer, defaultOrder, discover, formatNotServed, type ExampleSuite } from '../conformance/engine/replay';
import { SwaggerSpec } from '../conformance/engine/swagger';
import { Validator } from '../conformance/engine/validate';
import { specsDir } from './support/dataShareWorld';

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** A small spec with the features the validator must handle, split over two files. */
function syntheticSpec(dir: string): string {
  writeJson(dir, 'common.json', {
    swagger: '2.0',
    info: { title: 'common', version: '1' },
    paths: {},
    definitions: {
      ProxyResource: { type: 'object', properties: { id: { type: 'string', readOnly: true }, name: { type: 'string', readOnly: true } }, 'x-ms-azure-resource': true },
    },
  });
  return writeJson(dir, 'spec.json', {
    swagger: '2.0',
    info: { title: 'pets', version: '2024-01-01' },
    paths: {
      '/subscriptions/{subscriptionId}/providers/Test.Pets/pets/{petName}': {
        put: {
          operationId: 'Pets_Create',
          parameters: [
            { $ref: '#/parameters/SubscriptionId' },
            { name: 'petName', in: 'path', required: true, type: 'string' },
            { name: 'api-version', in: 'query', required: true, type: 'string' },
            { name: 'pet', in: 'body', required: true, schema: { $ref: '#/definitions/Pet' } },
          ],
          responses: { '200': { schema: { $ref: '#/definitions/Pet' } }, '201': { schema: { $ref: '#/definitions/Pet' } }, default: { schema: { $ref: '#/definitions/Error' } } },
          'x-ms-examples': { create: { $ref: './examples/Pets_Create.json' } },
        },
      },
      '/subscriptions/{subscriptionId}/providers/Test.Pets/pets': {
        get: {
          operationId: 'Pets_List',
          parameters: [{ $ref: '#/parameters/SubscriptionId' }, { name: 'api-version', in: 'query', required: true, type: 'string' }, { name: '$filter', in: 'query', type: 'string' }],
          responses: { '200': { schema: { $ref: '#/definitions/PetList' } } },
          'x-ms-pageable': { nextLinkName: 'nextLink' },
          'x-ms-examples': { list: { $ref: './examples/Pets_List.json' } },
        },
      },
      '/subscriptions/{subscriptionId}/providers/Test.Pets/pets/{petName}/feed': {
        post: {
          operationId: 'Pets_Feed',
          'x-ms-long-running-operation': true,
          'x-ms-long-running-operation-options': { 'final-state-via': 'location' },
          parameters: [{ $ref: '#/parameters/SubscriptionId' }, { name: 'petName', in: 'path', required: true, type: 'string' }, { name: 'api-version', in: 'query', required: true, type: 'string' }],
          responses: { '200': { schema: { $ref: '#/definitions/Meal' } }, '202': { schema: { $ref: '#/definitions/Meal' } } },
          'x-ms-examples': { feed: { $ref: './examples/Pets_Feed.json' }, missing: { $ref: './examples/Pets_Missing.json' } },
        },
      },
    },
    parameters: { SubscriptionId: { name: 'subscriptionId', in: 'path', required: true, type: 'string' } },
    definitions: {
      Pet: {
        type: 'object',
        required: ['kind'],
        discriminator: 'kind',
        allOf: [{ $ref: './common.json#/definitions/ProxyResource' }],
        properties: {
          kind: { type: 'string', enum: ['Dog', 'Cat'], 'x-ms-enum': { name: 'kind', modelAsString: true } },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          bornAt: { type: 'string', format: 'date-time' },
          mood: { type: 'string', enum: ['Happy', 'Grumpy'], 'x-ms-enum': { name: 'mood', modelAsString: false } },
          owner: { type: 'string', 'x-nullable': false },
          trackerId: { type: 'string', format: 'uuid' },
        },
      },
      Dog: { 'x-ms-discriminator-value': 'Dog', allOf: [{ $ref: '#/definitions/Pet' }], required: ['properties'], properties: { properties: { $ref: '#/definitions/DogProperties' } } },
      DogProperties: { type: 'object', required: ['barks'], properties: { barks: { type: 'boolean' }, age: { type: 'integer', format: 'int32' }, secret: { type: 'string', readOnly: true } } },
      Cat: { 'x-ms-discriminator-value': 'Cat', allOf: [{ $ref: '#/definitions/Pet' }], properties: { properties: { type: 'object', properties: { lives: { type: 'integer' } } } } },
      PetList: { type: 'object', required: ['value'], properties: { value: { type: 'array', items: { $ref: '#/definitions/Pet' } }, nextLink: { type: 'string' } } },
      Meal: { type: 'object', properties: { status: { type: 'string' }, mealId: { type: 'string' } } },
      Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
    },
  });
}

function exampleFiles(dir: string): void {
  writeJson(dir, 'examples/Pets_Create.json', {
    parameters: { subscriptionId: 'sub-in-example', petName: 'rex', 'api-version': '2020-01-01', pet: { kind: 'Dog', properties: { barks: true }, tags: { a: 'b' } } },
    responses: {
      '200': { body: { id: '/subscriptions/sub-in-example/providers/Test.Pets/pets/rex', name: 'rex', kind: 'Dog', tags: { a: 'b' }, properties: { barks: true, age: 3 } } },
      '201': { body: { id: '/subscriptions/sub-in-example/providers/Test.Pets/pets/rex', name: 'rex', kind: 'Dog', tags: { a: 'b' }, properties: { barks: true, age: 3 } } },
    },
  });
  writeJson(dir, 'examples/Pets_List.json', {
    parameters: { subscriptionId: 'sub-in-example', 'api-version': '2024-01-01', filter: "name eq 'rex'" },
    responses: { '200': { body: { value: [{ id: 'x', name: 'rex', kind: 'Cat', properties: { lives: 9 } }] } } },
  });
  writeJson(dir, 'examples/Pets_Feed.json', {
    parameters: { subscriptionId: 'sub-in-example', petName: 'rex', 'api-version': '2024-01-01' },
    responses: { '200': { body: { status: 'Fed', mealId: 'm1' } }, '202': { body: { status: 'Queued', mealId: 'm1' } } },
  });
  writeJson(dir, 'examples/Unreferenced.json', { parameters: {}, responses: { '200': {} } });
}

describe('conformance engine: swagger loading and validation', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-engine-'));
  const file = syntheticSpec(dir);
  exampleFiles(dir);
  const spec = SwaggerSpec.load(file);
  const v = new Validator(spec);
  const pet = spec.operations.get('Pets_Create')!;
  const petSchema = pet.responses['200'].schema!;

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('indexes operations, parameters ($ref) and examples', () => {
    assert.deepEqual([...spec.operations.keys()].sort(), ['Pets_Create', 'Pets_Feed', 'Pets_List']);
    assert.equal(pet.parameters.find((p) => p.in === 'path' && p.name === 'subscriptionId')?.required, true);
    assert.equal(spec.operationForExample('pets_create.json')?.operation.operationId, 'Pets_Create');
    assert.equal(spec.operations.get('Pets_Feed')!.finalStateVia, 'location');
    assert.ok(spec.referencedExamples().some((r) => r.file.endsWith('Pets_Missing.json')));
  });

  it('accepts a valid polymorphic body (subtype chosen by x-ms-discriminator-value, cross-file allOf)', () => {
    assert.deepEqual(v.validate(petSchema, { id: '/x', name: 'rex', kind: 'Dog', tags: { a: 'b' }, bornAt: '2024-01-01T10:00:00.1234567Z', properties: { barks: true, age: 3, secret: 's' } }, { mode: 'response' }), []);
    assert.deepEqual(v.validate(petSchema, { kind: 'Cat', properties: { lives: 9 } }, { mode: 'response' }), []);
  });

  it('reports precise JSON paths for each kind of problem', () => {
    const issues = v.validate(petSchema, {
      kind: 'Dog',
      tags: { a: 1 },
      bornAt: 'yesterday',
      mood: 'Sleepy',
      owner: null,
      trackerId: 'not-a-guid',
      properties: { age: 3.5, extra: true },
      surprise: 1,
    }, { mode: 'response' });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    assert.match(byPath["$.tags.a"], /expected a string/);
    assert.match(byPath['$.bornAt'], /not a date-time/);
    assert.match(byPath['$.mood'], /not one of/);
    assert.match(byPath['$.owner'], /null/);
    assert.match(byPath['$.trackerId'], /uuid/);
    assert.match(byPath['$.properties.barks'], /required property 'barks' is missing/);
    assert.match(byPath['$.properties.age'], /integer/);
    assert.match(byPath['$.properties.extra'], /not declared/);
    assert.match(byPath['$.surprise'], /not declared/);
  });

  it('is lenient with modelAsString enums and null for optional properties; strict on required and missing subtypes', () => {
    assert.deepEqual(v.validate(petSchema, { kind: 'Dog', properties: { barks: false }, bornAt: null }, { mode: 'response' }), []);
    const unknownKind = v.validate(petSchema, { kind: 'Parrot' }, { mode: 'response' });
    assert.deepEqual(unknownKind, [], 'modelAsString discriminators accept unknown values');
    assert.match(v.validate(petSchema, {}, { mode: 'response' })[0].message, /required property 'kind'/);
    assert.match(v.validate(petSchema, [], { mode: 'response' })[0].message, /expected an object/);
  });

  it('request mode rejects read-only properties and does not require them', () => {
    const issues = v.validate(petSchema, { kind: 'Dog', id: '/x', properties: { barks: true, secret: 's' } }, { mode: 'request' });
    assert.deepEqual(issues.map((i) => i.path).sort(), ['$.id', '$.properties.secret']);
  });

  it('compares shapes: keys and value types, not values; maps by value type; arrays by first element', () => {
    const ex = { id: 'a', n: 1, ok: true, nested: { x: 'y' }, list: [{ k: 'v' }], tags: { tag1: 'Red' }, nothing: null };
    assert.deepEqual(compareShape(ex, { id: 'b', n: 2, ok: false, nested: { x: 'z', more: 1 }, list: [{ k: 'w' }, {}], tags: { other: 'Blue' }, nothing: { any: 1 } }, v, undefined).differences, [
      { path: '$.tags.tag1', message: "key 'tag1' is in the example but missing from the response" },
    ], 'without a schema, tags keys count');
    const withSchema = compareShape({ kind: 'Dog', tags: { tag1: 'Red' }, properties: { barks: true } }, { kind: 'Dog', tags: { env: 'dev' }, properties: { barks: false, age: 1 } }, v, petSchema);
    assert.deepEqual(withSchema.differences, [], 'with the schema, tags is a map: its keys are data');
    assert.deepEqual(withSchema.extra, ['$.properties.age']);
    const bad = compareShape({ a: 'x', b: [1], c: { d: 1 } }, { a: 5, b: [], c: null }).differences.map((d) => d.path);
    assert.deepEqual(bad, ['$.a', '$.b', '$.c']);
    assert.deepEqual(compareShape({ a: 'x' }, { a: null }).differences, [], 'null carries no type');
  });

  it('builds requests from examples: template, query names, api-version, body, substitutions', () => {
    const list = buildRequest(spec.operations.get('Pets_List')!, loadExample(path.join(dir, 'examples/Pets_List.json')), {
      apiVersion: '2024-06-01',
      substitutions: [{ from: 'sub-in-example', to: 'real-sub', mode: 'substring' }, { from: 'rex', to: 'fido', mode: 'substring' }],
    });
    assert.equal(list.path, '/subscriptions/real-sub/providers/Test.Pets/pets');
    assert.equal(list.query.$filter, "name eq 'fido'");
    assert.equal(new URLSearchParams(list.url.split('?')[1]).get('api-version'), '2024-06-01');
    const create = buildRequest(pet, loadExample(path.join(dir, 'examples/Pets_Create.json')), {
      apiVersion: '2024-01-01',
      substitutions: [{ from: 'rex', to: 'my dog', mode: 'exact' }],
      transformBody: (b) => ({ ...(b as object), extra: 1 }),
    });
    assert.equal(create.path, '/subscriptions/sub-in-example/providers/Test.Pets/pets/my%20dog');
    assert.deepEqual(create.body, { kind: 'Dog', properties: { barks: true }, tags: { a: 'b' }, extra: 1 });
    assert.equal(substituteString('/subscriptions/ABC/x', [{ from: 'abc', to: 'def', mode: 'substring' }]), '/subscriptions/def/x');
    assert.equal(substituteString('abcd', [{ from: 'abc', to: 'def', mode: 'exact' }]), 'abcd');
  });
});

describe('conformance engine: discovery and replay', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-replay-'));
  const file = syntheticSpec(dir);
  exampleFiles(dir);
  let server: http.Server;
  let base = '';
  let feedPolls = 0;
  let brokenShape = false;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (req.headers.authorization !== 'Bearer t-tenant1') return send(401, { error: { code: 'AuthenticationFailed', message: 'no token' } });
      if (req.method === 'PUT' && url.pathname.endsWith('/pets/rex')) {
        return send(201, brokenShape ? { id: 'x', name: 'rex', kind: 'Dog', properties: { barks: 'yes' } } : { id: 'x', name: 'rex', kind: 'Dog', tags: { z: 'q' }, properties: { barks: true, age: 4 } });
      }
      if (req.method === 'GET' && url.pathname.endsWith('/pets')) return send(200, { value: [] });
      if (req.method === 'POST' && url.pathname.endsWith('/feed')) {
        feedPolls = 0;
        return send(202, { status: 'Queued', mealId: 'm9' }, { 'azure-asyncoperation': `${base}/ops/1`, location: `${base}/results/1`, 'retry-after': '0' });
      }
      if (url.pathname === '/ops/1') return send(200, { status: ++feedPolls < 2 ? 'InProgress' : 'Succeeded' });
      if (url.pathname === '/results/1') return send(200, { status: 'Fed', mealId: 'm9' });
      return send(404, { error: { code: 'NotFound', message: url.pathname } });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function suite(table: Record<string, string>): ExampleSuite<undefined> {
    writeJson(dir, 'not-served.json', { pets: table });
    return { name: 'pets', specFile: file, examplesDir: path.join(dir, 'examples'), apiVersion: '2024-01-01', notServedFile: path.join(dir, 'not-served.json'), createWorld: () => undefined, setup: () => Promise.resolve({ tenantId: 'tenant1' }) };
  }

  it('lists every example not replayed, and flags an incomplete or stale table', () => {
    const bad = discover(suite({ 'Gone.json': 'old' }));
    assert.equal(bad.tableProblems.length, 3, bad.tableProblems.join('\n'));
    assert.ok(bad.tableProblems.some((p) => p.includes('Unreferenced.json')));
    assert.ok(bad.tableProblems.some((p) => p.includes('Pets_Missing.json')));
    assert.ok(bad.tableProblems.some((p) => p.includes('Gone.json')));
    const good = discover(suite({ 'Unreferenced.json': 'not an example of this spec', 'Pets_Missing.json': 'file absent' }));
    assert.deepEqual(good.tableProblems, []);
    assert.deepEqual(good.cases.map((c) => c.name), ['Pets_Create', 'Pets_List', 'Pets_Feed'], 'PUT, then GET, then POST');
    assert.match(formatNotServed('pets', good.notServed), /Pets_Missing\.json\s+\[file absent\] file absent/);
  });

  it('replays: status, swagger and shape checks, long-running operations followed to the end', async () => {
    const d = discover(suite({ 'Unreferenced.json': 'x', 'Pets_Missing.json': 'y' }));
    const replayer = new Replayer(d.spec, { armEndpoint: base, getToken: (t) => Promise.resolve(`t-${t}`) }, '2024-01-01');
    const [create, list, feed] = d.cases;
    const ok = await replayer.run(create, { tenantId: 'tenant1' });
    assert.deepEqual(ok.problems, []);
    brokenShape = true;
    const broken = await replayer.run(create, { tenantId: 'tenant1' });
    brokenShape = false;
    assert.ok(broken.problems.some((p) => p.startsWith('swagger $.properties.barks')), broken.problems.join('\n'));
    assert.ok(broken.problems.some((p) => p.startsWith("shape $.tags")), broken.problems.join('\n'));
    const empty = await replayer.run(list, { tenantId: 'tenant1' });
    assert.ok(empty.problems.some((p) => /lists 1 element\(s\), the response none/.test(p)));
    const lro = await replayer.run(feed, { tenantId: 'tenant1' });
    assert.deepEqual(lro.problems, []);
    assert.equal(lro.lro?.status, 'Succeeded');
    assert.deepEqual(lro.lro?.result, { status: 'Fed', mealId: 'm9' });
    const wrongTenant = await replayer.run(create, { tenantId: 'tenant2' });
    assert.match(wrongTenant.problems[0], /status 401 is not among the example's statuses \(200, 201\): AuthenticationFailed/);
  });

  it('orders creates before reads before actions, deletes last with children first', () => {
    const mk = (method: string, p: string) => ({ operation: { method, pathTemplate: p } }) as Parameters<typeof defaultOrder>[0];
    const order = [mk('DELETE', '/a/{a}'), mk('GET', '/a/{a}'), mk('DELETE', '/a/{a}/b/{b}'), mk('PUT', '/a/{a}'), mk('POST', '/a/{a}/x')].sort((x, y) => defaultOrder(x) - defaultOrder(y));
    assert.deepEqual(order.map((o) => `${o.operation.method} ${o.operation.pathTemplate}`), ['PUT /a/{a}', 'GET /a/{a}', 'POST /a/{a}/x', 'DELETE /a/{a}/b/{b}', 'DELETE /a/{a}']);
  });
});

describe('conformance engine: the Data Share examples and table', () => {
  const examples = specsDir();
  const specFile = path.resolve(examples, '..', 'datashare-2021-08-01.json');

  it('every Data Share example is replayed or listed as not served', function () {
    if (!fs.existsSync(specFile)) this.skip();
    const table = path.resolve(__dirname, '..', '..', '..', 'test', 'conformance', 'not-served.json');
    const d = discover({ name: 'datashare', specFile, examplesDir: path.join(examples, 'datashare'), apiVersion: '2021-08-01', notServedFile: table, createWorld: () => undefined, setup: () => Promise.reject(new Error('unused')) });
    assert.deepEqual(d.tableProblems, []);
    assert.equal(d.cases.length + d.notServed.filter((n) => !n.missingFile).length, fs.readdirSync(path.join(examples, 'datashare')).filter((f) => f.endsWith('.json')).length);
    // The validator accepts every response body of the published examples (no false positives on real data).
    const v = new Validator(d.spec);
    const disagreements: string[] = [];
    for (const c of d.cases) {
      for (const [status, r] of Object.entries(c.example.responses)) {
        const schema = c.operation.responses[status]?.schema;
        if (!schema || r.body === undefined) continue;
        for (const i of v.validate(schema, r.body, { mode: 'response' })) disagreements.push(`${c.name} ${status} ${i.path}: ${i.message}`);
      }
    }
    assert.deepEqual(disagreements, []);
  });
});
