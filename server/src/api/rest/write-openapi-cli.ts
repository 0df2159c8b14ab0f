/**
 * `npm run openapi:write`: regenerates the query schemas of `openapi.yaml` from
 * `query/query-schema.ts` (see `openapi-query-schemas.ts`). Prints whether the file changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { OPENAPI_PATH } from './openapi-routes.ts';
import { withGeneratedQuerySchemas } from './openapi-query-schemas.ts';

const before = readFileSync(OPENAPI_PATH, 'utf8');
const after = withGeneratedQuerySchemas(before);
if (after === before) {
  console.log(`${OPENAPI_PATH}: query schemas up to date`);
} else {
  writeFileSync(OPENAPI_PATH, after);
  console.log(`${OPENAPI_PATH}: query schemas regenerated`);
}
