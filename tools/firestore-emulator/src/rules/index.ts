import type { Authorizer } from '../authorizer.ts';
import { rulesAuthorizer } from './authorize.ts';
import { checkRuleset } from './check.ts';
import { compileRules } from './matcher.ts';
import { parseRules } from './parser.ts';

// Firestore security rules for the emulator: parse once (syntax errors carry line and column), then evaluate
// every client access through the Authorizer seam.

export { authorizeWith } from './authorize.ts';
export { RulesEvalError, RulesSyntaxError } from './errors.ts';
export { parseExpression, parseRules } from './parser.ts';

export function createRulesAuthorizer(source: string): Authorizer {
  const ruleset = parseRules(source);
  const compiled = compileRules(ruleset);
  checkRuleset(ruleset);
  return rulesAuthorizer(compiled);
}
