/**
 * Conformance replay of the ARM requests the flows make besides Data Share: Microsoft.Resources
 * (resource groups, providers), subscriptions, Microsoft.Storage (accounts, blob containers),
 * Microsoft.Authorization (role definitions, role assignments) and Microsoft.Purview accounts.
 * The official examples (test/conformance/specs/arm, copied from Azure/azure-rest-api-specs) are
 * sent to one sandbox over HTTPS after setups that create what they name; each answer must have
 * the example's status and shape and validate against the swagger. What is not replayed, or not
 * asserted, is listed with its reason in not-served.json; every external `$ref` file the swaggers
 * reach but that is not copied must be listed in specs/arm/README.md.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { authorizationSuite } from './arm/authorization';
import { noExampleChecks, runNoExampleCheck } from './arm/no-example';
import { purviewSuite } from './arm/purview';
import { resourcesSuite } from './arm/resources';
import { storageSuite } from './arm/storage';
import { subscriptionsSuite } from './arm/subscriptions';
import { armSpecsRoot, armWorld } from './arm/world';
import { defineReplayTests } from './engine/mocha';
import { sandboxForReplay } from './engine/sandbox';
import { SwaggerSpec } from './engine/swagger';

const suites = [resourcesSuite(), subscriptionsSuite(), storageSuite(), authorizationSuite(), purviewSuite()];

describe('conformance: ARM examples (Resources, Subscriptions, Storage, Authorization, Purview) against the sandbox', function () {
  this.timeout(120_000);
  const getTarget = sandboxForReplay('arm');

  it('every external $ref file the swaggers reach but that is not copied is listed in specs/arm/README.md', () => {
    const readme = fs.readFileSync(path.join(armSpecsRoot(), 'README.md'), 'utf8');
    const unlisted: string[] = [];
    for (const s of suites) {
      const spec = SwaggerSpec.load(s.specFile, s.extraSpecFiles);
      for (const m of spec.missingExternalFiles()) {
        const key = m.ref.includes('common-types/') ? m.ref.slice(m.ref.indexOf('common-types/')) : path.relative(armSpecsRoot(), path.resolve(path.dirname(m.from), m.ref)).split(path.sep).join('/');
        if (!readme.includes(key)) unlisted.push(`${key} (named by ${path.relative(armSpecsRoot(), m.from)})`);
      }
    }
    assert.deepEqual(unlisted, []);
  });

  describe('operations the flows use that have no official example (swagger-only checks)', () => {
    for (const check of noExampleChecks) {
      it(`${check.operationId} (${check.folder}, ${check.apiVersion})`, async () => {
        assert.deepEqual(await runNoExampleCheck(check, armWorld(getTarget())), []);
      });
    }
  });

  for (const suite of suites) {
    describe(suite.name, () => {
      defineReplayTests(suite, getTarget);
    });
  }
});
