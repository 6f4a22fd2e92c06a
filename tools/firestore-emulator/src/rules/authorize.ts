import type { AccessDecision, AccessRequest, Authorizer } from '../authorizer.ts';
import { documentToResource } from './convert.ts';
import { RulesEvalError } from './errors.ts';
import { Evaluator, Scope } from './evaluator.ts';
import { ANY_DOCUMENT, ANY_PREFIX, allowCovers, type CompiledRules, findMatches } from './matcher.ts';
import { type Conjunction, queryConjunctions, queryResource } from './query-constraints.ts';
import { buildRequest, databaseIdOf } from './request.ts';
import { RPath, type RValue } from './values.ts';

// Evaluates one AccessRequest against compiled rules: every allow statement whose match covers the path and
// whose method covers the operation is tried; the first true one grants, errors deny that statement only.
// A list (query) is judged once per disjunct of its filters, from the filters alone (query-constraints.ts).

export function authorizeWith(rules: CompiledRules, req: AccessRequest): AccessDecision {
  if (req.method === 'list') return authorizeList(rules, req);
  const databaseId = databaseIdOf(req.database);
  const relative = req.path.split('/').filter((s) => s !== '');
  const fullPath = new RPath(['databases', databaseId, 'documents', ...relative]);
  const resource = req.resource ? documentToResource(req.resource, databaseId, req.path) : null;
  const why = evaluateAllows(rules, req, [...fullPath.segments], fullPath, resource, false);
  if (why === null) return { allowed: true };
  return { allowed: false, message: `Rules deny '${req.method}' on ${fullPath}: ${why}.` };
}

function authorizeList(rules: CompiledRules, req: AccessRequest): AccessDecision {
  const databaseId = databaseIdOf(req.database);
  const group = req.query?.allDescendants === true;
  const relative = req.path.split('/').filter((s) => s !== '');
  // The collection queried: a path of odd length (or, from older callers, a document in it).
  const collection = relative.length % 2 === 1 ? relative : relative.slice(0, -1);
  const target = group
    ? `collection group '${collection[collection.length - 1]}' (query)`
    : `/databases/${databaseId}/documents/${collection.join('/')} (query)`;
  let conjunctions: Conjunction[];
  try {
    conjunctions = queryConjunctions(req.query?.structuredQuery);
  } catch (err) {
    if (!(err instanceof RulesEvalError)) throw err;
    return { allowed: false, message: `Rules deny 'list' on ${target}: ${err.message}.` };
  }
  for (const conj of conjunctions) {
    const id = pinnedId(conj, databaseId, collection, group);
    const segments = [
      'databases',
      databaseId,
      'documents',
      ...(group ? [ANY_PREFIX] : []),
      ...collection,
      id,
    ];
    const fullPath = new RPath(['databases', databaseId, 'documents', ...collection]);
    const why = evaluateAllows(rules, req, segments, fullPath, queryResource(conj), group);
    // The message names the rule and the reason, never a document: the query may reach other users' data.
    if (why !== null) return { allowed: false, message: `Rules deny 'list' on ${target}: ${why}.` };
  }
  return { allowed: true };
}

/** The document id a `__name__ ==` filter pins the query to, or a stand-in that no rule may read. */
function pinnedId(conj: Conjunction, databaseId: string, collection: string[], group: boolean): string {
  const only = conj.documents?.length === 1 ? conj.documents[0].segments : null;
  if (group || !only || only.length !== collection.length + 4) return ANY_DOCUMENT;
  const prefix = ['databases', databaseId, 'documents', ...collection];
  return prefix.every((s, i) => only[i] === s) ? only[only.length - 1] : ANY_DOCUMENT;
}

/** null when an allow statement grants; otherwise why none did. */
function evaluateAllows(
  rules: CompiledRules,
  req: AccessRequest,
  segments: string[],
  fullPath: RPath,
  resource: RValue,
  collectionGroup: boolean,
): string | null {
  const databaseId = databaseIdOf(req.database);
  const globals = new Scope(
    new Map<string, RValue>([
      ['request', buildRequest(req, databaseId, fullPath)],
      ['resource', resource],
    ]),
    null,
  );
  const evaluator = new Evaluator({
    databaseId,
    readBefore: (p) => req.readBefore(p),
    readAfter: (p) => req.readAfter(p),
    batchAccess: req.batchAccess,
  });
  const failures: string[] = [];
  // A collection-group query is judged only by rules written for it: those under a {name=**} wildcard.
  for (const matched of findMatches(rules, segments, globals)) {
    if (collectionGroup && !matched.match.recursive) continue;
    for (const allow of matched.match.block.allows) {
      if (!allowCovers(allow, req.method)) continue;
      const where = `allow ${allow.methods.join(', ')} @ L${allow.line} in match ${matched.match.fullPattern}`;
      if (!allow.condition) return null;
      try {
        const v = evaluator.evaluate(allow.condition, matched.scope, matched.functions);
        if (v === true) return null;
        failures.push(`${where}: ${v === false ? 'false' : `condition is not a bool`} (if ${allow.text})`);
      } catch (err) {
        if (!(err instanceof RulesEvalError)) throw err;
        failures.push(`${where}: error at L${err.line}:${err.column}: ${err.message} (if ${allow.text})`);
      }
    }
  }
  const hint = collectionGroup ? ' (a collection-group query needs a match with a {name=**} wildcard)' : '';
  return failures.length === 0 ? `no allow ${req.method} rule matches this path${hint}` : failures.join('; ');
}

export function rulesAuthorizer(rules: CompiledRules): Authorizer {
  return { authorize: (req) => authorizeWith(rules, req) };
}
