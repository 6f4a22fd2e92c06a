import type { Document } from '../types.ts';
import type { Expr, FunctionDecl, PathSegment } from './ast.ts';
import { documentToResource } from './convert.ts';
import { evalError, RulesEvalError } from './errors.ts';
import { callMethod } from './methods.ts';
import { CONVERSIONS, callConversion, callNamespace, NAMESPACES } from './namespaces.ts';
import { binary, isType, negate } from './operators.ts';
import {
  isSymbolic,
  symbolicBinary,
  symbolicField,
  symbolicIs,
  symbolicMethod,
  unprovable,
} from './query-constraints.ts';
import { RConstrained, RMap, RPath, RQueryData, type RValue, typeName } from './values.ts';

// Tree-walking evaluation of expressions. An evaluation error is a thrown RulesEvalError; && and || absorb one
// when the other side decides the result (error && false is false, error || true is true), exactly as the
// rules language defines its error values.

/** A variable that exists but may not be read, e.g. a document-id wildcard during a list over no documents. */
export class Unreadable {
  constructor(readonly reason: string) {}
}

export class Scope {
  constructor(
    private readonly vars: Map<string, RValue | Unreadable>,
    private readonly parent: Scope | null,
  ) {}
  lookup(name: string): RValue | Unreadable | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }
}

/** Functions visible at one nesting level, with the variables their bodies may read (enclosing wildcards). */
export class FunctionTable {
  constructor(
    private readonly fns: ReadonlyMap<string, FunctionDecl>,
    readonly scope: Scope,
    readonly parent: FunctionTable | null,
  ) {}
  find(name: string): { decl: FunctionDecl; table: FunctionTable } | undefined {
    for (let t: FunctionTable | null = this; t; t = t.parent) {
      const decl = t.fns.get(name);
      if (decl) return { decl, table: t };
    }
    return undefined;
  }
}

export interface DocumentReader {
  /** The database id requests run against, e.g. '(default)'. */
  databaseId: string;
  readBefore(path: string): Document | null;
  readAfter(path: string): Document | null;
  /** Documents read so far by the whole multi-document request this access belongs to, if it is one. */
  batchAccess?: Set<string>;
}

const MAX_CALL_DEPTH = 20;
/** Distinct documents rules may read for one operation, and for a whole batched write, transaction or batch get. */
export const OPERATION_ACCESS_LIMIT = 10;
export const BATCH_ACCESS_LIMIT = 20;
const ACCESS_FUNCTIONS = new Set(['get', 'exists', 'getAfter', 'existsAfter']);

export class Evaluator {
  private readonly accessed = new Map<string, RValue>();
  private readonly callStack: string[] = [];

  constructor(private readonly reader: DocumentReader | null) {}

  evaluate(e: Expr, scope: Scope, fns: FunctionTable | null): RValue {
    try {
      return this.eval(e, scope, fns);
    } catch (err) {
      if (err instanceof RulesEvalError && err.line === 0) {
        err.line = e.line;
        err.column = e.column;
      }
      throw err;
    }
  }

  private eval(e: Expr, scope: Scope, fns: FunctionTable | null): RValue {
    switch (e.kind) {
      case 'literal':
        if (typeof e.value === 'bigint' && e.value === 2n ** 63n)
          throw evalError('integer literal out of range');
        return e.value;
      case 'ident': {
        const v = scope.lookup(e.name);
        if (v === undefined) throw evalError(`variable '${e.name}' is not defined`);
        if (v instanceof Unreadable) throw evalError(v.reason);
        return v;
      }
      case 'list':
        return e.items.map((x) => this.evaluate(x, scope, fns));
      case 'map': {
        const m = new Map<string, RValue>();
        for (const [k, v] of e.entries) {
          const key = this.evaluate(k, scope, fns);
          if (typeof key !== 'string') throw evalError(`map keys must be strings, got ${typeName(key)}`);
          m.set(key, this.evaluate(v, scope, fns));
        }
        return new RMap(m);
      }
      case 'path':
        return this.path(e.segments, scope, fns);
      case 'unary': {
        const v = this.evaluate(e.arg, scope, fns);
        if (isSymbolic(v)) throw unprovable(`'${e.op}' on resource.data.${v.path.join('.')}`);
        if (e.op === '-') return negate(v);
        if (typeof v !== 'boolean') throw evalError(`'!' expects a bool, got ${typeName(v)}`);
        return !v;
      }
      case 'binary':
        if (e.op === '&&' || e.op === '||') return this.logical(e.op, e.left, e.right, scope, fns);
        return this.binary(e.op, this.evaluate(e.left, scope, fns), this.evaluate(e.right, scope, fns));
      case 'ternary': {
        const test = this.evaluate(e.test, scope, fns);
        if (typeof test !== 'boolean')
          throw evalError(`the condition of '?:' must be a bool, got ${typeName(test)}`);
        return this.evaluate(test ? e.then : e.otherwise, scope, fns);
      }
      case 'is': {
        const v = this.evaluate(e.arg, scope, fns);
        return isSymbolic(v) ? symbolicIs(v, e.type, isType) : isType(v, e.type);
      }
      case 'member':
        return field(this.evaluate(e.object, scope, fns), e.name);
      case 'index':
        return index(this.evaluate(e.object, scope, fns), this.evaluate(e.index, scope, fns));
      case 'range':
        return range(
          this.evaluate(e.object, scope, fns),
          this.evaluate(e.start, scope, fns),
          this.evaluate(e.end, scope, fns),
        );
      case 'call':
        return this.call(e.name, e.args, scope, fns);
      case 'method': {
        if (e.object.kind === 'ident' && NAMESPACES.has(e.object.name) && !scope.has(e.object.name)) {
          return callNamespace(e.object.name, e.name, this.args(e.args, scope, fns));
        }
        const target = this.evaluate(e.object, scope, fns);
        if (isSymbolic(target)) return symbolicMethod(target, e.name, this.args(e.args, scope, fns));
        return callMethod(target, e.name, this.args(e.args, scope, fns));
      }
    }
  }

