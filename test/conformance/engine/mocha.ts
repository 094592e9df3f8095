/**
 * Mocha glue for replay suites: one `it` per example (in the suite's order), a pending `it` per
 * example that is not served and per response field of a replayed example that is not asserted
 * (with its reason, also printed as a table), and a check that the
 * not-served table is complete and current. Any suite (Data Share, Purview data map, scanning,
 * Purview ARM) plugs in with its own `ExampleSuite` and a function that yields the target.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { type ExampleSuite, type ReplayTarget, Replayer, describeResult, discover, formatNotServed } from './replay';

export function defineReplayTests<W>(suite: ExampleSuite<W>, getTarget: () => ReplayTarget): void {
  if (!fs.existsSync(suite.specFile) || !fs.existsSync(suite.examplesDir)) {
    it(`finds the ${suite.name} spec and examples`, () => {
      assert.fail(`${suite.specFile} or ${suite.examplesDir} is missing. Put shared/reference/specs beside the clone, or set GDS_SPECS_DIR to its examples folder.`);
    });
    return;
  }
  const found = discover(suite);
  let world: W | undefined;
  let replayer: Replayer | undefined;

  before(() => {
    console.log(formatNotServed(suite.name, found.notServed, found.unservedFields));
    for (const [p, reason] of Object.entries(suite.undeclared ?? {})) console.log(`${suite.name}: returned although the swagger does not declare it: ${p}: ${reason}`);
    const target = getTarget();
    world = suite.createWorld(target);
    replayer = new Replayer(found.spec, target, suite.apiVersion, { allowUndeclared: suite.allowUndeclared, undeclared: suite.undeclared });
  });

  it(`${suite.name}: the not-served table is complete and current`, () => {
    assert.deepEqual(found.tableProblems, []);
  });

  for (const c of found.cases) {
    it(`${c.name} (${c.operation.method} ${c.operation.operationId})`, async () => {
      const plan = await suite.setup(c, world!);
      const result = await replayer!.run(c, plan);
      if (process.env.GDS_CONFORMANCE_VERBOSE) console.log(describeResult(result));
      if (result.problems.length > 0) assert.fail(describeResult(result));
    });
  }

  for (const n of found.notServed) {
    it(`${n.file}: not served: ${n.reason}`);
  }

  for (const f of found.unservedFields) {
    it(`${f.file} ${f.path}: not served: ${f.reason}`);
  }
}
