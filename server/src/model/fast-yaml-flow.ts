/**
 * Scalars and flow collections (`{ a: 1 }`, `[x, y]`) for the fast YAML path (see fast-yaml.ts).
 * Anything outside the handled subset throws `Unsupported`, and the caller falls back to `yaml`.
 */
import type { SourceLocation } from './model-types.ts';
import type { YMap, YNode, YSeq } from './yaml-nodes.ts';

/** Thrown when the fast path meets YAML it does not handle. */
export class Unsupported extends Error {}

export const bail = (): never => {
  throw new Unsupported();
};

/** A complete scalar written on one line (plain or quoted). */
export function parseScalarText(text: string): string | number | boolean | null {
  if (text[0] === '"') return parseDoubleQuoted(text);
  if (text[0] === "'") {
    if (text.length < 2 || text[text.length - 1] !== "'") bail();
    const inner = text.slice(1, -1);
    if (/'(?!')/.test(inner.replace(/''/g, ''))) bail();
    return inner.replace(/''/g, "'");
  }
  return resolvePlain(text);
}

function parseDoubleQuoted(text: string): string {
  if (text.length < 2 || text[text.length - 1] !== '"') bail();
  const inner = text.slice(1, -1);
  if (/(^|[^\\])(\\\\)*"/.test(inner)) bail();
  try {
    // JSON's escapes are a subset of YAML's; anything else (\x, \e, \0 ...) falls back.
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return bail();
  }
}

const COMMA = 44;
const COLON = 58;
const SPACE = 32;
const CLOSE_SQUARE = 93;
const CLOSE_CURLY = 125;

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** YAML 1.2 core schema for plain scalars. */
export function resolvePlain(text: string): string | number | boolean | null {
  if (/^[&*!|>%@`?{}[\],]/.test(text) || text.includes(': ') || text.endsWith(':') || text.includes(' #')) bail();
  if (text.startsWith('- ') || text === '-') bail();
  switch (text) {
    case 'null': case 'Null': case 'NULL': case '~': return null;
    case 'true': case 'True': case 'TRUE': return true;
    case 'false': case 'False': case 'FALSE': return false;
  }
  // Only text starting with a digit, sign or dot can be a number.
  const first = text.charCodeAt(0);
  if (!(first >= 48 && first <= 57) && first !== 43 && first !== 45 && first !== 46) return text;
  if (INT.test(text)) return Number(text);
  if (FLOAT.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text) || /^0x[0-9a-fA-F]+$/.test(text) || /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(text)) bail();
  return text;
}

/** Flow collections on one logical line (already joined). */
export class FlowParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly locate: (offset: number) => SourceLocation,
  ) {}

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  expectEnd(): void {
    this.skipSpaces();
    if (this.pos !== this.text.length) bail();
  }

  parseValue(): YNode {
    this.skipSpaces();
    const c = this.text[this.pos];
    if (c === '{') return this.parseMap();
    if (c === '[') return this.parseSeq();
    const location = this.locate(this.pos);
    return { kind: 'scalar', value: this.parseScalar(), location };
  }

  private parseScalar(): string | number | boolean | null {
    const start = this.pos;
    const c = this.text[start];
    if (c === '"' || c === "'") {
      let i = start + 1;
      for (; i < this.text.length; i++) {
        if (c === '"' && this.text[i] === '\\') i++;
        else if (this.text[i] === c) {
          if (c === "'" && this.text[i + 1] === "'") i++;
          else break;
        }
      }
      if (i >= this.text.length) bail();
      this.pos = i + 1;
      return parseScalarText(this.text.slice(start, i + 1));
    }
    let i = start;
    const { text } = this;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === COMMA || code === CLOSE_SQUARE || code === CLOSE_CURLY) break;
      if (code === COLON) {
        const after = text.charCodeAt(i + 1);
        if (Number.isNaN(after) || after === SPACE || after === COMMA || after === CLOSE_SQUARE || after === CLOSE_CURLY) break;
      }
    }
    this.pos = i;
    const raw = this.text.slice(start, i).trim();
    if (raw === '') bail();
    return resolvePlain(raw);
  }

  private parseSeq(): YSeq {
    const location = this.locate(this.pos);
    this.pos++;
    const items: YNode[] = [];
    this.skipSpaces();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'seq', items, location };
    }
    for (;;) {
      items.push(this.parseValue());
      this.skipSpaces();
      const c = this.text[this.pos++];
      if (c === ']') return { kind: 'seq', items, location };
      if (c !== ',') bail();
      this.skipSpaces();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { kind: 'seq', items, location };
      }
    }
  }

  private parseMap(): YMap {
    const location = this.locate(this.pos);
    this.pos++;
    const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
    this.skipSpaces();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'map', entries, location };
    }
    for (;;) {
      this.skipSpaces();
      const keyLocation = this.locate(this.pos);
      const key = this.parseScalar();
      if (typeof key !== 'string' && typeof key !== 'number') bail();
      this.skipSpaces();
      if (this.text[this.pos] !== ':') bail();
      this.pos++;
      this.skipSpaces();
      const c = this.text[this.pos];
      const value: YNode = c === ',' || c === '}' ? { kind: 'scalar', value: null, location: keyLocation } : this.parseValue();
      if (entries.has(String(key))) bail();
      entries.set(String(key), { keyLocation, value });
      this.skipSpaces();
      const sep = this.text[this.pos++];
      if (sep === '}') return { kind: 'map', entries, location };
      if (sep !== ',') bail();
      this.skipSpaces();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'map', entries, location };
      }
    }
  }
}
