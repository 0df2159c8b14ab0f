/**
 * The OpenAPI document's query schemas are generated from the one query schema
 * (server/src/query/query-schema.ts): the committed openapi.yaml must hold exactly what
 * `npm run openapi:write` writes, and the served document carries them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH, loadOpenApiDocument } from '../../src/api/rest/openapi-routes.ts';
import { withGeneratedQuerySchemas } from '../../src/api/rest/openapi-query-schemas.ts';
import { QUERY_SCHEMA_IDS, queryJsonSchemas } from '../../src/query/query-schema.ts';

describe('openapi.yaml query schemas', () => {
  it('are up to date with query-schema.ts (run `npm run openapi:write` when this fails)', () => {
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    expect(withGeneratedQuerySchemas(committed)).toBe(committed);
  });

  it('are the generated ones once parsed, with rowLimit and joinHints documented', () => {
    const schemas = (loadOpenApiDocument() as { components: { schemas: Record<string, unknown> } }).components.schemas;
    const generated = queryJsonSchemas();
    for (const id of QUERY_SCHEMA_IDS) expect(schemas[id], id).toEqual(generated[id]);
    const query = schemas.Query as { properties: Record<string, { anyOf?: unknown[]; maxItems?: number }>; additionalProperties: boolean };
    expect(query.additionalProperties).toBe(false);
    expect(Object.keys(query.properties)).toEqual(expect.arrayContaining(['rowLimit', 'joinHints', 'limit', 'responseFormat']));
    expect(query.properties.joinHints!.maxItems).toBe(0);
  });

  it('leaves the hand-written rest of the document alone', () => {
    const text = 'openapi: 3.1.0\ncomponents:\n  schemas:\n    # BEGIN generated from server/src/query/query-schema.ts by x\n    Old: {}\n    # END generated\n    Kept: { type: string }   # note\n';
    const out = withGeneratedQuerySchemas(text);
    expect(out.startsWith('openapi: 3.1.0\ncomponents:\n  schemas:\n    # BEGIN generated from server/src/query/query-schema.ts by x\n    Query:\n')).toBe(true);
    expect(out.endsWith('    # END generated\n    Kept: { type: string }   # note\n')).toBe(true);
    expect(out).not.toContain('Old:');
  });
});
