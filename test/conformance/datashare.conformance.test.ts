/**
 * Conformance replay: every Azure Data Share 2021-08-01 example (shared/reference/specs/examples/
 * datashare) is sent to a real sandbox over HTTPS, after a setup that creates what it refers to,
 * and the answer must have the example's status and shape and validate against the swagger.
 * Examples that are not replayed are listed with their reason in not-served.json (and printed).
 */
import { dataShareSuite } from './datashare/suite';
import { defineReplayTests } from './engine/mocha';
import { examplesRoot, notServedFile, sandboxForReplay } from './engine/sandbox';

describe('conformance: Azure Data Share 2021-08-01 examples against the sandbox', function () {
  this.timeout(120_000);
  defineReplayTests(dataShareSuite(examplesRoot(), notServedFile()), sandboxForReplay('datashare'));
});
