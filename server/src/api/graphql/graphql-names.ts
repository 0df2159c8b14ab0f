/**
 * Naming rules of Cube's GraphQL schema, so queries written for Cube work here unchanged:
 * a cube `line_items` is the field `line_items` (first letter lower-cased) of type
 * `LineItemsMembers`, filtered by `LineItemsWhereInput`, ordered by `LineItemsOrderByInput`.
 */

/** Field name of a cube/view inside `cube { … }`. */
export function cubeFieldName(cubeName: string): string {
  return cubeName.charAt(0).toLowerCase() + cubeName.slice(1);
}

/** Prefix of the GraphQL type names of a cube/view: PascalCase of its name. */
export function cubeTypeName(cubeName: string): string {
  return cubeName
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** GraphQL names must match /^[_A-Za-z][_0-9A-Za-z]*$/; members that do not are left out of the schema. */
export function isGraphqlName(name: string): boolean {
  return /^[_A-Za-z][_0-9A-Za-z]*$/.test(name);
}
