// The one results shape every level writes (the mocha stats reporter, the extension-host runner and
// the launchers), so test/runAll.mjs counts unit, engine, integration and UI suites the same way.

export type TestState = 'passed' | 'failed' | 'pending';

export interface TestResult {
  /** Full title: the describe() chain and the it() title. */
  title: string;
  state: TestState;
  durationMs?: number;
  /** Failure message (first line of the stack when there is no message). */
  error?: string;
}

export interface SuiteStats {
  passes: number;
  failures: number;
  pending: number;
  tests: TestResult[];
  /** Set when the run itself broke (a file failed to load, mocha threw) rather than a test failing. */
  crash?: string;
}

/** Narrows a parsed results file; anything malformed is treated as a crash by the caller. */
export function isSuiteStats(value: unknown): value is SuiteStats {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['passes'] === 'number' &&
    typeof v['failures'] === 'number' &&
    typeof v['pending'] === 'number' &&
    Array.isArray(v['tests'])
  );
}

const marks: Record<TestState, string> = { passed: '  ok  ', failed: '  FAIL', pending: '  skip' };

/** One line per test, failures with their message, for launchers whose tests ran elsewhere. */
export function formatResults(stats: SuiteStats): string {
  const lines = stats.tests.map((t) => {
    const took = t.durationMs === undefined ? '' : ` (${t.durationMs} ms)`;
    const line = `${marks[t.state]} ${t.title}${took}`;
    return t.error === undefined ? line : `${line}\n          ${t.error.split('\n').join('\n          ')}`;
  });
  if (stats.crash !== undefined) lines.push(`  CRASH ${stats.crash}`);
  lines.push(`  ${stats.passes} passing, ${stats.failures} failing, ${stats.pending} pending`);
  return lines.join('\n');
}
