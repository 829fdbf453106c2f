/**
 * What an `await` can be waiting on, read from the shape of its expression.
 *
 * A suspended task's wait edge says *what* it awaits — a task of some async function, a
 * `Promise.all`, a promise made with `new Promise`… — but not at which of its `await`s. Each
 * `await`'s expression tells which of those it can evaluate to; when exactly one of a
 * function's suspension points can have produced what the task awaits, the task is suspended
 * there. The rule is exact as long as every "can" below is a superset of the truth, so only
 * shapes whose value is known for certain narrow anything (builtins as V8 made them):
 *
 * - `await f(…)` where `f` is this script's own async function (not a generator), bound once,
 *   in scope, never assigned: f's result promise. While f runs that is f's task; once f has
 *   returned a thenable it is a promise adopting it (`resolve`, `then`, or a plain `promise`)
 *   — unless no `return` of f can return a thenable (primitives, array and plain object
 *   literals).
 * - `await new Promise(…)`, and the timers/promises `setTimeout`/`setImmediate` and `events.once`
 *   (each a `new Promise` inside Node): a fresh promise — a plain `promise`, or adopting another.
 * - `await Promise.all | allSettled | any (…)`: that combinator; `Promise.race`: a race (one
 *   pending input shows as `resolve`). Also a plain `promise` or a `then`: what awaiting the
 *   thenable of a replaced `Promise` (bluebird, zone.js) looks like.
 * - Anything else — an identifier, a member call `obj.g(…)` (a method that may be a wrapper
 *   returning another task's promise), `.then(…)` (a thenable's `then` may return anything),
 *   `Promise.resolve`, `for await`, `yield`: can be anything.
 *
 * Identifiers are resolved conservatively: a name declared exactly once in the script, in a
 * scope that contains the `await`, never assigned; `Promise` and `require` only when the script
 * declares no such name. A script using `with` or a direct `eval` resolves nothing.
 */
import type { Node } from 'acorn';
import type { CombinatorKind, NodeKind } from '../model.js';

/** What one suspension point can be waiting on. */
export type AwaitShape =
  | { kind: 'any' }
  /** The result promise of this script's async function starting at `fn` (source offset). */
  | { kind: 'call'; fn: number; mayAdopt: boolean }
  /** A promise made on the spot (`new Promise`, timers/promises, `events.once`). */
  | { kind: 'fresh' }
  | { kind: 'combinator'; combinator: CombinatorKind };

/** What a suspended task is known to await, from the wait-for graph. */
export interface AwaitedNode {
  kind: NodeKind;
  combinator?: CombinatorKind;
  /**
   * For a task: the source offset of its function in the awaiting function's script, `null` if
   * it is defined in another script, `undefined` if unknown.
   */
  fn?: number | null;
}

const ANY: AwaitShape = { kind: 'any' };
const FRESH: AwaitShape = { kind: 'fresh' };
const ADOPTING = new Set<NodeKind>(['promise', 'resolve', 'then']);

