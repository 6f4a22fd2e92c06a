import { allowAll, type Authorizer } from '../authorizer.ts';

// Placeholder until the rules evaluator lands (issue 4): every request is allowed, as the issue allows.
export function createRulesAuthorizer(_source: string): Authorizer {
  return allowAll;
}
