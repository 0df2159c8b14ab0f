/**
 * The measures of the `vendas` view and their types, read straight from the YAML in model/ (not
 * through the model compiler under test): the view's `fato_vendas` includes that are measures of
 * `fato_vendas`. Additive measures (type sum or count) are the ones a BI tool may always sum.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../../model');

/** A measure of the view as the YAML declares it. */
export interface ViewMeasure {
  readonly name: string;
  readonly type: string;
  readonly additive: boolean;
}

interface CubeYaml { cubes: { name: string; measures?: { name: string; type: string }[] }[] }
interface ViewYaml { views: { name: string; cubes: { join_path: string; includes?: string[] | '*' }[] }[] }

export function vendasMeasures(): ViewMeasure[] {
  const cube = (parse(readFileSync(path.join(MODEL_DIR, 'cubes', 'fato_vendas.yml'), 'utf8')) as CubeYaml).cubes.find((c) => c.name === 'fato_vendas')!;
  const view = (parse(readFileSync(path.join(MODEL_DIR, 'views', 'vendas.yml'), 'utf8')) as ViewYaml).views.find((v) => v.name === 'vendas')!;
  const includes = view.cubes.find((c) => c.join_path === 'fato_vendas')!.includes;
  const types = new Map((cube.measures ?? []).map((m) => [m.name, m.type]));
  const names = includes === '*' || !includes ? [...types.keys()] : includes.filter((n) => types.has(n));
  return names.map((name) => {
    const type = types.get(name)!;
    return { name, type, additive: type === 'sum' || type === 'count' };
  });
}
