/**
 * Default titles exactly as Cube derives them (CubeToMetaTransformer: pascal-case the name,
 * underscore it, then inflection's `titleize`): `fato_vendas` → "Fato Vendas",
 * `totalQuantity` → "Total Quantity", `half_year_by_1st_april` → "Half Year by 1st April".
 * A member's title is "<cube title> <member title>", its short title the member title alone.
 */

// inflection keeps these words lower case unless they open the title.
const NON_TITLECASED = new Set([
  'and', 'or', 'nor', 'a', 'an', 'the', 'so', 'but', 'to', 'of', 'at', 'by', 'from', 'into', 'on', 'onto',
  'off', 'out', 'in', 'over', 'with', 'for',
]);

const cache = new Map<string, string>();

/** Human title of a cube or member name. */
export function titleize(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const title = computeTitle(name);
  if (cache.size < 50_000) cache.set(name, title);
  return title;
}

function computeTitle(name: string): string {
  const underscored = name
    .replace(/[-\s]+/g, '_')
    .replace(/([A-Z]+)([A-Z][a-z\d]+)/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .toLowerCase();
  const words = underscored.split('_').filter((w) => w.length > 0);
  const titled = words.map((w) => (NON_TITLECASED.has(w) ? w : w.charAt(0).toUpperCase() + w.slice(1))).join(' ');
  return titled.charAt(0).toUpperCase() + titled.slice(1);
}
