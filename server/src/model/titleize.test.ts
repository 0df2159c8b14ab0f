import { describe, expect, it } from 'vitest';
import { titleize } from './titleize.ts';

describe('titleize (Cube default titles)', () => {
  it('humanizes snake_case and camelCase names', () => {
    expect(titleize('fato_vendas')).toBe('Fato Vendas');
    expect(titleize('valor_liquido')).toBe('Valor Liquido');
    expect(titleize('totalQuantity')).toBe('Total Quantity');
    expect(titleize('BigECommerce')).toBe('Big E Commerce');
  });

  it('keeps the small words inflection keeps lower case, except first', () => {
    expect(titleize('half_year_by_1st_april')).toBe('Half Year by 1st April');
    expect(titleize('createdAt')).toBe('Created at');
    expect(titleize('of_the_month')).toBe('Of the Month');
  });
});
