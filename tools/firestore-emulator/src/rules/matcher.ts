import type { Allow, FunctionDecl, MatchBlock, PatternSegment, Ruleset } from './ast.ts';
import { RulesSyntaxError } from './errors.ts';
import { FunctionTable, Scope, Unreadable } from './evaluator.ts';
import { RPath, type RValue } from './values.ts';

// Finds the match blocks whose full (nested) pattern equals a document path, binding wildcards on the way.

/** A match block prepared once per ruleset: its function declarations indexed by name. */
export interface CompiledMatch {
  block: MatchBlock;
  /** Pattern of this block and its ancestors, for messages. */
  fullPattern: string;
  /** Whether this block or an ancestor has a {name=**} segment: only such blocks govern collection-group queries. */
  recursive: boolean;
  functions: ReadonlyMap<string, FunctionDecl>;
  children: CompiledMatch[];
}

export interface CompiledRules {
  version: string;
  functions: ReadonlyMap<string, FunctionDecl>;
  matches: CompiledMatch[];
}

export interface MatchedBlock {
  match: CompiledMatch;
  scope: Scope;
  functions: FunctionTable;
}

/** Stands in for the document id of a query: rules may not read it (unless a __name__ filter pins one). */
export const ANY_DOCUMENT = '\u0000any-document';
/** Stands in for the parent path of a collection-group query: only a {name=**} wildcard consumes it. */
export const ANY_PREFIX = '\u0000any-prefix';

export function compileRules(ruleset: Ruleset): CompiledRules {
  const service = ruleset.services.find((s) => s.name === 'cloud.firestore');
  if (!service) {
    const first = ruleset.services[0];
    throw new RulesSyntaxError(
      `expected 'service cloud.firestore', found service ${first.name}`,
      first.line,
      first.column,
    );
  }
  const compile = (block: MatchBlock, prefix: string, parentRecursive: boolean): CompiledMatch => {
    const fullPattern = prefix + block.patternText;
    const recursive = parentRecursive || block.pattern.some((s) => s.kind === 'rest');
    return {
      block,
      fullPattern,
      recursive,
      functions: indexFunctions(block.functions),
      children: block.matches.map((m) => compile(m, fullPattern, recursive)),
    };
  };
  return {
    version: ruleset.version,
    functions: indexFunctions(service.functions),
    matches: service.matches.map((m) => compile(m, '', false)),
  };
}

function indexFunctions(decls: FunctionDecl[]): ReadonlyMap<string, FunctionDecl> {
  const m = new Map<string, FunctionDecl>();
  for (const d of decls) {
    if (m.has(d.name))
      throw new RulesSyntaxError(`function ${d.name} is declared twice in one scope`, d.line, d.column);
    m.set(d.name, d);
  }
  return m;
}

export function findMatches(
  rules: CompiledRules,
  segments: readonly string[],
  globals: Scope,
): MatchedBlock[] {
  const out: MatchedBlock[] = [];
  const root = new FunctionTable(rules.functions, globals, null);
  for (const m of rules.matches) walk(rules.version, m, segments, 0, globals, root, out);
  return out;
}

function walk(
  version: string,
  match: CompiledMatch,
  segments: readonly string[],
  start: number,
  scope: Scope,
  table: FunctionTable,
  out: MatchedBlock[],
): void {
  for (const { end, bindings } of patternMatches(version, match.block.pattern, segments, start)) {
    const here = bindings.size > 0 ? new Scope(bindings, scope) : scope;
    const functions = match.functions.size > 0 ? new FunctionTable(match.functions, here, table) : table;
    if (end === segments.length) out.push({ match, scope: here, functions });
    for (const child of match.children) walk(version, child, segments, end, here, functions, out);
  }
}

type Bindings = Map<string, RValue | Unreadable>;

/**
 * Every way a block's own pattern can consume segments from `start`. Without a recursive wildcard there is
 * at most one; with one ({name=**}, zero or more segments in rules_version 2, one or more before) each
 * possible length is tried, so `/{path=**}/commands/{id}` finds `commands` at any depth.
 */
function patternMatches(
  version: string,
  pattern: readonly PatternSegment[],
  segments: readonly string[],
  start: number,
): { end: number; bindings: Bindings }[] {
  const results: { end: number; bindings: Bindings }[] = [];
  const step = (k: number, i: number, bindings: Bindings): void => {
    if (k === pattern.length) {
      results.push({ end: i, bindings });
      return;
    }
    const seg = pattern[k];
    if (seg.kind === 'literal') {
      if (i < segments.length && segments[i] === seg.text) step(k + 1, i + 1, bindings);
      return;
    }
    if (seg.kind === 'wildcard') {
      if (i >= segments.length || segments[i] === ANY_PREFIX) return;
      const value = segments[i];
      const next = new Map(bindings);
      next.set(
        seg.name,
        value === ANY_DOCUMENT
          ? new Unreadable(
              `wildcard '${seg.name}' has no value in a query (no __name__ filter fixes the document)`,
            )
          : value,
      );
      step(k + 1, i + 1, next);
      return;
    }
    const last = k === pattern.length - 1;
    const min = version === '2' ? 0 : 1;
    for (let n = last ? segments.length - i : min; n <= segments.length - i; n++) {
      if (n < min) continue;
      const next = new Map(bindings);
      const consumed = segments.slice(i, i + n);
      next.set(
        seg.name,
        consumed.includes(ANY_PREFIX)
          ? new Unreadable(`wildcard '${seg.name}' has no value in a collection-group query`)
          : new RPath(consumed.filter((s) => s !== ANY_DOCUMENT)),
      );
      step(k + 1, i + n, next);
    }
  };
  step(0, start, new Map());
  return results;
}

export function allowCovers(allow: Allow, method: string): boolean {
  for (const m of allow.methods) {
    if (m === method) return true;
    if (m === 'read' && (method === 'get' || method === 'list')) return true;
    if (m === 'write' && (method === 'create' || method === 'update' || method === 'delete')) return true;
  }
  return false;
}