/** Whether a suspension point of this shape can be waiting on `awaited`. */
export function compatible(shape: AwaitShape, awaited: AwaitedNode): boolean {
  switch (shape.kind) {
    case 'any':
      return true;
    case 'fresh':
      return ADOPTING.has(awaited.kind);
    case 'combinator':
      if (awaited.kind === 'combinator') return awaited.combinator === shape.combinator;
      // A program that replaced `Promise` (bluebird, zone.js) gets a thenable from `all`: the
      // task then awaits V8's promise wrapping it, or a `.then` of one.
      return (shape.combinator === 'race' && awaited.kind === 'resolve') || awaited.kind === 'promise' || awaited.kind === 'then';
    case 'call':
      if (awaited.kind === 'async-function') return awaited.fn === undefined || awaited.fn === shape.fn;
      return shape.mayAdopt && ADOPTING.has(awaited.kind);
  }
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const SCOPES = new Set(['BlockStatement', 'StaticBlock', 'SwitchStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'CatchClause']);
const COMBINATOR_NAMES = new Set<string>(['all', 'allSettled', 'any', 'race']);
/** Node modules whose functions return a fresh promise, by the names that do. */
const FRESH_EXPORTS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['timers/promises', new Set(['setTimeout', 'setImmediate'])],
  ['events', new Set(['once'])],
]);

interface Declaration {
  /** Source range of the scope the name is bound in. */
  from: number;
  to: number;
  /** The function bound, for `async function f` and `const f = async …`. */
  fn?: AnyNode;
  /** For a binding of a Node module or of one of its exports: the module, normalised. */
  module?: string;
  /** The export bound (`*` for the module itself). */
  imported?: string;
  /** Bound by `require(…)`, which is Node's only if the script never declares that name. */
  required?: boolean;
}

/** An ESTree node with its fields reachable (acorn's types are too narrow to walk generically). */
type AnyNode = Node & Record<string, any>;

/** Classifies the expressions of `await`s in one program, resolving its identifiers once. */
export class ShapeReader {
  readonly #declarations = new Map<string, Declaration[]>();
  readonly #assigned = new Set<string>();
  #dynamic = false;

  constructor(program: Node) {
    this.#collect(program as AnyNode, 0, program.end, 0, program.end);
  }

  /** The shape of the suspension point `point` (an `AwaitExpression`, `for await`, `yield`). */
  shapeOf(point: Node): AwaitShape {
    const p = point as AnyNode;
    if (p.type !== 'AwaitExpression') return ANY;
    const arg = p.argument as AnyNode;
    if (arg.type === 'NewExpression') {
      return isIdentifier(arg.callee, 'Promise') && this.#isGlobal('Promise') ? FRESH : ANY;
    }
    if (arg.type !== 'CallExpression' || arg.optional) return ANY;
    const callee = arg.callee as AnyNode;
    if (callee.type === 'Identifier') return this.#shapeOfBinding(this.#binding(callee.name, p.start));
    if (callee.type !== 'MemberExpression' || callee.computed || callee.optional || callee.object.type !== 'Identifier') return ANY;
    const object = callee.object.name as string;
    const property = callee.property.name as string;
    if (object === 'Promise' && this.#isGlobal('Promise')) {
      return COMBINATOR_NAMES.has(property) ? { kind: 'combinator', combinator: property as CombinatorKind } : ANY;
    }
    const bound = this.#binding(object, p.start);
    const module = bound && this.#moduleOf(bound);
    if (module !== undefined && bound!.imported === '*' && FRESH_EXPORTS.get(module)?.has(property)) return FRESH;
    return ANY;
  }

  #shapeOfBinding(bound: Declaration | undefined): AwaitShape {
    if (!bound) return ANY;
    if (bound.fn) return { kind: 'call', fn: bound.fn.start, mayAdopt: mayReturnThenable(bound.fn) };
    const module = this.#moduleOf(bound);
    if (module !== undefined && bound.imported !== undefined && FRESH_EXPORTS.get(module)?.has(bound.imported)) return FRESH;
    return ANY;
  }

  /** The one declaration `name` refers to at `at`, if that is certain. */
  #binding(name: string, at: number): Declaration | undefined {
    if (this.#dynamic || this.#assigned.has(name)) return undefined;
    const found = this.#declarations.get(name);
    if (!found || found.length !== 1) return undefined;
    const d = found[0]!;
    return d.from <= at && at < d.to ? d : undefined;
  }

  /** Whether `name` refers to the global of that name everywhere in the script. */
  #isGlobal(name: string): boolean {
    return !this.#dynamic && !this.#declarations.has(name) && !this.#assigned.has(name);
  }

  #declare(name: string, declaration: Declaration): void {
    const list = this.#declarations.get(name);
    if (list) list.push(declaration);
    else this.#declarations.set(name, [declaration]);
  }

  /** Declares every identifier a binding pattern binds (destructured `require`s keep their key). */
  #declarePattern(pattern: AnyNode | null | undefined, scope: Declaration, module?: string): void {
    if (!pattern) return;
    switch (pattern.type) {
      case 'Identifier':
        this.#declare(pattern.name, { ...scope, ...(module === undefined ? {} : { module, imported: '*', required: true }) });
        break;
      case 'ObjectPattern':
        for (const prop of pattern.properties as AnyNode[]) {
          if (prop.type === 'RestElement') {
            this.#declarePattern(prop.argument, scope);
            continue;
          }
          const key = prop.computed ? undefined : prop.key.type === 'Identifier' ? prop.key.name : prop.key.value;
          const value = prop.value as AnyNode;
          if (module !== undefined && typeof key === 'string' && value.type === 'Identifier') {
            this.#declare(value.name, { ...scope, module, imported: key, required: true });
          } else {
            this.#declarePattern(value, scope);
          }
        }
        break;
      case 'ArrayPattern':
        for (const element of pattern.elements as Array<AnyNode | null>) this.#declarePattern(element, scope);
        break;
      case 'RestElement':
        this.#declarePattern(pattern.argument, scope);
        break;
      case 'AssignmentPattern':
        this.#declarePattern(pattern.left, scope);
        break;
    }
  }

  /** Names a pattern assigns to (assignment targets, `for (x of …)` heads). */
  #assignPattern(pattern: AnyNode | null | undefined): void {
    if (!pattern) return;
    if (pattern.type === 'Identifier') this.#assigned.add(pattern.name);
    else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties as AnyNode[]) this.#assignPattern(p.type === 'RestElement' ? p.argument : p.value);
    else if (pattern.type === 'ArrayPattern') for (const e of pattern.elements as Array<AnyNode | null>) this.#assignPattern(e);
    else if (pattern.type === 'RestElement') this.#assignPattern(pattern.argument);
    else if (pattern.type === 'AssignmentPattern') this.#assignPattern(pattern.left);
  }

  /**
   * Records declarations with their scopes, and assigned names. `fnFrom/fnTo`: the nearest
   * function (or the program), where `var` binds; `from/to`: the nearest block.
   */
  #collect(node: AnyNode, fnFrom: number, fnTo: number, from: number, to: number): void {
    const block = { from, to };
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        if (node.id) {
          const own = node.type === 'FunctionDeclaration';
          // A declaration is bound in its block (in sloppy mode also hoisted further: then the
          // name is not found in scope, which only loses precision).
          this.#declare(node.id.name, own ? { ...block, ...(isAsyncFunction(node) ? { fn: node } : {}) } : { from: node.start, to: node.end });
        }
        const inner = { from: node.start, to: node.end };
        for (const param of node.params as AnyNode[]) this.#declarePattern(param, inner);
        for (const param of node.params as AnyNode[]) this.#collect(param, node.start, node.end, node.start, node.end);
        this.#collect(node.body, node.start, node.end, node.start, node.end);
        return;
      }
      case 'ClassDeclaration':
        this.#declare(node.id.name, block);
        break;
      case 'ClassExpression':
        if (node.id) this.#declare(node.id.name, { from: node.start, to: node.end });
        break;
      case 'VariableDeclaration': {
        const scope = node.kind === 'var' ? { from: fnFrom, to: fnTo } : block;
        for (const d of node.declarations as AnyNode[]) {
          const init = d.init as AnyNode | null;
          if (d.id.type === 'Identifier' && init && isAsyncFunction(init)) this.#declare(d.id.name, { ...scope, fn: init });
          else this.#declarePattern(d.id, scope, this.#requiredModule(init));
        }
        break;
      }
      case 'ImportDeclaration': {
        const module = normaliseModule(node.source.value);
        for (const s of node.specifiers as AnyNode[]) {
          // A Node module's default export is the module itself (its CommonJS exports).
          const imported = s.type === 'ImportSpecifier' ? String(s.imported.name ?? s.imported.value) : '*';
          this.#declare(s.local.name, { from: 0, to: Number.MAX_SAFE_INTEGER, module, imported });
        }
        return;
      }
      case 'CatchClause':
        this.#declarePattern(node.param, { from: node.start, to: node.end });
        break;
      case 'AssignmentExpression':
        this.#assignPattern(node.left);
        break;
      case 'UpdateExpression':
        this.#assignPattern(node.argument);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        if (node.left.type !== 'VariableDeclaration') this.#assignPattern(node.left);
        break;
      case 'WithStatement':
        this.#dynamic = true;
        break;
      case 'CallExpression':
        if (isIdentifier(node.callee, 'eval')) this.#dynamic = true;
        break;
    }
    const inner = SCOPES.has(node.type) ? { from: node.start, to: node.end } : block;
    for (const child of childrenOf(node)) this.#collect(child, fnFrom, fnTo, inner.from, inner.to);
  }

  /** `require('m')` (CommonJS): the module `m`, normalised; trusted only if `require` is Node's. */
  #requiredModule(init: AnyNode | null): string | undefined {
    if (!init || init.type !== 'CallExpression' || !isIdentifier(init.callee, 'require')) return undefined;
    const arg = init.arguments[0] as AnyNode | undefined;
    return arg?.type === 'Literal' && typeof arg.value === 'string' ? normaliseModule(arg.value) : undefined;
  }

  /** The Node module a binding holds (or one of its exports), if that is certain. */
  #moduleOf(d: Declaration): string | undefined {
    return d.required && !this.#isGlobal('require') ? undefined : d.module;
  }
}

