/**
 * What the SQL API asked the semantic engine, and what answered: the Postgres wire says nothing
 * about rollups, so tests and benches wrap the engine they hand to `startSqlServer` and read
 * each call's semantic query and `usedPreAggregations` (the names REST's `/load` returns).
 */
import type { SemanticEngine } from '../../../src/engine/engine-types.ts';
import type { CubeQuery } from '../../../src/query/query-types.ts';

/** One engine call: `load` (one answer) or `stream` (an answer read in chunks). */
export interface EngineCall {
  readonly via: 'load' | 'stream';
  readonly query: CubeQuery;
  /** `cube.rollup` names that answered; empty when the source did. */
  readonly rollups: readonly string[];
}

/** `engine` with every `load`/`stream` appended to `calls` once it has answered (failed calls are not recorded). */
export function recordEngineCalls(engine: SemanticEngine, calls: EngineCall[]): SemanticEngine {
  const recorded: SemanticEngine = {
    ...engine,
    async load(query, ctx) {
      const response = await engine.load(query, ctx);
      calls.push({ via: 'load', query, rollups: response.results.flatMap((r) => Object.keys(r.usedPreAggregations)) });
      return response;
    },
  };
  if (engine.stream) {
    const stream = engine.stream.bind(engine);
    recorded.stream = async (query, ctx) => {
      const streamed = await stream(query, ctx);
      calls.push({ via: 'stream', query, rollups: Object.keys(streamed.usedPreAggregations) });
      return streamed;
    };
  }
  return recorded;
}
