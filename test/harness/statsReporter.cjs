// A mocha reporter: the usual Spec output, plus the run's counts and each test's result written as
// JSON to $JANUS_STATS_FILE (test/harness/stats.ts's SuiteStats), so test/runAll.mjs can count the
// unit, engine and UI suites the same way it counts the integration suite.
// CommonJS because mocha loads reporters with require().
'use strict';

const { renameSync, writeFileSync } = require('node:fs');
const loaded = require('mocha');
const Mocha = typeof loaded === 'function' ? loaded : loaded.default;
const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

function errorText(error) {
  if (error instanceof Error) return error.message || String(error.stack || error).split('\n')[0];
  return String(error);
}

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const stats = { passes: 0, failures: 0, pending: 0, tests: [] };
    runner.on(EVENT_TEST_PASS, (test) => {
      stats.passes += 1;
      stats.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
    });
    // Also fires for failing hooks ("before all" hook ...): each counts as one failure.
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      stats.failures += 1;
      stats.tests.push({ title: test.fullTitle(), state: 'failed', error: errorText(error) });
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      stats.pending += 1;
      stats.tests.push({ title: test.fullTitle(), state: 'pending' });
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.JANUS_STATS_FILE;
      if (!file) return;
      // Temp file then rename: a reader never sees half a file.
      writeFileSync(`${file}.tmp`, JSON.stringify(stats, null, 2));
      renameSync(`${file}.tmp`, file);
    });
  }
}

module.exports = StatsReporter;