  private binary(op: string, l: RValue, r: RValue): RValue {
    return isSymbolic(l) || isSymbolic(r) ? symbolicBinary(op, l, r) : binary(op, l, r);
  }

  private args(args: Expr[], scope: Scope, fns: FunctionTable | null): RValue[] {
    return args.map((a) => this.evaluate(a, scope, fns));
  }

  private logical(
    op: '&&' | '||',
    left: Expr,
    right: Expr,
    scope: Scope,
    fns: FunctionTable | null,
  ): boolean {
    const decisive = op === '||';
    let leftError: RulesEvalError | null = null;
    try {
      const l = this.evaluate(left, scope, fns);
      if (typeof l !== 'boolean') throw evalError(`'${op}' expects bool operands, got ${typeName(l)}`);
      if (l === decisive) return decisive;
    } catch (err) {
      if (!(err instanceof RulesEvalError)) throw err;
      leftError = err;
    }
    let r: RValue;
    try {
      r = this.evaluate(right, scope, fns);
      if (typeof r !== 'boolean') throw evalError(`'${op}' expects bool operands, got ${typeName(r)}`);
    } catch (err) {
      throw leftError ?? err;
    }
    if (r === decisive) return decisive;
    if (leftError) throw leftError;
    return r;
  }

  private call(name: string, argExprs: Expr[], scope: Scope, fns: FunctionTable | null): RValue {
    const user = fns?.find(name);
    if (user) return this.callUser(user.decl, user.table, this.args(argExprs, scope, fns));
    if (ACCESS_FUNCTIONS.has(name)) {
      const args = this.args(argExprs, scope, fns);
      if (args.length !== 1) throw evalError(`${name}() takes 1 argument, got ${args.length}`);
      return this.access(name, args[0]);
    }
    if (CONVERSIONS.has(name)) return callConversion(name, this.args(argExprs, scope, fns));
    throw evalError(`function '${name}' is not defined`);
  }

  private callUser(decl: FunctionDecl, table: FunctionTable, args: RValue[]): RValue {
    if (args.length !== decl.params.length) {
      throw evalError(`function ${decl.name}() takes ${decl.params.length} arguments, got ${args.length}`);
    }
    if (this.callStack.includes(decl.name)) throw evalError(`function ${decl.name}() is called recursively`);
    if (this.callStack.length >= MAX_CALL_DEPTH) throw evalError(`call depth exceeds ${MAX_CALL_DEPTH}`);
    const vars = new Map<string, RValue | Unreadable>();
    decl.params.forEach((p, i) => {
      vars.set(p, args[i]);
    });
    const local = new Scope(vars, table.scope);
    this.callStack.push(decl.name);
    try {
      for (const l of decl.lets) vars.set(l.name, this.evaluate(l.value, local, table));
      return this.evaluate(decl.body, local, table);
    } finally {
      this.callStack.pop();
    }
  }

