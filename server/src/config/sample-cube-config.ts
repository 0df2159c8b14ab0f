/**
 * A sample `cube.config.ts`: copy it to the repository root (or point CUBEJS_CONFIG_PATH at it).
 * It shows each hook the server reads; every one is optional.
 */
import { defineConfig } from './cube-config-types.ts';
import type { Filter } from '../query/query-types.ts';

export default defineConfig({
  // Row-level security: a token carrying `{ "estado": "SP" }` only sees customers from São Paulo.
  queryRewrite(query, { securityContext }) {
    const estado = securityContext.estado;
    if (typeof estado !== 'string') return query;
    const filter: Filter = { member: 'dim_cliente.estado', operator: 'equals', values: [estado] };
    return { ...query, filters: [...(query.filters ?? []), filter] };
  },
  // One cache namespace per tenant.
  contextToAppId: ({ securityContext }) => `app_${String(securityContext.tenant ?? 'default')}`,
  // Groups the model's access_policy entries name (gerente_loja, analista_marketing). Without this
  // hook the server reads the `groups` claim; an identity provider may put them elsewhere.
  contextToGroups: ({ securityContext }) => {
    const groups = securityContext['cognito:groups'] ?? securityContext.groups;
    return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
  },
  // The SQL API (Power BI) logs in with a user name and password, not a JWT.
  checkSqlAuth(user, password) {
    if (user !== process.env.CUBEJS_SQL_USER) throw new Error(`unknown SQL user ${String(user)}`);
    return { password: process.env.CUBEJS_SQL_PASSWORD ?? password ?? '', securityContext: { user } };
  },
});
