/**
 * Reads one JavaScript model file with acorn before it runs: syntax errors with their line and
 * column; ES module syntax (`import`/`export`, which Cube's compiler transpiles) rewritten to the
 * CommonJS form the model runtime provides, on the same lines so positions stay true; the free
 * identifiers (names the file neither declares nor finds among JavaScript's globals: cube names,
 * `CUBE`, bare member names in `drillMembers: [id, name]`), which the runtime binds to reference
 * proxies; and every `cube(...)`/`view(...)` call with its definition object, so each key of a
 * definition can be located at `file:line:column`.
 */
import { parse, type Node as AcornNode, type ObjectExpression, type Program } from 'acorn';
import type { SourceLocation } from '../model-types.ts';
import { LineIndex } from './line-index.ts';

/** A `cube(name, {...})` or `view(name, {...})` call found in the source. */
export interface DefinitionCall {
  readonly kind: 'cube' | 'view';
  readonly line: number;
  readonly column: number;
  /** The definition when it is written as an object literal (otherwise keys are located at the call). */
  readonly object?: ObjectExpression;
  /** Positions of the file's nodes (acorn gives offsets). */
  readonly lines: LineIndex;
}

/** What the runtime needs to run a file and locate what it defines. */
export interface AnalyzedJsSource {
  /** The code to run: the file with `import`/`export` rewritten, same line count. */
  readonly code: string;
  readonly freeNames: ReadonlySet<string>;
  readonly calls: readonly DefinitionCall[];
}

/** A syntax error, located. */
export class JsSyntaxError extends Error {
  constructor(
    message: string,
    readonly location: SourceLocation,
  ) {
    super(message);
  }
}

type AnyNode = AcornNode & Record<string, unknown>;

/** Parses `code` (module syntax first, then script syntax for `with` and other sloppy-mode code). */
export function analyzeJsSource(file: string, code: string): AnalyzedJsSource {
  let program: Program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowHashBang: true });
  } catch (moduleError) {
    try {
      program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true });
    } catch {
      const error = moduleError as SyntaxError & { loc?: { line: number; column: number } };
      const message = error.message.replace(/\s*\(\d+:\d+\)$/, '');
      throw new JsSyntaxError(`JavaScript syntax error: ${message}`, { file, line: error.loc?.line ?? 1, column: (error.loc?.column ?? 0) + 1 });
    }
  }
  const bindings = new Set<string>();
  const references = new Set<string>();
  const calls: DefinitionCall[] = [];
  new Scanner(bindings, references, calls, new LineIndex(code)).visit(program as unknown as AnyNode);
  const freeNames = new Set([...references].filter((name) => !bindings.has(name)));
  return { code: rewriteModuleSyntax(code, program), freeNames, calls };
}

/** Walks the tree once: bindings, references, definition calls. Scoping is ignored on purpose (a name bound anywhere is not free). */
class Scanner {
  constructor(
    private readonly bindings: Set<string>,
    private readonly references: Set<string>,
    private readonly calls: DefinitionCall[],
    private readonly lines?: LineIndex,
  ) {}

  visit(node: AnyNode | null | undefined): void {
    if (!node || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'Identifier':
        this.references.add(node.name as string);
        return;
      case 'VariableDeclarator':
        this.pattern(node.id as AnyNode);
        this.visit(node.init as AnyNode);
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (node.id) this.pattern(node.id as AnyNode);
        for (const param of node.params as AnyNode[]) this.pattern(param);
        this.visit(node.body as AnyNode);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (node.id) this.pattern(node.id as AnyNode);
        this.visit(node.superClass as AnyNode);
        this.visit(node.body as AnyNode);
        return;
      case 'CatchClause':
        if (node.param) this.pattern(node.param as AnyNode);
        this.visit(node.body as AnyNode);
        return;
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
        this.pattern(node.local as AnyNode);
        return;
      case 'ExportSpecifier':
        this.visit(node.local as AnyNode);
        return;
      case 'MemberExpression':
        this.visit(node.object as AnyNode);
        if (node.computed) this.visit(node.property as AnyNode);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) this.visit(node.key as AnyNode);
        this.visit(node.value as AnyNode);
        return;
      case 'LabeledStatement':
        this.visit(node.body as AnyNode);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
      case 'AssignmentExpression':
        // `x = 1` on an undeclared name creates a global: not a reference to resolve
        if ((node.left as AnyNode).type === 'Identifier') this.bindings.add((node.left as AnyNode).name as string);
        else this.pattern(node.left as AnyNode);
        this.visit(node.right as AnyNode);
        return;
      case 'CallExpression':
        this.definitionCall(node);
        break;
      default:
        break;
    }
    for (const key of CHILD_KEYS[node.type] ?? Object.keys(node)) {
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) for (const item of value) this.visit(item as AnyNode);
      else if (value && typeof value === 'object' && typeof (value as AnyNode).type === 'string') this.visit(value as AnyNode);
    }
  }

  /** A binding pattern: names are bound; defaults and computed keys are expressions. */
  pattern(node: AnyNode | null | undefined): void {
    if (!node) return;
    switch (node.type) {
      case 'Identifier':
        this.bindings.add(node.name as string);
        return;
      case 'ObjectPattern':
        for (const property of node.properties as AnyNode[]) {
          if (property.type === 'RestElement') this.pattern(property.argument as AnyNode);
          else {
            if (property.computed) this.visit(property.key as AnyNode);
            this.pattern(property.value as AnyNode);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of node.elements as (AnyNode | null)[]) this.pattern(element);
        return;
      case 'RestElement':
        this.pattern(node.argument as AnyNode);
        return;
      case 'AssignmentPattern':
        this.pattern(node.left as AnyNode);
        this.visit(node.right as AnyNode);
        return;
      default:
        this.visit(node); // a member expression as an assignment target
    }
  }

  private definitionCall(node: AnyNode): void {
    const callee = node.callee as AnyNode;
    if (callee.type !== 'Identifier' || (callee.name !== 'cube' && callee.name !== 'view')) return;
    const second = (node.arguments as AnyNode[])[1];
    const lines = this.lines!;
    const start = lines.at(node.start);
    this.calls.push({
      kind: callee.name,
      line: start.line,
      column: start.column,
      lines,
      ...(second?.type === 'ObjectExpression' ? { object: second as unknown as ObjectExpression } : {}),
    });
  }
}