  private access(name: string, target: RValue): RValue {
    if (!this.reader) throw evalError(`${name}() is not available here`);
    if (!(target instanceof RPath)) throw evalError(`${name}() expects a path, got ${typeName(target)}`);
    const s = target.segments;
    if (s.length < 5 || s[0] !== 'databases' || s[2] !== 'documents' || (s.length - 3) % 2 !== 0) {
      throw evalError(
        `${name}() needs a document path /databases/{db}/documents/{collection}/{doc}, got one of ${s.length} segments`,
      );
    }
    if (s[1] !== this.reader.databaseId) {
      throw evalError(`${name}() may only read database '${this.reader.databaseId}', not '${s[1]}'`);
    }
    const relative = s.slice(3).join('/');
    const after = name === 'getAfter' || name === 'existsAfter';
    const key = (after ? 'after:' : 'before:') + relative;
    let resource = this.accessed.get(key);
    if (resource === undefined) {
      if (this.accessed.size >= OPERATION_ACCESS_LIMIT) {
        throw evalError(
          `exceeded the limit of ${OPERATION_ACCESS_LIMIT} document access calls for one operation`,
        );
      }
      const batch = this.reader.batchAccess;
      if (batch && !batch.has(key)) {
        if (batch.size >= BATCH_ACCESS_LIMIT) {
          throw evalError(`exceeded the limit of ${BATCH_ACCESS_LIMIT} document access calls for one batch`);
        }
        batch.add(key);
      }
      const doc = after ? this.reader.readAfter(relative) : this.reader.readBefore(relative);
      resource = doc ? documentToResource(doc, this.reader.databaseId, relative) : null;
      this.accessed.set(key, resource);
    }
    if (name.startsWith('exists')) return resource !== null;
    return resource;
  }

  private path(segments: PathSegment[], scope: Scope, fns: FunctionTable | null): RPath {
    const out: string[] = [];
    for (const seg of segments) {
      const only = seg.parts.length === 1 ? seg.parts[0] : null;
      if (only && typeof only !== 'string' && only.kind === 'ident' && !scope.has(only.name)) {
        out.push(`{${only.name}}`); // a placeholder for path.bind()
        continue;
      }
      if (seg.parts.length === 1 && typeof seg.parts[0] !== 'string') {
        const v = this.evaluate(seg.parts[0], scope, fns);
        if (v instanceof RPath) {
          out.push(...v.segments);
          continue;
        }
        out.push(segmentText(v));
        continue;
      }
      let text = '';
      for (const part of seg.parts) {
        text += typeof part === 'string' ? part : segmentText(this.evaluate(part, scope, fns));
      }
      out.push(text);
    }
    return new RPath(out);
  }
}

function segmentText(v: RValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  throw evalError(`a path segment must be a string, got ${typeName(v)}`);
}

export function field(target: RValue, name: string): RValue {
  if (target instanceof RQueryData) return symbolicField(target, name);
  if (target instanceof RConstrained) throw unprovable(`resource.data.${target.path.join('.')}.${name}`);
  if (target instanceof RMap) {
    const v = target.entries.get(name);
    if (v === undefined) throw evalError(`map has no field '${name}'`);
    return v;
  }
  if (target === null) throw evalError(`null value has no field '${name}'`);
  throw evalError(`${typeName(target)} has no field '${name}'`);
}

function index(target: RValue, i: RValue): RValue {
  if (target instanceof RQueryData || target instanceof RConstrained) {
    if (typeof i !== 'string') throw unprovable(`an index into resource.data.${target.path.join('.')}`);
    return field(target, i);
  }
  if (target instanceof RMap) {
    if (typeof i !== 'string') throw evalError(`map index must be a string, got ${typeName(i)}`);
    return field(target, i);
  }
  if (target === null) throw evalError('null value cannot be indexed');
  if (typeof i !== 'bigint') throw evalError(`index must be an int, got ${typeName(i)}`);
  const items = sequence(target);
  if (i < 0n || i >= BigInt(items.length))
    throw evalError(`index ${i} out of range for ${typeName(target)} of size ${items.length}`);
  return items[Number(i)];
}

function range(target: RValue, start: RValue, end: RValue): RValue {
  if (typeof start !== 'bigint' || typeof end !== 'bigint') throw evalError('range bounds must be ints');
  const items = sequence(target);
  if (start < 0n || end > BigInt(items.length) || start > end) {
    throw evalError(`range [${start}:${end}] out of bounds for ${typeName(target)} of size ${items.length}`);
  }
  const slice = items.slice(Number(start), Number(end));
  if (typeof target === 'string') return slice.join('');
  if (target instanceof RPath) return new RPath(slice as string[]);
  return slice;
}

function sequence(target: RValue): RValue[] {
  if (Array.isArray(target)) return target;
  if (typeof target === 'string') return target.split(''); // UTF-16 code units, as Java indexes strings
  if (target instanceof RPath) return [...target.segments];
  throw evalError(`${typeName(target)} cannot be indexed`);
}
