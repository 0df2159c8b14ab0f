/**
 * Fixed vocabularies the generator draws from. Brazilian cities, names and retail categories keep
 * the sample close to the business the platform serves.
 */

/** City, state, region and a relative population weight (drives customer and store placement). */
export const CITIES: readonly (readonly [string, string, string, number])[] = [
  ['São Paulo', 'SP', 'Sudeste', 12], ['Rio de Janeiro', 'RJ', 'Sudeste', 7], ['Belo Horizonte', 'MG', 'Sudeste', 4],
  ['Campinas', 'SP', 'Sudeste', 2], ['Vitória', 'ES', 'Sudeste', 1], ['Curitiba', 'PR', 'Sul', 3],
  ['Porto Alegre', 'RS', 'Sul', 3], ['Florianópolis', 'SC', 'Sul', 2], ['Salvador', 'BA', 'Nordeste', 3],
  ['Recife', 'PE', 'Nordeste', 3], ['Fortaleza', 'CE', 'Nordeste', 3], ['Natal', 'RN', 'Nordeste', 1],
  ['Brasília', 'DF', 'Centro-Oeste', 3], ['Goiânia', 'GO', 'Centro-Oeste', 2], ['Campo Grande', 'MS', 'Centro-Oeste', 1],
  ['Manaus', 'AM', 'Norte', 2], ['Belém', 'PA', 'Norte', 2], ['Ribeirão Preto', 'SP', 'Sudeste', 1],
  ['Santos', 'SP', 'Sudeste', 1], ['Joinville', 'SC', 'Sul', 1],
];

export const FIRST_NAMES = ['Ana', 'Bruno', 'Carla', 'Diego', 'Eduarda', 'Felipe', 'Gabriela', 'Henrique', 'Isabela', 'João',
  'Larissa', 'Lucas', 'Mariana', 'Mateus', 'Natália', 'Otávio', 'Patrícia', 'Rafael', 'Sofia', 'Thiago', 'Vanessa',
  'Vinícius', 'Beatriz', 'Gustavo', 'Juliana', 'Pedro', 'Camila', 'Rodrigo', 'Letícia', 'André'];

export const LAST_NAMES = ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima',
  'Gomes', 'Costa', 'Ribeiro', 'Martins', 'Carvalho', 'Almeida', 'Lopes', 'Soares', 'Fernandes', 'Vieira', 'Barbosa'];

export const SEGMENTS = ['standard', 'premium', 'vip'];

/** Category, subcategory and a typical price that list prices scatter around. */
export const SUBCATEGORIES: readonly (readonly [string, string, number])[] = [
  ['Eletrônicos', 'Smartphones', 1800], ['Eletrônicos', 'Fones de ouvido', 250], ['Eletrônicos', 'Tablets', 1500],
  ['Informática', 'Notebooks', 3500], ['Informática', 'Periféricos', 150], ['Informática', 'Monitores', 1100],
  ['Eletrodomésticos', 'Cozinha', 400], ['Eletrodomésticos', 'Limpeza', 600], ['Eletrodomésticos', 'Climatização', 1300],
  ['Moda', 'Camisetas', 70], ['Moda', 'Calçados', 250], ['Moda', 'Acessórios', 90],
  ['Casa', 'Cama e banho', 120], ['Casa', 'Decoração', 80], ['Casa', 'Utilidades', 45],
  ['Esporte', 'Fitness', 160], ['Esporte', 'Ciclismo', 900], ['Beleza', 'Perfumes', 320], ['Beleza', 'Cuidados', 60],
  ['Brinquedos', 'Jogos', 150], ['Brinquedos', 'Bonecos', 110], ['Livros', 'Literatura', 55], ['Livros', 'Técnicos', 120],
];

export const BRANDS = ['Aurora', 'Boreal', 'Cobalto', 'Delta', 'Estrela', 'Fenix', 'Granito', 'Horizonte', 'Ipê', 'Jade',
  'Kora', 'Lumen', 'Mirante', 'Nimbus', 'Orion', 'Prisma', 'Quartzo', 'Rubi', 'Safira', 'Tucano', 'Urbano', 'Vértice'];

export const PAYMENT_METHODS = ['credito', 'debito', 'pix', 'dinheiro'];

/** Marketing sources with the medium they use. */
export const UTM_SOURCES: readonly (readonly [string, string])[] = [
  ['google', 'cpc'], ['facebook', 'social'], ['instagram', 'social'], ['email', 'email'], ['tiktok', 'social'],
  ['afiliados', 'affiliate'], ['criteo', 'display'],
];

/** Renders rows as a SQL VALUES list (strings quoted, numbers as is). */
export function valuesSql(rows: readonly (readonly (string | number)[])[]): string {
  return rows
    .map((row) => `(${row.map((v) => (typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`)).join(', ')})`)
    .join(',\n');
}

/** Renders strings as a DuckDB list literal. */
export function listSql(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}]`;
}
