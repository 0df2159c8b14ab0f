/**
 * Positions inside a JavaScript definition object: follows the keys of a value (`measures` →
 * `count` → `sql`) down the acorn tree of the object literal it came from, so a problem found by
 * the compiler names the line of the key. Where the value was computed (a spread, a variable, a
 * loop) the nearest enclosing literal's position is used.
 */
import type { SourceLocation } from '../model-types.ts';
import type { LineIndex } from './line-index.ts';

type AnyNode = { type: string; start: number } & Record<string, unknown>;

/** A position in a definition, and how to reach its children. */
export class AstLocator {
  private cached: SourceLocation | undefined;
  private cachedKey: SourceLocation | undefined;

  constructor(
    private readonly file: string,
    private readonly lines: LineIndex | undefined,
    private readonly node: AnyNode | undefined,
    private readonly fallback: SourceLocation,
    private readonly keyNode?: AnyNode,
  ) {}

  /** Where the value starts (or the nearest known position). */
  get location(): SourceLocation {
    this.cached ??= this.node ? this.at(this.node) : this.fallback;
    return this.cached;
  }

  /** Where the key of this value is written (the value's position when it has no key). */
  get keyLocation(): SourceLocation {
    this.cachedKey ??= this.keyNode ? this.at(this.keyNode) : this.location;
    return this.cachedKey;
  }

  /** The locator of a property (object key) or element (array index). */
  child(key: string | number): AstLocator {
    const node = unwrap(this.node);
    if (node?.type === 'ObjectExpression' && typeof key === 'string') {
      const properties = node.properties as AnyNode[];
      for (let i = properties.length - 1; i >= 0; i--) {
        const property = properties[i]!;
        if (property.type !== 'Property' || property.computed) continue;
        if (staticKey(property.key as AnyNode) === key) return new AstLocator(this.file, this.lines, property.value as AnyNode, this.fallback, property.key as AnyNode);
      }
    }
    if (node?.type === 'ArrayExpression' && typeof key === 'number') {
      const element = (node.elements as (AnyNode | null)[])[key];
      if (element && element.type !== 'SpreadElement') return new AstLocator(this.file, this.lines, element, this.fallback);
    }
    return new AstLocator(this.file, this.lines, undefined, this.location);
  }

  private at(node: AnyNode): SourceLocation {
    return this.lines ? this.lines.at(node.start, this.file) : this.fallback;
  }
}

/** Sees through `() => ({...})`, `() => [...]` and `function () { return ... }`. */
function unwrap(node: AnyNode | undefined): AnyNode | undefined {
  if (!node) return undefined;
  if (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') {
    const body = node.body as AnyNode;
    if (body.type !== 'BlockStatement') return unwrap(body);
    const statements = body.body as AnyNode[];
    const last = statements[statements.length - 1];
    return last?.type === 'ReturnStatement' ? unwrap(last.argument as AnyNode) : undefined;
  }
  return node;
}

function staticKey(key: AnyNode): string | undefined {
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal') return String(key.value);
  return undefined;
}