/**
 * Whether an async function may return a thenable, so that its result promise may still be
 * pending once it has returned: any `return` (or arrow body) that may be a thenable.
 */
function mayReturnThenable(fn: AnyNode): boolean {
  if (fn.body.type !== 'BlockStatement') return !isNotThenable(fn.body);
  const stack: AnyNode[] = [fn.body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (FUNCTIONS.has(node.type) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression') continue;
    if (node.type === 'ReturnStatement' && node.argument && !isNotThenable(node.argument)) return true;
    for (const child of childrenOf(node)) stack.push(child);
  }
  return false;
}

/**
 * Whether an expression's value is certainly not a thenable: a primitive, an array literal, or
 * an object literal with no `then`, no computed key, no spread and no `__proto__`.
 */
function isNotThenable(expression: AnyNode): boolean {
  switch (expression.type) {
    case 'Literal':
    case 'TemplateLiteral':
    case 'UnaryExpression':
    case 'BinaryExpression':
    case 'UpdateExpression':
    case 'ArrayExpression':
      return true;
    case 'ObjectExpression':
      return (expression.properties as AnyNode[]).every((p) => {
        if (p.type !== 'Property' || p.computed) return false;
        const key = p.key.type === 'Identifier' ? p.key.name : p.key.value;
        return key !== 'then' && key !== '__proto__';
      });
    default:
      return false;
  }
}

function isAsyncFunction(node: AnyNode): boolean {
  return FUNCTIONS.has(node.type) && node.async === true && node.generator !== true;
}

function isIdentifier(node: AnyNode, name: string): boolean {
  return node.type === 'Identifier' && node.name === name;
}

/** `node:events` and `events` are one module. */
function normaliseModule(specifier: unknown): string {
  const s = String(specifier);
  return s.startsWith('node:') ? s.slice(5) : s;
}

/** Child nodes of an ESTree node, generically (every property holding nodes). */
export function* childrenOf(node: Node): IterableIterator<Node> {
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield item;
    } else if (isNode(value)) {
      yield value;
    }
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
