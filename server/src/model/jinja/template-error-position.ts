/**
 * Where in a template a nunjucks error happened, when nunjucks does not say. It numbers lines only
 * for some errors: a missing filter is found when the template runs, with no position, and a tag
 * left open at the end of the file fails with no token to point at. Then the template's own text
 * is searched for the tag the message names (the filter, the called function, the block tag), or
 * for the tag left unterminated or the block left unclosed, so the problem lands on the line to fix.
 */

/** A 1-based line and column in a template. */
export interface TemplatePosition {
  readonly line: number;
  readonly column: number;
}

/** One `{% %}`, `{{ }}` or `{# #}` of a template; `closed` false when the file ends inside it. */
interface TemplateTag {
  readonly opener: '{%' | '{{' | '{#';
  readonly start: number;
  readonly body: string;
  readonly bodyStart: number;
  readonly closed: boolean;
}

const CLOSER = { '{%': '%}', '{{': '}}', '{#': '#}' } as const;
/** Tags that open a block closed by `end<name>` (`set` only in its block form, without `=`). */
const BLOCK_TAGS = /^(for|if|macro|call|filter|block|raw|verbatim|set)\b/;

/** The best position for `message` in `source`; undefined when nothing in the text points at it. */
export function findErrorPosition(message: string, source: string): TemplatePosition | undefined {
  const tags = scanTags(source);
  const code = tags.filter((t) => t.opener !== '{#');
  const named = namedInMessage(message);
  if (named) {
    for (const tag of code) {
      const match = named.exec(tag.body);
      if (match) return positionAt(source, tag.bodyStart + match.index + match[0].length - match[1]!.length);
    }
  }
  const unterminated = tags.find((t) => !t.closed);
  if (unterminated) return positionAt(source, unterminated.start);
  if (/end of file|expected (block|variable) end/i.test(message)) {
    const unclosed = innermostUnclosedBlock(code);
    if (unclosed) return positionAt(source, unclosed.start);
  }
  return undefined;
}

/** The construct a message names, as a pattern over a tag's body whose group 1 is the name. */
function namedInMessage(message: string): RegExp | undefined {
  const filter = /filter not found: ([\w.]+)/.exec(message);
  if (filter) return new RegExp(`\\|\\s*(${escape(filter[1]!)})\\b`);
  const call = /Unable to call `([^`]+)`/.exec(message);
  if (call) return new RegExp(`(?:^|[^\\w.])(${escape(call[1]!)})\\s*\\(`);
  const tag = /unknown block tag: (\w+)/.exec(message);
  if (tag) return new RegExp(`^[-\\s]*(${escape(tag[1]!)})\\b`);
  return undefined;
}

function scanTags(source: string): TemplateTag[] {
  const tags: TemplateTag[] = [];
  const openers = /\{[%{#]/g;
  let match: RegExpExecArray | null;
  while ((match = openers.exec(source))) {
    const opener = match[0] as TemplateTag['opener'];
    const bodyStart = match.index + 2;
    const end = source.indexOf(CLOSER[opener], bodyStart);
    tags.push({ opener, start: match.index, bodyStart, body: source.slice(bodyStart, end < 0 ? undefined : end), closed: end >= 0 });
    if (end < 0) break;
    openers.lastIndex = end + 2;
  }
  return tags;
}

/** The last block tag (`{% for %}`, `{% if %}`, ...) with no matching `{% end... %}`. */
function innermostUnclosedBlock(tags: readonly TemplateTag[]): TemplateTag | undefined {
  const open: Array<{ name: string; tag: TemplateTag }> = [];
  for (const tag of tags) {
    if (tag.opener !== '{%') continue;
    const words = tag.body.replace(/^[-+\s]+/, '');
    const end = /^end(\w+)/.exec(words);
    if (end) {
      const at = open.map((o) => o.name).lastIndexOf(end[1]!);
      if (at >= 0) open.splice(at);
      continue;
    }
    const block = BLOCK_TAGS.exec(words);
    if (block && !(block[1] === 'set' && words.includes('='))) open.push({ name: block[1]!, tag });
  }
  return open.at(-1)?.tag;
}

function positionAt(source: string, offset: number): TemplatePosition {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
