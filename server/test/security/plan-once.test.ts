/**
 * "Plan once" (issue 13): the engine plans a query once, authorizes it with that plan's join tree,
 * and adds the access policies' row filters to the plan (planner/add-row-filters.ts) instead of
 * planning the secured query again. Over the repository's model and its shipped policies, for a
 * store manager (row filters) and the marketing analyst (member rules only): the plan the engine
 * keeps equals the one the planner builds from scratch for the secured query, and the join tree is
 * reused (not planned again) whenever the filters reach only cubes it already joins.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileModel, readModelFiles } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { normalizeQuery } from '../../src/query/normalize-query.ts';
import { buildPlan } from '../../src/planner/build-plan.ts';
import { addRowFilters } from '../../src/planner/add-row-filters.ts';
import { secureQuery } from '../../src/security/secure-query.ts';
import type { Access } from '../../src/security/access-types.ts';
import { CONTEXTS, MODEL_DIR } from './support/security-fixture.ts';

const NOW = new Date('2026-03-15T12:00:00Z');
let model: SemanticModel;

beforeAll(async () => {
  model = compileModel(await readModelFiles(path.resolve(MODEL_DIR)));
});

const manager: Access = { securityContext: CONTEXTS.managerL002, groups: ['gerente_loja'] };
const analyst: Access = { securityContext: CONTEXTS.marketing, groups: ['analista_marketing'] };

const QUERIES = [
  { measures: ['fato_vendas.count'] },
  { measures: ['fato_vendas.count'], dimensions: ['dim_loja.loja_id'] },
  { measures: ['vendas.count'], dimensions: ['vendas.canal_nome'] },
  { measures: ['fato_vendas.count'], dimensions: ['dim_canal.nome'], filters: [{ member: 'dim_loja.loja_id', operator: 'equals', values: ['L002'] }] },
  { dimensions: ['fato_vendas.pedido_id', 'fato_vendas.origem'], ungrouped: true, limit: 100 },
  { measures: ['fato_devolucoes.count'] },
  { dimensions: ['dim_loja.loja_id', 'dim_loja.nome'] },
];

/** The engine's way: plan, secure with that plan's join tree, add the row filters to the plan. */
function planOnce(query: object, access: Access) {
  const normalized = normalizeQuery(model, query, { now: NOW });
  const plan = buildPlan(model, normalized);
  const secured = secureQuery(model, normalized, access, NOW, plan.joinTree);
  return { plan, secured, kept: addRowFilters(model, secured, plan) };
}

describe('the plan is built once and gains the row filters', () => {
  it('equals the plan of the secured query built from scratch, for every query of a store manager', () => {
    let reused = 0;
    for (const query of QUERIES) {
      const { plan, secured, kept } = planOnce(query, manager);
      expect(secured.rowFilters?.length ?? 0, JSON.stringify(query)).toBeGreaterThan(0);
      expect(kept, JSON.stringify(query)).toEqual(buildPlan(model, secured));
      if (kept.joinTree === plan.joinTree) reused += 1;
    }
    // The store filter of a cube the query already joins never plans again.
    expect(reused).toBeGreaterThan(0);
  });

  it('is the very plan when the policies add no row filter (member rules only)', () => {
    const { plan, secured, kept } = planOnce({ measures: ['fato_vendas.count'], dimensions: ['dim_canal.nome'] }, analyst);
    expect(secured.rowFilters ?? []).toEqual([]);
    expect(kept).toBe(plan);
  });
});
