/**
 * A sample `cube.config.ts`: copy it to the repository root (or point CUBEJS_CONFIG_PATH at it).
 * It shows each hook the server reads; every one is optional.
 */
import { defineConfig } from './cube-config-types.ts';
import type { Filter } from '../query/query-types.ts';
import { readGroupClaim } from '../security/read-group-claim.ts';

// Your identity provider's role names → the groups the model's access_policy entries name.
const ROLE_TO_GROUP = new Map([
  ['store-manager', 'gerente_loja'],
  ['marketing', 'analista_marketing'],
  ['bi-team', 'internal'],
]);

export default defineConfig({
  // Browser apps of these origins may call REST and GraphQL (without `http.cors`: none may).
  http: { cors: { origin: ['https://dashboards.loja.example.com'], maxAge: 600 } },
  // Row-level security: a token carrying `{ "estado": "SP" }` only sees customers from São Paulo.
  queryRewrite(query, { securityContext }) {
    const estado = securityContext.estado;
    if (typeof estado !== 'string') return query;
    const filter: Filter = { member: 'dim_cliente.estado', operator: 'equals', values: [estado] };
    return { ...query, filters: [...(query.filters ?? []), filter] };
  },
  // One cache namespace per tenant.
  contextToAppId: ({ securityContext }) => `app_${String(securityContext.tenant ?? 'default')}`,
  // Groups the model's access_policy entries name (internal, gerente_loja, analista_marketing).
  // Without this hook the server reads the `groups` claim only, and a context whose groups it
  // cannot read sees nothing. Keep the one line that matches your identity provider's tokens:
  //   { "roles": ["gerente_loja"] }                      readGroupClaim(securityContext, 'roles')
  //   { "role": "gerente_loja" }                         readGroupClaim(securityContext, 'role')
  //   { "cognito:groups": ["gerente_loja"] } (Cognito)   readGroupClaim(securityContext, 'cognito:groups')
  //   { "https://loja.example.com/roles": [...] } (Auth0 namespaced claim)
  //                                                      readGroupClaim(securityContext, 'https://loja.example.com/roles')
  //   { "realm_access": { "roles": [...] } } (Keycloak)  readGroupClaim(securityContext, ['realm_access', 'roles'])
  // Here: Cognito groups as they are, and Auth0 roles renamed to the model's groups.
  contextToGroups: ({ securityContext }) => [
    ...readGroupClaim(securityContext, 'cognito:groups'),
    ...readGroupClaim(securityContext, 'https://loja.example.com/roles').flatMap((role) => ROLE_TO_GROUP.get(role) ?? []),
  ],
  // The SQL API (Power BI) logs in with a user name and password, not a JWT.
  checkSqlAuth(user, password) {
    if (user !== process.env.CUBEJS_SQL_USER) throw new Error(`unknown SQL user ${String(user)}`);
    return { password: process.env.CUBEJS_SQL_PASSWORD ?? password ?? '', securityContext: { user } };
  },
});
