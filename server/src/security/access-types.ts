/**
 * What access decisions are made from: the caller's security context and the groups it belongs
 * to (Cube's `contextToGroups`). Plain data; created once per request by `AccessControl.resolve`.
 */
/** Claims of the verified JWT (or what `checkSqlAuth` returned): drives row-level security. */
export type SecurityContext = Readonly<Record<string, unknown>>;

/** The caller as access policies see it. */
export interface Access {
  readonly securityContext: SecurityContext;
  /** Groups `access_policy` entries are matched against (`group: "*"` matches any, even none); empty when none could be read. */
  readonly groups: readonly string[];
}
