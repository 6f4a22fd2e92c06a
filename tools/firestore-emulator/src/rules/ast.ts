import type { RValue } from './values.ts';

// The parsed form of a rules file. Every node keeps its 1-based source position for error messages.

export interface Pos {
  line: number;
  column: number;
}

export type PathPart = string | Expr;
/** One segment of a path literal: literal text and $(…) interpolations, concatenated. */
export interface PathSegment {
  parts: PathPart[];
}

export type Expr = Pos &
  (
    | { kind: 'literal'; value: RValue }
    | { kind: 'ident'; name: string }
    | { kind: 'list'; items: Expr[] }
    | { kind: 'map'; entries: [Expr, Expr][] }
    | { kind: 'path'; segments: PathSegment[] }
    | { kind: 'unary'; op: '!' | '-'; arg: Expr }
    | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
    | { kind: 'ternary'; test: Expr; then: Expr; otherwise: Expr }
    | { kind: 'is'; arg: Expr; type: string }
    | { kind: 'member'; object: Expr; name: string }
    | { kind: 'index'; object: Expr; index: Expr }
    | { kind: 'range'; object: Expr; start: Expr; end: Expr }
    | { kind: 'call'; name: string; args: Expr[] }
    | { kind: 'method'; object: Expr; name: string; args: Expr[] }
  );

export type BinaryOp =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

export type PatternSegment =
  | { kind: 'literal'; text: string }
  | { kind: 'wildcard'; name: string }
  | { kind: 'rest'; name: string };

export interface FunctionDecl extends Pos {
  name: string;
  params: string[];
  lets: { name: string; value: Expr }[];
  body: Expr;
}

export type RuleMethod = 'read' | 'write' | 'get' | 'list' | 'create' | 'update' | 'delete';

export interface Allow extends Pos {
  methods: RuleMethod[];
  /** null for an unconditional `allow read;`. */
  condition: Expr | null;
  /** The source text of the condition, for messages. */
  text: string;
}

export interface MatchBlock extends Pos {
  pattern: PatternSegment[];
  patternText: string;
  functions: FunctionDecl[];
  allows: Allow[];
  matches: MatchBlock[];
}

export interface Service extends Pos {
  name: string;
  functions: FunctionDecl[];
  matches: MatchBlock[];
}

export interface Ruleset {
  version: string;
  services: Service[];
}

export const TYPE_NAMES = new Set([
  'bool',
  'bytes',
  'constraint',
  'duration',
  'float',
  'int',
  'latlng',
  'list',
  'map',
  'map_diff',
  'number',
  'path',
  'set',
  'string',
  'timestamp',
]);
