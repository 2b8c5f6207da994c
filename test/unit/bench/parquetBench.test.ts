// The Parquet bench reader against the JSONL parser as the reference: the same instances written
// both ways must come back equal (ids = row positions), in both published revisions, Snappy and
// uncompressed, one file and sharded. Bad files must say which file, row and column to look at.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parseBenchText } from '../../../src/core/bench/benchFile';
import { readBenchFile } from '../../../src/core/bench/loadBench';
import { readParquetBench } from '../../../src/core/bench/parquetBench';
import { UserFacingError } from '../../../src/core/errors';
import { writeBenchParquet, writeBenchShards } from '../../fixtures/bench/parquetBench';
import type { SyntheticInstance } from '../../fixtures/bench/syntheticBench';
import { syntheticInstance } from '../../fixtures/bench/syntheticBench';
import { useTempDir } from '../../support/tempDir';

const rows = Array.from({ length: 23 }, (_, i) => syntheticInstance(i));
const jsonl = (list: readonly object[]): string => list.map((x) => JSON.stringify(x)).join('\n') + '\n';
const codecs = (file: string): Set<string> => new Set(parquetMetadata(readFileSync(file)).row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? '?')));

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UserFacingError, `not a UserFacingError: ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('Parquet bench', () => {
  const tempDir = useTempDir('janus-parquet-');
  let dir = '';
  before(() => {
    dir = tempDir();
  });

  it('reads the current revision (Snappy, several row groups) into the instances the JSONL path gives', async () => {
    const file = writeBenchParquet(path.join(dir, 'current.parquet'), rows, { rowGroupSize: 5 });
    assert.deepEqual([...codecs(file)], ['SNAPPY']);
    assert.equal(parquetMetadata(readFileSync(file)).row_groups.length, 5);
    const bench = await readParquetBench(file);
    const reference = parseBenchText(jsonl(rows));
    assert.deepEqual(reference.problems, []);
    assert.deepEqual(bench.problems, []);
    assert.deepEqual(bench.instances, reference.instances);
    assert.deepEqual(bench.instances.map((x) => x.id), rows.map((_, i) => String(i)));
    assert.equal(bench.rubricColumn, 'rubrics');
    assert.equal(bench.rows, 23);
    assert.equal(bench.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('reads the older revision (rubric, no preference_set), uncompressed', async () => {
    const file = writeBenchParquet(path.join(dir, 'older.parquet'), rows, { revision: 'older', codec: 'UNCOMPRESSED' });
    assert.deepEqual([...codecs(file)], ['UNCOMPRESSED']);
    const bench = await readParquetBench(file);
    const older = rows.map(({ preference_set: _, rubrics, ...rest }) => ({ ...rest, rubric: rubrics }));
    assert.deepEqual(bench.instances, parseBenchText(jsonl(older)).instances);
    assert.equal(bench.rubricColumn, 'rubric');
    assert.equal(bench.instances[0]?.preference_set, undefined);
  });

  it('decodes other codecs (GZIP here) through hyparquet-compressors', async () => {
    const file = writeBenchParquet(path.join(dir, 'gzip.parquet'), rows, { codec: 'GZIP', rowGroupSize: 10 });
    assert.deepEqual([...codecs(file)], ['GZIP']);
    assert.deepEqual((await readParquetBench(file)).instances, parseBenchText(jsonl(rows)).instances);
  });

  it('numbers rows on across train-* shards in name order, from the folder or its data/ folder', async () => {
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, 'data'), { recursive: true });
    const shards = writeBenchShards(path.join(repo, 'data'), rows, 3, { rowGroupSize: 4 });
    writeFileSync(path.join(repo, 'data', 'README.md'), 'not a shard');
    const reference = parseBenchText(jsonl(rows)).instances;
    for (const target of [repo, path.join(repo, 'data')]) {
      const bench = await readParquetBench(target);
      assert.deepEqual(bench.instances, reference);
      assert.deepEqual(bench.files.map((f) => [path.basename(f.path), f.rows]), [['train-00000-of-00003.parquet', 8], ['train-00001-of-00003.parquet', 8], ['train-00002-of-00003.parquet', 7]]);
    }
    const before = (await readParquetBench(repo)).sha256;
    writeBenchParquet(shards[1] ?? '', rows.slice(8, 16).reverse());
    const after = await readParquetBench(repo);
    assert.notEqual(after.sha256, before, 'a changed shard must change the bench hash');
    assert.equal(after.instances[8]?.prompt, rows[15]?.prompt);
  });

  it('reports a broken row by row and column and keeps the others', async () => {
    const broken: Partial<Record<keyof SyntheticInstance, unknown>>[] = rows.map((r) => ({ ...r }));
    broken[3] = { ...rows[3], prompt: null };
    const rubrics = rows[17]?.rubrics.map((r) => ({ ...r, score_descriptions: { ...r.score_descriptions } })) ?? [];
    const third = rubrics[2];
    if (third) third.score_descriptions['3'] = null as unknown as string;
    broken[17] = { ...rows[17], rubrics };
    broken[20] = { ...rows[20], rubrics: [] };
    broken[10] = { ...rows[10], preference_set: null };
    const file = writeBenchParquet(path.join(dir, 'broken.parquet'), broken);
    const bench = await readParquetBench(file);
    assert.deepEqual(bench.problems.map((p) => [p.row, p.message]), [
      [3, 'row 3, column prompt: empty (null); write the instruction the model answers.'],
      [17, 'row 17, column rubrics[2].score_descriptions: no "3" (what a response scoring 3 looks like); every rubric needs all five.'],
      [20, 'row 20, column rubrics: empty; write a list of rubrics, each { "criteria": ..., "score_descriptions": { "1": ... "5": ... } }.'],
    ]);
    assert.equal(bench.instances.length, 20);
    assert.equal(bench.instances.find((x) => x.index === 4)?.id, '4');
    const noPreferences = bench.instances.find((x) => x.index === 10);
    assert.ok(noPreferences && noPreferences.preference_set === undefined, 'a null preference_set is left out: the field is optional');
    await rejects(readBenchFile(file), /has 3 problems[^]*broken\.parquet: row 17, column rubrics\[2\]\.score_descriptions: no "3"/);
  });

  it('names a missing column and a column of the wrong type', async () => {
    await rejects(readBenchFile(writeBenchParquet(path.join(dir, 'no-prompt.parquet'), rows, { omit: 'prompt' })), /no-prompt\.parquet: missing column prompt \(the instruction the model answers\)/);
    const wrong = writeBenchParquet(path.join(dir, 'int-prompt.parquet'), rows, { override: { column: 'prompt', elements: [{ name: 'prompt', type: 'INT32', repetition_type: 'OPTIONAL' }], data: rows.map((_, i) => i) } });
    await rejects(readBenchFile(wrong), /int-prompt\.parquet: column prompt is INT32; expected a string/);
    const text = (name: string) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const });
    const fourScores = [
      { name: 'rubrics', repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL' as const, num_children: 2 },
      text('criteria'),
      { name: 'score_descriptions', repetition_type: 'OPTIONAL' as const, num_children: 4 },
      ...['1', '2', '4', '5'].map(text),
    ];
    const data = rows.map((r) => r.rubrics.map((x) => ({ criteria: x.criteria, score_descriptions: { '1': 'a', '2': 'b', '4': 'd', '5': 'e' } })));
    const noThree = writeBenchParquet(path.join(dir, 'no-three.parquet'), rows, { override: { column: 'rubrics', elements: fourScores, data } });
    await rejects(readBenchFile(noThree), /column rubrics\.score_descriptions has no field "3" \(what a response scoring 3 looks like\)/);
  });

  it('tells a truncated file, a file that is not Parquet and an empty folder apart', async () => {
    const cut = writeBenchParquet(path.join(dir, 'cut.parquet'), rows);
    truncateSync(cut, 3000);
    await rejects(readBenchFile(cut), /cut\.parquet is cut short: it starts like a Parquet file but its footer is missing \(3000 bytes\)\. Download it again\./);
    const json = path.join(dir, 'bench.parquet');
    writeFileSync(json, jsonl(rows));
    await rejects(readBenchFile(json), /bench\.parquet is not a Parquet file \(it does not start with "PAR1"\)/);
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'other.parquet'), '');
    await rejects(readBenchFile(empty), /has no train-\*\.parquet shards[^]*It has other\.parquet/);
    await rejects(readBenchFile(path.join(dir, 'nowhere.parquet')), /nowhere\.parquet does not exist/);
  });
});
