/**
 * Writes the query's schemas into the OpenAPI document: `components.schemas.Query`,
 * `TimeDimension`, `DateRange` and `Filter` are generated from the one query schema
 * (`query/query-schema.ts`), never edited by hand. They sit between the BEGIN/END comment lines
 * under `components.schemas` in `openapi.yaml`; the rest of the file (routes, responses) is
 * hand-written and left byte for byte as it is.
 * `npm run openapi:write` rewrites the file; `server/test/api/openapi-query-schema.test.ts` fails
 * while the committed file differs from what this produces.
 */
import { Document, isCollection, isScalar, visit } from 'yaml';
import { QUERY_SCHEMA_IDS, queryJsonSchemas } from '../../query/query-schema.ts';

const BEGIN = /^ {4}# BEGIN generated from server\/src\/query\/query-schema\.ts.*\n/m;
const END = /^ {4}# END generated\n/m;
/** Collections up to this many characters of JSON stay on one line in flow style (`{ type: string }`). */
const FLOW_WIDTH = 90;

/** `openapi.yaml`'s text with the text between its BEGIN/END lines replaced by the generated schemas. */
export function withGeneratedQuerySchemas(yamlText: string): string {
  const begin = BEGIN.exec(yamlText);
  const end = END.exec(yamlText);
  if (!begin || !end || end.index < begin.index) throw new Error('openapi.yaml lacks the "# BEGIN generated …" / "# END generated" lines under components.schemas');
  const start = begin.index + begin[0].length;
  return yamlText.slice(0, start) + querySchemasYaml() + yamlText.slice(end.index);
}

/** The generated schemas as YAML, indented to sit under `components.schemas`. */
function querySchemasYaml(): string {
  const schemas = queryJsonSchemas();
  const doc = new Document(Object.fromEntries(QUERY_SCHEMA_IDS.map((id) => [id, schemas[id]])));
  visit(doc, {
    Collection(_key, collection) {
      const short = JSON.stringify(collection.toJSON()).length <= FLOW_WIDTH;
      if (short || collection.items.every((item) => isScalar(item))) collection.flow = true;
    },
  });
  // The top level (one key per schema) and each schema's own map stay in block style.
  if (isCollection(doc.contents)) {
    doc.contents.flow = false;
    for (const item of doc.contents.items) if (item && typeof item === 'object' && 'value' in item && isCollection(item.value)) item.value.flow = false;
  }
  const text = doc.toString({ lineWidth: 0, singleQuote: true });
  return text.replace(/^(?=.)/gm, '    ');
}
