/**
 * How `rollup_lambda` definitions are read and matched: Cube's requirement for a union with
 * source data is a compile error naming the file and the lambda; the shapes we do not serve are
 * rejected with a reason (the source answers); the batch layer is never served on its own.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/model/compile-model.ts';
import { normalizeQuery } from '../../src/query/normalize-query.ts';
import { explainMatch } from '../../src/preagg/rollup-matcher.ts';

const cube = (preAggregations: string) => `
cubes:
  - name: eventos
    sql_table: gold.eventos
    dimensions:
      - { name: id, sql: id, type: string, primary_key: true }
      - { name: canal, sql: canal, type: string }
      - { name: momento, sql: momento, type: time }
    measures:
      - { name: total, type: count }
    pre_aggregations:
${preAggregations}`;

const NOW = new Date('2026-01-10T12:00:00Z');

describe('rollup_lambda in the model', () => {
  it('rejects a union with source data over a rollup without partition_granularity, naming file and lambda', () => {
    const files = [{ path: 'cubes/eventos.yml', content: cube(`
      - { name: ao_vivo, type: rollup_lambda, union_with_source_data: true, rollups: [CUBE.lote] }
      - { name: lote, measures: [total], time_dimension: momento, granularity: minute }
`) }];
    expect(() => compileModel(files)).toThrow(/cubes\/eventos\.yml[\s\S]*lote needs a time_dimension and a partition_granularity/);
  });

  it('matches the lambda (not its batch) and explains the shapes it does not serve', () => {
    const model = compileModel([{ path: 'cubes/eventos.yml', content: cube(`
      - { name: ao_vivo, type: rollup_lambda, union_with_source_data: true, rollups: [CUBE.lote] }
      - { name: duplo, type: rollup_lambda, union_with_source_data: true, rollups: [CUBE.lote, CUBE.outro] }
      - { name: lote, measures: [total], dimensions: [canal], time_dimension: momento, granularity: minute, partition_granularity: hour }
      - { name: outro, measures: [total], time_dimension: momento, granularity: hour, partition_granularity: day }
`) }]);
    const query = normalizeQuery(model, { measures: ['eventos.total'], dimensions: ['eventos.canal'], timeDimensions: [{ dimension: 'eventos.momento', granularity: 'hour' }] }, { now: NOW });
    const { candidates, rejections } = explainMatch(query, model);
    expect(candidates).toEqual(['eventos.ao_vivo']);
    expect(rejections).toContainEqual({ preAggregation: 'eventos.duplo', reason: expect.stringMatching(/unions 2 rollups; only one batch rollup/) });
    expect(rejections).toContainEqual({ preAggregation: 'eventos.lote', reason: expect.stringMatching(/served through the lambda/) });
  });
});
