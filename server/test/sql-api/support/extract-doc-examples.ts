/**
 * The SQL examples of a Markdown document, as a reader would copy them: the statements of ```sql
 * blocks, the `psql … -c "…"` command lines of any code block (with the output printed under them
 * in the same block), and inline code spans holding a whole `SELECT … FROM …` query.
 */

/** One example and where it is in its document. */
export interface DocExample {
  readonly doc: string;
  readonly line: number;
  readonly kind: 'sql-block' | 'psql' | 'inline';
  readonly sql: string;
  /** For psql: the connection argument as written (URL or key=value string). */
  readonly conninfo?: string;
  /** For psql: the lines printed under the command in the same code block. */
  readonly output?: readonly string[];
}

const FENCE = /^\s*```(\w*)\s*$/;
const PSQL = /^\s*(?:\$\s*)?psql\s+(.*)$/;

export function extractDocExamples(doc: string, markdown: string): DocExample[] {
  const lines = markdown.split('\n');
  const examples: DocExample[] = [];
  const prose: string[] = [];
  let block: { lang: string; start: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = FENCE.exec(text);
    if (fence && !block) {
      block = { lang: fence[1]!, start: i + 1, body: [] };
      prose.push('');
    } else if (fence && block) {
      examples.push(...fromBlock(doc, block));
      block = undefined;
      prose.push('');
    } else if (block) {
      block.body.push(text);
      prose.push('');
    } else {
      prose.push(text);
    }
  });
  return [...examples, ...inlineQueries(doc, prose)].sort((a, b) => a.line - b.line);
}

function fromBlock(doc: string, block: { lang: string; start: number; body: string[] }): DocExample[] {
  const out: DocExample[] = [];
  if (block.lang === 'sql') {
    let start = 0;
    let current: string[] = [];
    block.body.forEach((text, i) => {
      if (!current.length) start = i;
      current.push(text);
      if (/;\s*$/.test(text)) {
        out.push({ doc, line: block.start + start + 1, kind: 'sql-block', sql: current.join('\n').trim().replace(/;\s*$/, '') });
        current = [];
      }
    });
    if (current.join('').trim()) out.push({ doc, line: block.start + start + 1, kind: 'sql-block', sql: current.join('\n').trim() });
    return out;
  }
  block.body.forEach((text, i) => {
    const m = PSQL.exec(text);
    if (!m) return;
    const args = shellWords(m[1]!);
    const c = args.indexOf('-c');
    if (c < 0 || c + 1 >= args.length) return;
    const conninfo = args.find((a, k) => k !== c + 1 && !a.startsWith('-'));
    const output = block.body.slice(i + 1).filter((l) => !PSQL.test(l));
    out.push({ doc, line: block.start + i + 1, kind: 'psql', sql: args[c + 1]!, conninfo, output });
  });
  return out;
}

/** Words of a shell command line: single and double quotes, no expansion (enough for psql lines). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!));
  return words;
}

function inlineQueries(doc: string, prose: readonly string[]): DocExample[] {
  const text = prose.join('\n');
  const out: DocExample[] = [];
  const re = /`([^`]+)`/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const sql = m[1]!.replace(/\s+/g, ' ').trim();
    if (/^SELECT\b.*\bFROM\b/i.test(sql)) out.push({ doc, line: text.slice(0, m.index).split('\n').length, kind: 'inline', sql });
  }
  return out;
}
