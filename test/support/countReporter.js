// Mocha reporter: the spec reporter's output, plus the counts written as JSON to
// $GDS_RESULT_FILE so scripts/test.js can print one `N passed, N failed` line for all tiers.
'use strict';
const Mocha = require('mocha');
const fs = require('fs');

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env.GDS_RESULT_FILE;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      if (!file) return;
      const s = runner.stats ?? {};
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes ?? 0, failed: s.failures ?? 0, pending: s.pending ?? 0 }));
    });
  }
}

module.exports = CountReporter;
