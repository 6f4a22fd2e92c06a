import type { AccessDecision, AccessRequest, Authorizer } from '../authorizer.ts';
import { documentToResource } from './convert.ts';
import { RulesEvalError } from './errors.ts';
import { Evaluator, Scope } from './evaluator.ts';
import { ANY_DOCUMENT, allowCovers, type CompiledRules, findMatches } from './matcher.ts';
import {
  buildRequest,
  databaseIdOf,
  filteredFieldPaths,
  resourceFromQuery,
  restrictToFields,
} from './request.ts';
import { RMap, RPath, type RValue } from './values.ts';

// Evaluates one AccessRequest against compiled rules: every allow statement whose match covers the path and
// whose method covers the operation is tried; the first true one grants, errors deny that statement only.

export function authorizeWith(rules: CompiledRules, req: AccessRequest): AccessDecision {
  const databaseId = databaseIdOf(req.database);
  const relative = req.path.split('/').filter((s) => s !== '');
  const overCollection = relative.length % 2 === 1;
  const segments = ['databases', databaseId, 'documents', ...relative];
  if (overCollection) segments.push(ANY_DOCUMENT);
  const fullPath = new RPath(['databases', databaseId, 'documents', ...relative]);

  let resource: RValue = null;
  if (req.method === 'list' && req.query) {
    resource = req.resource
      ? queryResultResource(documentToResource(req.resource, databaseId, req.path), req.query.structuredQuery)
      : resourceFromQuery(req.query.structuredQuery);
  } else if (req.resource) {
    resource = documentToResource(req.resource, databaseId, req.path);
  }

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
  const collectionGroup = req.method === 'list' && req.query?.allDescendants === true;
  for (const matched of findMatches(rules, segments, globals)) {
    if (collectionGroup && !matched.match.recursive) continue;
    for (const allow of matched.match.block.allows) {
      if (!allowCovers(allow, req.method)) continue;
      const where = `allow ${allow.methods.join(', ')} @ L${allow.line} in match ${matched.match.fullPattern}`;
      if (!allow.condition) return { allowed: true };
      try {
        const v = evaluator.evaluate(allow.condition, matched.scope, matched.functions);
        if (v === true) return { allowed: true };
        failures.push(`${where}: ${v === false ? 'false' : `condition is not a bool`} (if ${allow.text})`);
      } catch (err) {
        if (!(err instanceof RulesEvalError)) throw err;
        failures.push(`${where}: error at L${err.line}:${err.column}: ${err.message} (if ${allow.text})`);
      }
    }
  }
  // A list is named by its collection, never by a document it would return: those may be other users'.
  const target =
    req.method === 'list'
      ? `${collectionOf(databaseId, relative, overCollection, req.query?.allDescendants === true)} (query)`
      : fullPath.toString();
  const hint = collectionGroup ? ' (a collection-group query needs a match with a {name=**} wildcard)' : '';
  const why =
    failures.length === 0 ? `no allow ${req.method} rule matches this path${hint}` : failures.join('; ');
  return { allowed: false, message: `Rules deny '${req.method}' on ${target}: ${why}.` };
}

export function rulesAuthorizer(rules: CompiledRules): Authorizer {
  return { authorize: (req) => authorizeWith(rules, req) };
}

/** A query result as its rule sees it: id and name, and only the data fields the query's filters constrain. */
function queryResultResource(resource: RMap, structuredQuery: unknown): RMap {
  const data = resource.entries.get('data') as RMap;
  const entries = new Map(resource.entries);
  entries.set('data', restrictToFields(data, filteredFieldPaths(structuredQuery)));
  return new RMap(entries);
}

function collectionOf(
  databaseId: string,
  relative: string[],
  overCollection: boolean,
  group: boolean,
): string {
  const segments = overCollection ? relative : relative.slice(0, -1);
  if (group) return `collection group '${segments[segments.length - 1]}'`;
  return `/databases/${databaseId}/documents/${segments.join('/')}`;
}