/** Where the children of the commonest node types are (others: every key), sparing a key list per node. */
const CHILD_KEYS: Readonly<Record<string, readonly string[]>> = {
  Literal: [],
  TemplateElement: [],
  ThisExpression: [],
  Program: ['body'],
  ExpressionStatement: ['expression'],
  BlockStatement: ['body'],
  ReturnStatement: ['argument'],
  VariableDeclaration: ['declarations'],
  ObjectExpression: ['properties'],
  ArrayExpression: ['elements'],
  TemplateLiteral: ['expressions'],
  TaggedTemplateExpression: ['tag', 'quasi'],
  CallExpression: ['callee', 'arguments'],
  NewExpression: ['callee', 'arguments'],
  BinaryExpression: ['left', 'right'],
  LogicalExpression: ['left', 'right'],
  ConditionalExpression: ['test', 'consequent', 'alternate'],
  IfStatement: ['test', 'consequent', 'alternate'],
  SpreadElement: ['argument'],
  UnaryExpression: ['argument'],
  AwaitExpression: ['argument'],
};

/** `import`/`export` → `require`/`exports`, keeping every line where it was. */
function rewriteModuleSyntax(code: string, program: Program): string {
  const edits: { start: number; end: number; text: string }[] = [];
  const trailer: string[] = [];
  let counter = 0;
  const keepLines = (start: number, end: number, text: string): void => {
    const newlines = code.slice(start, end).split('\n').length - 1;
    edits.push({ start, end, text: text + '\n'.repeat(newlines) });
  };
  for (const statement of program.body as unknown as AnyNode[]) {
    const source = statement.source ? JSON.stringify((statement.source as AnyNode).value) : undefined;
    if (statement.type === 'ImportDeclaration') {
      const module = `__module${counter++}`;
      const parts = [`${module} = require(${source})`];
      const named: string[] = [];
      for (const specifier of statement.specifiers as AnyNode[]) {
        const local = (specifier.local as AnyNode).name as string;
        if (specifier.type === 'ImportDefaultSpecifier') parts.push(`${local} = __importDefault(${module})`);
        else if (specifier.type === 'ImportNamespaceSpecifier') parts.push(`${local} = ${module}`);
        else named.push(`${importedName(specifier.imported as AnyNode)}: ${local}`);
      }
      if (named.length > 0) parts.push(`{ ${named.join(', ')} } = ${module}`);
      keepLines(statement.start, statement.end, `const ${parts.join(', ')};`);
    } else if (statement.type === 'ExportNamedDeclaration') {
      const declaration = statement.declaration as AnyNode | null;
      if (declaration) {
        keepLines(statement.start, declaration.start, '');
        for (const name of declaredNames(declaration)) trailer.push(`exports.${name} = ${name};`);
      } else if (source) {
        const module = `__module${counter++}`;
        const assignments = (statement.specifiers as AnyNode[]).map((s) => `exports.${importedName(s.exported as AnyNode)} = ${module}.${importedName(s.local as AnyNode)};`);
        keepLines(statement.start, statement.end, `const ${module} = require(${source}); ${assignments.join(' ')}`);
      } else {
        keepLines(statement.start, statement.end, '');
        for (const s of statement.specifiers as AnyNode[]) trailer.push(`exports.${importedName(s.exported as AnyNode)} = ${importedName(s.local as AnyNode)};`);
      }
    } else if (statement.type === 'ExportDefaultDeclaration') {
      const declaration = statement.declaration as AnyNode;
      const id = declaration.id as AnyNode | null | undefined;
      if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && id) {
        keepLines(statement.start, declaration.start, '');
        trailer.push(`exports.default = ${id.name as string};`);
      } else keepLines(statement.start, declaration.start, 'exports.default = ');
    } else if (statement.type === 'ExportAllDeclaration') {
      const exported = statement.exported as AnyNode | null;
      keepLines(statement.start, statement.end, exported ? `exports.${importedName(exported)} = require(${source});` : `Object.assign(exports, require(${source}));`);
    }
  }
  if (edits.length === 0) return code;
  let out = '';
  let last = 0;
  for (const edit of edits) {
    out += code.slice(last, edit.start) + edit.text;
    last = edit.end;
  }
  out += code.slice(last);
  return trailer.length > 0 ? `${out}\n${trailer.join(' ')}` : out;
}

function importedName(node: AnyNode): string {
  return node.type === 'Identifier' ? (node.name as string) : String(node.value);
}

function declaredNames(declaration: AnyNode): string[] {
  if (declaration.type === 'VariableDeclaration') {
    const names = new Set<string>();
    const scanner = new Scanner(names, new Set(), []);
    for (const declarator of declaration.declarations as AnyNode[]) scanner.pattern(declarator.id as AnyNode);
    return [...names];
  }
  const id = declaration.id as AnyNode | null;
  return id ? [id.name as string] : [];
}
