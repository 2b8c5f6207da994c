// The editor's JSONL view of a Parquet bench: the JSON parser must see in it exactly the instances
// the Parquet reader gives (line n = row n = id n), problems on the row's line, a name that carries
// the content hash (a changed Parquet gets a new view, the old one stays), and read-only bytes.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseBenchText } from '../../../src/core/bench/benchFile';
import { readParquetBench } from '../../../src/core/bench/parquetBench';
import { parquetViewState, parquetViewTarget, readViewManifest, writeParquetBenchView } from '../../../src/core/bench/parquetView';
import { writeBenchParquet, writeBenchShards } from '../../fixtures/bench/parquetBench';
import { syntheticInstance } from '../../fixtures/bench/syntheticBench';
import { useTempDir } from '../../support/tempDir';

const rows = Array.from({ length: 9 }, (_, i) => syntheticInstance(i));

describe('Parquet bench view', () => {
  const dir = useTempDir('janus-parquet-view-');

  it('writes one row a line, parsed to the instances the Parquet reader gives, keyed by hash', async () => {
    const file = writeBenchParquet(path.join(dir(), 'Multifaceted Bench.parquet'), rows, { rowGroupSize: 4 });
    const benches = path.join(dir(), '.janus', 'benches');
    const first = await writeParquetBenchView(file, benches);
    const bench = await readParquetBench(file);
    assert.equal(first.reused, false);
    assert.equal(first.view, path.join(benches, `Multifaceted_Bench-${bench.sha256.slice(0, 12)}.jsonl`));
    const text = readFileSync(first.view, 'utf8');
    assert.equal(text.split('\n').length, rows.length + 1);
    const parsed = parseBenchText(text);
    assert.equal(parsed.format, 'jsonl');
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.instances, bench.instances);
    assert.equal(statSync(first.view).mode & 0o777, 0o444, 'the view is read-only');
    assert.deepEqual(await readViewManifest(first.view), { source: file, sha256: bench.sha256, rows: 9, rubricColumn: 'rubrics', files: [...bench.files], view: first.view });
    assert.equal(await parquetViewState(first.manifest), 'current');

    const again = await writeParquetBenchView(file, benches);
    assert.equal(again.reused, true);
    assert.equal(again.view, first.view);

    writeBenchParquet(file, rows.slice(0, 8), { rowGroupSize: 4 });
    assert.equal(await parquetViewState(first.manifest), 'changed');
    const changed = await writeParquetBenchView(file, benches);
    assert.notEqual(changed.view, first.view, 'new content, new view');
    assert.equal(changed.manifest.rows, 8);
    assert.equal(readFileSync(first.view, 'utf8'), text, 'the old view (and the results keyed to it) stays');
    rmSync(file);
    assert.equal(await parquetViewState(changed.manifest), 'missing');
  });

  it('puts a broken row\'s problem on its line', async () => {
    const broken = rows.map((r, i) => (i === 5 ? { ...r, prompt: null } : r));
    const { view } = await writeParquetBenchView(writeBenchParquet(path.join(dir(), 'broken.parquet'), broken), path.join(dir(), 'views'));
    const parsed = parseBenchText(readFileSync(view, 'utf8'));
    assert.deepEqual(parsed.problems.map((p) => [p.line, p.index]), [[5, 5]]);
    assert.equal(parsed.instances.length, 8);
  });

  it('opens a shard of several as its folder, named after the dataset', async () => {
    const data = path.join(dir(), 'Multifaceted-Bench', 'data');
    mkdirSync(data, { recursive: true });
    const [shard] = writeBenchShards(data, rows, 2);
    assert.equal(parquetViewTarget(shard ?? ''), data);
    assert.equal(parquetViewTarget(path.join(data, 'train-00000-of-00001.parquet')), path.join(data, 'train-00000-of-00001.parquet'));
    const { view, manifest } = await writeParquetBenchView(data, path.join(dir(), 'views'));
    assert.match(path.basename(view), /^Multifaceted-Bench-[0-9a-f]{12}\.jsonl$/);
    assert.equal(manifest.files.length, 2);
    assert.deepEqual(parseBenchText(readFileSync(view, 'utf8')).instances.map((x) => x.prompt), rows.map((r) => r.prompt));
  });
});
