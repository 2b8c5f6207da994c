// `npm run bench [name...]`: runs the named benchmarks (all when none is named), one process each.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const all = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''));
const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    process.stderr.write(`no benchmark "${name}"; there are: ${all.join(', ')}\n`);
    process.exit(2);
  }
  const run = spawnSync(process.execPath, ['--import=tsx', path.join(__dirname, `${name}.bench.ts`)], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
