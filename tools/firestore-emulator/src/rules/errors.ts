// The two failure kinds of the rules language: a syntax error in the source (reported at load time, with a
// position) and an evaluation error (an "error value" in the docs' terms, which denies the allow it reaches).

export class RulesSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly detail: string;
  constructor(detail: string, line: number, column: number) {
    super(`firestore.rules:${line}:${column}: ${detail}`);
    this.name = 'RulesSyntaxError';
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

/** Thrown while evaluating an expression; caught by &&, ||, and the allow statement (where it denies). */
export class RulesEvalError extends Error {
  /** 1-based source position of the expression that failed, filled in by the evaluator on the way out. */
  line = 0;
  column = 0;
  constructor(message: string) {
    super(message);
    this.name = 'RulesEvalError';
  }
}

export function evalError(message: string): RulesEvalError {
  return new RulesEvalError(message);
}
