/**
 * The layer rule of server/src (STYLE.md, issue 13): APIs → engine → planner → sql → drivers, with
 * model/, query/, time/ and errors/ below everything that reads them; nothing imports upward and
 * no module takes part in an import cycle. `npm test` runs it (scripts/test-all.sh).
 *
 * reuse/ (answer key, freshness rules, the bounded store, coalescing, "Continue wait", the queue per
 * data source) sits below the engine and above the model, query/, time/ and the drivers' types: the
 * engine, preagg/ and the HTTP APIs use it; it never imports them. Its store (bounded-store.ts) is a
 * leaf, the one piece of reuse/ the model's parse cache may use.
 *
 * Known crossing still allowed, to be removed by issue 13's pipeline work:
 * security/limit-engine-clients.ts wraps the engine's interface. preagg/ reads only the contracts of
 * engine/engine-types.ts (the rollup match, and the build compiler it is handed: builds go through
 * the engine's stages without preagg/ importing them; rule preagg-reads-engine-contracts);
 * security/ applies policies to the plan the engine's plan stage built and never plans itself
 * (security-does-not-plan).
 */
const SRC = '^server/src/';
const layer = (name) => `${SRC}${name}/`;
const above = (...names) => names.map(layer);

/** `from` may not import any of `to`. */
const never = (name, from, to, comment) => ({ name, severity: 'error', comment, from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle: split the shared contract into its own module.', from: { path: SRC }, to: { circular: true } },
    never('errors-are-a-leaf', layer('errors'), `${SRC}(?!errors/)`, 'errors/ is imported by every layer; it imports none.'),
    never('time-reads-only-errors', layer('time'), `${SRC}(?!time/|errors/)`, 'time/ is calendar arithmetic; it imports only errors/.'),
    never('drivers-are-the-bottom', layer('drivers'), `${SRC}(?!drivers/|errors/|util/|config/)`, 'drivers/ talk to engines; they know nothing of SQL generation or the model.'),
    never('sql-below-planner', layer('sql'), above('planner', 'engine', 'api', 'preagg', 'reuse', 'security', 'lakehouse', 'cli', 'config'), 'sql/ renders nodes; the planner and everything above use it, not the reverse.'),
    never('planner-below-engine', layer('planner'), above('engine', 'api', 'preagg', 'reuse', 'security', 'lakehouse', 'cli', 'config'), 'The planner turns a normalized query into nodes; it never calls back into the engine.'),
    never('query-below-planner', layer('query'), above('planner', 'sql', 'drivers', 'engine', 'api', 'preagg', 'reuse', 'security', 'lakehouse', 'cli'), 'query/ is the query schema and its normalization.'),
    {
      name: 'model-below-everything', severity: 'error', comment: 'The compiled model is plain data read by every layer (its parse cache uses only the bounded store of reuse/).',
      from: { path: layer('model') }, to: { path: above('query', 'planner', 'sql', 'drivers', 'engine', 'api', 'preagg', 'reuse', 'security', 'lakehouse', 'cli'), pathNot: `${SRC}reuse/bounded-store\\.ts$` },
    },
    never('reuse-below-engine', layer('reuse'), above('engine', 'api', 'cli', 'preagg', 'security', 'planner', 'sql', 'lakehouse', 'config'), 'reuse/ keys, keeps and coalesces answers for the engine, the APIs and the rollup builds; it knows none of them.'),
    never('bounded-store-is-a-leaf', `${SRC}reuse/bounded-store\\.ts$`, SRC, 'The store imports nothing from the server, so the model below reuse/ may use it.'),
    never('engine-below-apis', layer('engine'), above('api', 'cli'), 'The engine answers queries; the APIs call it.'),
    never('security-below-apis', layer('security'), above('api', 'cli', 'preagg', 'reuse'), 'security/ decides who sees what; the APIs and the engine call it.'),
    never('lakehouse-below-serving', layer('lakehouse'), above('api', 'engine', 'planner', 'sql', 'preagg', 'reuse', 'security', 'query', 'cli'), 'The pipeline builds the lakehouse; it never imports the semantic layer.'),
    {
      name: 'apis-apart', severity: 'error', comment: 'REST, GraphQL and the SQL API meet only in the engine (the playground serves pages to them).',
      from: { path: `${SRC}api/([^/]+)/` }, to: { path: `${SRC}api/`, pathNot: `${SRC}api/($1|playground)/` },
    },
    never('preagg-reads-engine-contracts', layer('preagg'), `${SRC}engine/(?!engine-types\\.ts$)`, 'preagg/ implements the rollup contract of engine/engine-types.ts and receives the engine\'s build compiler (CompileBuildQuery); the engine calls it, never the reverse.'),
    never('security-does-not-plan', layer('security'), `${SRC}planner/(build-plan|render-plan)\\.ts$`, 'The engine plans a query once (engine/stages/plan-queries.ts); security/ reads that plan\'s join tree.'),
    never('src-not-tests', SRC, '^server/test/|\\.test\\.ts$', 'Production code never imports tests or their support.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^server/playground/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
