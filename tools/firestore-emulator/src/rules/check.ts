import type { Expr, FunctionDecl, MatchBlock, Ruleset } from './ast.ts';
import { RulesSyntaxError } from './errors.ts';
import { CONVERSIONS, NAMESPACE_FUNCTIONS, NAMESPACES } from './namespaces.ts';

// Load-time checks the rules compiler makes before any request: every variable and function a condition names
// must exist where it is used, and user functions must be called with the right number of arguments. A typo
// then fails the upload with a position instead of silently denying every request.

const GLOBALS = ['request', 'resource'];
const BUILTIN_FUNCTIONS = new Set([...CONVERSIONS, 'get', 'exists', 'getAfter', 'existsAfter']);

interface Level {
  variables: Set<string>;
  functions: Map<string, FunctionDecl>;
  parent: Level | null;
}

export function checkRuleset(ruleset: Ruleset): void {
  for (const service of ruleset.services) {
    const root: Level = { variables: new Set(GLOBALS), functions: byName(service.functions), parent: null };
    checkFunctions(service.functions, root);
    for (const m of service.matches) checkMatch(m, root);
  }
}

function byName(decls: FunctionDecl[]): Map<string, FunctionDecl> {
  return new Map(decls.map((d) => [d.name, d]));
}

function checkMatch(block: MatchBlock, parent: Level): void {
  const variables = new Set<string>();
  for (const seg of block.pattern) if (seg.kind !== 'literal') variables.add(seg.name);
  const level: Level = { variables, functions: byName(block.functions), parent };
  checkFunctions(block.functions, level);
  for (const allow of block.allows) if (allow.condition) checkExpr(allow.condition, level);
  for (const child of block.matches) checkMatch(child, level);
}

function checkFunctions(decls: FunctionDecl[], level: Level): void {
  for (const fn of decls) {
    const local: Level = { variables: new Set(fn.params), functions: new Map(), parent: level };
    for (const l of fn.lets) {
      checkExpr(l.value, local);
      local.variables.add(l.name);
    }
    checkExpr(fn.body, local);
  }
}

function hasVariable(level: Level | null, name: string): boolean {
  for (let l = level; l; l = l.parent) if (l.variables.has(name)) return true;
  return false;
}

function findFunction(level: Level | null, name: string): FunctionDecl | undefined {
  for (let l = level; l; l = l.parent) {
    const f = l.functions.get(name);
    if (f) return f;
  }
  return undefined;
}

function checkExpr(e: Expr, level: Level): void {
  const visit = (x: Expr) => checkExpr(x, level);
  switch (e.kind) {
    case 'literal':
      return;
    case 'ident':
      if (!hasVariable(level, e.name)) {
        throw new RulesSyntaxError(`unknown variable '${e.name}'`, e.line, e.column);
      }
      return;
    case 'list':
      e.items.forEach(visit);
      return;
    case 'map':
      for (const [k, v] of e.entries) {
        visit(k);
        visit(v);
      }
      return;
    case 'path':
      for (const seg of e.segments) {
        for (const part of seg.parts) {
          // $(name) naming no variable is a placeholder that path.bind() fills in later.
          if (typeof part === 'string' || (part.kind === 'ident' && !hasVariable(level, part.name))) continue;
          visit(part);
        }
      }
      return;
    case 'unary':
    case 'is':
      visit(e.arg);
      return;
    case 'binary':
      visit(e.left);
      visit(e.right);
      return;
    case 'ternary':
      visit(e.test);
      visit(e.then);
      visit(e.otherwise);
      return;
    case 'member':
      visit(e.object);
      return;
    case 'index':
      visit(e.object);
      visit(e.index);
      return;
    case 'range':
      visit(e.object);
      visit(e.start);
      visit(e.end);
      return;
    case 'call': {
      const fn = findFunction(level, e.name);
      if (fn) {
        if (fn.params.length !== e.args.length) {
          throw new RulesSyntaxError(
            `function ${e.name}() takes ${fn.params.length} argument${fn.params.length === 1 ? '' : 's'}, called with ${e.args.length}`,
            e.line,
            e.column,
          );
        }
      } else if (!BUILTIN_FUNCTIONS.has(e.name)) {
        throw new RulesSyntaxError(`unknown function '${e.name}'`, e.line, e.column);
      }
      e.args.forEach(visit);
      return;
    }
    case 'method':
      if (e.object.kind === 'ident' && NAMESPACES.has(e.object.name) && !hasVariable(level, e.object.name)) {
        if (!NAMESPACE_FUNCTIONS[e.object.name].has(e.name)) {
          throw new RulesSyntaxError(`unknown function '${e.object.name}.${e.name}'`, e.line, e.column);
        }
      } else {
        visit(e.object);
      }
      e.args.forEach(visit);
      return;
  }
}
