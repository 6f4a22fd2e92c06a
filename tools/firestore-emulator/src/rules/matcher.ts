import type { Allow, FunctionDecl, MatchBlock, Ruleset } from './ast.ts';
import { RulesSyntaxError } from './errors.ts';
import { FunctionTable, Scope, Unreadable } from './evaluator.ts';
import { RPath, type RValue } from './values.ts';

// Finds the match blocks whose full (nested) pattern equals a document path, binding wildcards on the way.

/** A match block prepared once per ruleset: its function declarations indexed by name. */
export interface CompiledMatch {
  block: MatchBlock;
  /** Pattern of this block and its ancestors, for messages. */
  fullPattern: string;
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

/** Stands in for the document id when a query over an empty result is checked against its collection. */
export const ANY_DOCUMENT = '\u0000any-document';

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
  const compile = (block: MatchBlock, prefix: string): CompiledMatch => {
    const fullPattern = prefix + block.patternText;
    return {
      block,
      fullPattern,
      functions: indexFunctions(block.functions),
      children: block.matches.map((m) => compile(m, fullPattern)),
    };
  };
  return {
    version: ruleset.version,
    functions: indexFunctions(service.functions),
    matches: service.matches.map((m) => compile(m, '')),
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
  let i = start;
  let bindings: Map<string, RValue | Unreadable> | null = null;
  for (const seg of match.block.pattern) {
    if (seg.kind === 'literal') {
      if (i >= segments.length || segments[i] !== seg.text) return;
      i++;
    } else if (seg.kind === 'wildcard') {
      if (i >= segments.length) return;
      bindings ??= new Map();
      const value = segments[i];
      bindings.set(
        seg.name,
        value === ANY_DOCUMENT
          ? new Unreadable(`wildcard '${seg.name}' has no value in a query over no documents`)
          : value,
      );
      i++;
    } else {
      // Recursive wildcard: zero or more segments in rules_version 2, one or more in version 1.
      if (version !== '2' && i >= segments.length) return;
      bindings ??= new Map();
      bindings.set(seg.name, new RPath(segments.slice(i).filter((s) => s !== ANY_DOCUMENT)));
      i = segments.length;
    }
  }
  const here = bindings ? new Scope(bindings, scope) : scope;
  const functions = match.functions.size > 0 ? new FunctionTable(match.functions, here, table) : table;
  if (i === segments.length) out.push({ match, scope: here, functions });
  for (const child of match.children) walk(version, child, segments, i, here, functions, out);
}

export function allowCovers(allow: Allow, method: string): boolean {
  for (const m of allow.methods) {
    if (m === method) return true;
    if (m === 'read' && (method === 'get' || method === 'list')) return true;
    if (m === 'write' && (method === 'create' || method === 'update' || method === 'delete')) return true;
  }
  return false;
}
