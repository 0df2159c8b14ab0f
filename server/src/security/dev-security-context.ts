/**
 * The security context of a caller without credentials in dev mode (`CUBEJS_DEV_MODE=true`): REST
 * and GraphQL requests without an Authorization header (the playground, `curl` against `npm start`)
 * and SQL API logins when no login is configured. It is an explicit member of the `internal` group,
 * which the shipped model's access policies grant in full, instead of an empty context: an empty
 * context belongs to no group and sees nothing (deny by default). A model whose policies do not
 * name `internal` shows dev mode only what they grant that group.
 */
import type { SecurityContext } from './access-types.ts';

/** The group dev mode's callers belong to; the shipped policies grant it every member and row. */
export const DEV_GROUP = 'internal';

export const DEV_SECURITY_CONTEXT: SecurityContext = Object.freeze({ groups: Object.freeze([DEV_GROUP]) });
