/**
 * Conformance replay of the Microsoft Purview data plane examples (Data Map 2023-09-01 and
 * Scanning 2023-09-01, shared/reference/specs/examples/{datamap,scanning}) against a real sandbox
 * over HTTPS: each answer must have the example's status and shape and validate against the
 * swagger. Examples that are not replayed are listed with their reason in not-served.json.
 * (The Purview ARM examples are replayed by arm.conformance.test.ts.)
 */
import { defineReplayTests } from './engine/mocha';
import { examplesRoot, notServedFile, sandboxForReplay } from './engine/sandbox';
import { dataMapSuite } from './purview/datamap';
import { scanningSuite } from './purview/scanning';

describe('conformance: Microsoft Purview data plane examples against the sandbox', function () {
  this.timeout(120_000);
  const getTarget = sandboxForReplay('purview');

  describe('Data Map 2023-09-01', () => {
    defineReplayTests(dataMapSuite(examplesRoot(), notServedFile()), getTarget);
  });

  describe('Scanning 2023-09-01', () => {
    defineReplayTests(scanningSuite(examplesRoot(), notServedFile()), getTarget);
  });
});
