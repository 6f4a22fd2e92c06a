// One file on purpose (~440 lines): a recursive-descent parser reads best as one grammar, one function per
// rule, top to bottom.
import {
  type Allow,
  type BinaryOp,
  type Expr,
  type FunctionDecl,
  type MatchBlock,
  type PathSegment,
  type PatternSegment,
  type Pos,
  type RuleMethod,
  type Ruleset,
  type Service,
  TYPE_NAMES,
} from './ast.ts';
import { SourceMap, type Token, tokenize } from './lexer.ts';
import { checkedInt } from './values.ts';

// Recursive-descent parser for the rules language. Operator precedence, loosest first:
// ?:  ||  &&  == !=  in is  < <= > >=  + -  * / %  unary ! -  member . [] ()

const METHODS = new Set<RuleMethod>(['read', 'write', 'get', 'list', 'create', 'update', 'delete']);
const KEYWORDS = new Set([
  'true',
  'false',
  'null',
  'in',
  'is',
  'if',
  'let',
  'return',
  'function',
  'match',
  'allow',
]);

export function parseRules(source: string): Ruleset {
  const map = new SourceMap(source);
  return new Parser(map, tokenize(map)).ruleset();
}

/** Parses one expression (the engine tests and interpolations use it). */
export function parseExpression(source: string): Expr {
  const map = new SourceMap(source);
  const p = new Parser(map, tokenize(map));
  const e = p.expression();
  p.expectEnd();
  return e;
}

class Parser {
  private i = 0;
  private version = '1';
  constructor(
    private readonly map: SourceMap,
    private readonly tokens: Token[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.i];
  }
  private fail(message: string, at: Token = this.tok): never {
    throw this.map.error(message, at.offset);
  }
  private describe(t: Token): string {
    if (t.type === 'eof') return 'end of input';
    if (t.type === 'string') return `string '${t.value}'`;
    return `'${t.value}'`;
  }
  private isPunct(v: string): boolean {
    return this.tok.type === 'punct' && this.tok.value === v;
  }
  private isWord(v: string): boolean {
    return this.tok.type === 'ident' && this.tok.value === v;
  }
  private eatPunct(v: string): boolean {
    if (!this.isPunct(v)) return false;
    this.i++;
    return true;
  }
  private expectPunct(v: string, context: string): Token {
    if (!this.isPunct(v)) this.fail(`expected '${v}' ${context}, found ${this.describe(this.tok)}`);
    return this.tokens[this.i++];
  }
  private expectWord(v: string, context: string): Token {
    if (!this.isWord(v)) this.fail(`expected '${v}' ${context}, found ${this.describe(this.tok)}`);
    return this.tokens[this.i++];
  }
  private identifier(context: string): Token {
    if (this.tok.type !== 'ident' || KEYWORDS.has(this.tok.value)) {
      this.fail(`expected an identifier ${context}, found ${this.describe(this.tok)}`);
    }
    return this.tokens[this.i++];
  }
  private pos(t: Token): Pos {
    return { line: t.line, column: t.column };
  }
  expectEnd(): void {
    if (this.tok.type !== 'eof') this.fail(`unexpected ${this.describe(this.tok)} after expression`);
  }

  ruleset(): Ruleset {
    let version = '1';
    if (this.isWord('rules_version')) {
      this.i++;
      this.expectPunct('=', "after 'rules_version'");
      if (this.tok.type !== 'string') this.fail("expected a version string such as '2'");
      version = this.tok.value;
      if (version !== '1' && version !== '2') this.fail(`unsupported rules_version '${version}'`);
      this.version = version;
      this.i++;
      this.eatPunct(';');
    }
    const services: Service[] = [];
    while (this.tok.type !== 'eof') services.push(this.service());
    if (services.length === 0) this.fail("expected 'service cloud.firestore { … }'");
    return { version, services };
  }

  private service(): Service {
    const start = this.expectWord('service', 'at top level');
    let name = this.identifier('naming the service').value;
    while (this.eatPunct('.')) name += '.' + this.identifier('in the service name').value;
    this.expectPunct('{', `to open service ${name}`);
    const functions: FunctionDecl[] = [];
    const matches: MatchBlock[] = [];
    while (!this.eatPunct('}')) {
      if (this.tok.type === 'eof') this.fail(`expected '}' to close service ${name}`);
      if (this.isWord('function')) functions.push(this.functionDecl());
      else if (this.isWord('match')) matches.push(this.match());
      else this.fail(`expected 'match' or 'function' in service ${name}, found ${this.describe(this.tok)}`);
    }
    return { name, functions, matches, ...this.pos(start) };
  }

  private match(): MatchBlock {
    const start = this.expectWord('match', '');
    const patternToken = this.tokens[this.i++];
    if (patternToken.type !== 'pattern')
      this.fail("expected a path pattern after 'match', e.g. /devices/{id}", patternToken);
    const pattern = this.pattern(patternToken);
    this.expectPunct('{', `to open match ${patternToken.value}`);
    const block: MatchBlock = {
      pattern,
      patternText: patternToken.value,
      functions: [],
      allows: [],
      matches: [],
      ...this.pos(start),
    };
    while (!this.eatPunct('}')) {
      if (this.tok.type === 'eof') this.fail(`expected '}' to close match ${patternToken.value}`, start);
      if (this.isWord('function')) block.functions.push(this.functionDecl());
      else if (this.isWord('match')) block.matches.push(this.match());
      else if (this.isWord('allow')) block.allows.push(this.allow());
      else this.fail(`expected 'allow', 'match' or 'function', found ${this.describe(this.tok)}`);
    }
    return block;
  }

  private pattern(t: Token): PatternSegment[] {
    const out: PatternSegment[] = [];
    const names = new Set<string>();
    let offset = t.offset;
    for (const raw of t.value.split('/').slice(1)) {
      offset += 1;
      const at = { ...t, offset };
      if (raw.startsWith('{')) {
        const m = /^\{([A-Za-z_][A-Za-z0-9_]*)(=\*\*)?\}$/.exec(raw);
        if (!m) this.fail(`invalid wildcard '${raw}': use {name} or {name=**}`, at);
        if (names.has(m[1])) this.fail(`wildcard '${m[1]}' is bound twice in one pattern`, at);
        names.add(m[1]);
        if (m[2] && this.version !== '2' && out.length !== t.value.split('/').length - 2) {
          this.fail(`recursive wildcard {${m[1]}=**} must be the last segment before rules_version '2'`, at);
        }
        if (m[2] && out.some((s) => s.kind === 'rest')) {
          this.fail(`only one recursive wildcard is allowed in a pattern, found {${m[1]}=**}`, at);
        }
        out.push(m[2] ? { kind: 'rest', name: m[1] } : { kind: 'wildcard', name: m[1] });
      } else {
        if (raw.includes('}') || raw.includes('*')) this.fail(`invalid path segment '${raw}'`, at);
        out.push({ kind: 'literal', text: raw });
      }
      offset += raw.length;
    }
    return out;
  }

  private allow(): Allow {
    const start = this.expectWord('allow', '');
    const methods: RuleMethod[] = [];
    do {
      const t = this.tok;
      if (t.type !== 'ident' || !METHODS.has(t.value as RuleMethod)) {
        this.fail(
          `expected a method (read, write, get, list, create, update, delete), found ${this.describe(t)}`,
        );
      }
      methods.push(t.value as RuleMethod);
      this.i++;
    } while (this.eatPunct(','));
    let condition: Expr | null = null;
    let text = 'true';
    if (this.eatPunct(':')) {
      this.expectWord('if', "after ':' in an allow statement");
      const from = this.tok.offset;
      condition = this.expression();
      const raw = this.map.source.slice(from, this.tok.type === 'eof' ? undefined : this.tok.offset);
      // One line, bounded: the text is quoted in denial messages.
      text = raw.replace(/\s+/g, ' ').trim();
      if (text.length > 160) text = `${text.slice(0, 157)}...`;
    }
    if (!this.eatPunct(';') && !this.isPunct('}') && !this.isWord('allow')) {
      this.fail(`expected ';' after the allow condition, found ${this.describe(this.tok)}`);
    }
    return { methods, condition, text, ...this.pos(start) };
  }

  private functionDecl(): FunctionDecl {
    const start = this.expectWord('function', '');
    const name = this.identifier("after 'function'").value;
    this.expectPunct('(', `after function name ${name}`);
    const params: string[] = [];
    if (!this.isPunct(')')) {
      do params.push(this.identifier(`as a parameter of ${name}`).value);
      while (this.eatPunct(','));
    }
    this.expectPunct(')', `to close the parameters of ${name}`);
    this.expectPunct('{', `to open the body of ${name}`);
    const lets: FunctionDecl['lets'] = [];
    while (this.isWord('let')) {
      this.i++;
      const letName = this.identifier("after 'let'").value;
      this.expectPunct('=', `after let ${letName}`);
      lets.push({ name: letName, value: this.expression() });
      this.expectPunct(';', `after let ${letName} = …`);
    }
    if (lets.length > 10)
      this.fail(`function ${name} has ${lets.length} let bindings; the limit is 10`, start);
    this.expectWord('return', `in function ${name}`);
    const body = this.expression();
    this.eatPunct(';');
    this.expectPunct('}', `to close function ${name}`);
    return { name, params, lets, body, ...this.pos(start) };
  }

  expression(): Expr {
    const test = this.or();
    if (!this.isPunct('?')) return test;
    const q = this.tokens[this.i++];
    const then = this.expression();
    this.expectPunct(':', "in the conditional expression 'a ? b : c'");
    const otherwise = this.expression();
    return { kind: 'ternary', test, then, otherwise, ...this.pos(q) };
  }

  private binaryLevel(ops: BinaryOp[], next: () => Expr): Expr {
    let left = next();
    while (this.tok.type === 'punct' && ops.includes(this.tok.value as BinaryOp)) {
      const t = this.tokens[this.i++];
      const right = next();
      left = { kind: 'binary', op: t.value as BinaryOp, left, right, ...this.pos(t) };
    }
    return left;
  }

  private or = (): Expr => this.binaryLevel(['||'], this.and);
  private and = (): Expr => this.binaryLevel(['&&'], this.equality);
  private equality = (): Expr => this.binaryLevel(['==', '!='], this.membership);

  private membership = (): Expr => {
    let left = this.relational();
    while (this.isWord('in') || this.isWord('is')) {
      const t = this.tokens[this.i++];
      if (t.value === 'in') {
        left = { kind: 'binary', op: 'in', left, right: this.relational(), ...this.pos(t) };
      } else {
        const typeTok = this.tok;
        if (typeTok.type !== 'ident' || !TYPE_NAMES.has(typeTok.value)) {
          this.fail(
            `expected a type name after 'is' (${[...TYPE_NAMES].join(', ')}), found ${this.describe(typeTok)}`,
          );
        }
        this.i++;
        left = { kind: 'is', arg: left, type: typeTok.value, ...this.pos(t) };
      }
    }
    return left;
  };

  private relational = (): Expr => this.binaryLevel(['<', '<=', '>', '>='], this.additive);
  private additive = (): Expr => this.binaryLevel(['+', '-'], this.multiplicative);
  private multiplicative = (): Expr => this.binaryLevel(['*', '/', '%'], this.unary);

  private unary = (): Expr => {
    if (this.isPunct('!') || this.isPunct('-')) {
      const t = this.tokens[this.i++];
      const arg = this.unary();
      // Fold negative numeric literals so -9223372036854775808 is representable.
      if (
        t.value === '-' &&
        arg.kind === 'literal' &&
        (typeof arg.value === 'bigint' || typeof arg.value === 'number')
      ) {
        const v = arg.value;
        return { kind: 'literal', value: typeof v === 'bigint' ? -v : -v, ...this.pos(t) };
      }
      return { kind: 'unary', op: t.value as '!' | '-', arg, ...this.pos(t) };
    }
    return this.postfix();
  };

  private postfix(): Expr {
    let e = this.primary();
    while (true) {
      if (this.isPunct('.')) {
        const t = this.tokens[this.i++];
        if (this.tok.type !== 'ident')
          this.fail(`expected a field or method name after '.', found ${this.describe(this.tok)}`);
        const name = this.tokens[this.i++].value;
        if (this.isPunct('(')) e = { kind: 'method', object: e, name, args: this.args(), ...this.pos(t) };
        else e = { kind: 'member', object: e, name, ...this.pos(t) };
      } else if (this.isPunct('[')) {
        const t = this.tokens[this.i++];
        const first = this.expression();
        if (this.eatPunct(':')) {
          const end = this.expression();
          this.expectPunct(']', 'to close the range [i:j]');
          e = { kind: 'range', object: e, start: first, end, ...this.pos(t) };
        } else {
          this.expectPunct(']', 'to close the index');
          e = { kind: 'index', object: e, index: first, ...this.pos(t) };
        }
      } else {
        return e;
      }
    }
  }

  private args(): Expr[] {
    this.expectPunct('(', '');
    const args: Expr[] = [];
    if (!this.isPunct(')')) {
      do args.push(this.expression());
      while (this.eatPunct(','));
    }
    this.expectPunct(')', 'to close the argument list');
    return args;
  }

  private primary(): Expr {
    const t = this.tok;
    const pos = this.pos(t);
    switch (t.type) {
      case 'int': {
        this.i++;
        const v = BigInt(t.value);
        // 2^63 only makes sense negated; the unary fold handles it.
        if (v > 2n ** 63n) this.fail(`integer literal ${t.value} is out of the 64-bit range`, t);
        return { kind: 'literal', value: v === 2n ** 63n ? v : checkedInt(v), ...pos };
      }
      case 'float':
        this.i++;
        return { kind: 'literal', value: Number(t.value), ...pos };
      case 'string':
        this.i++;
        return { kind: 'literal', value: t.value, ...pos };
      case 'bytes':
        this.i++;
        return { kind: 'literal', value: t.bytes as Uint8Array, ...pos };
      case 'path':
        this.i++;
        return { kind: 'path', segments: this.pathSegments(t), ...pos };
      case 'pattern':
        this.fail('unexpected path pattern', t);
        break;
      case 'eof':
        this.fail('unexpected end of input, expected an expression', t);
        break;
      case 'ident': {
        this.i++;
        if (t.value === 'true') return { kind: 'literal', value: true, ...pos };
        if (t.value === 'false') return { kind: 'literal', value: false, ...pos };
        if (t.value === 'null') return { kind: 'literal', value: null, ...pos };
        if (KEYWORDS.has(t.value)) this.fail(`unexpected keyword '${t.value}', expected an expression`, t);
        if (this.isPunct('(')) return { kind: 'call', name: t.value, args: this.args(), ...pos };
        return { kind: 'ident', name: t.value, ...pos };
      }
      case 'punct': {
        if (t.value === '(') {
          this.i++;
          const e = this.expression();
          this.expectPunct(')', 'to close the parenthesis');
          return e;
        }
        if (t.value === '[') {
          this.i++;
          const items: Expr[] = [];
          if (!this.isPunct(']')) {
            do {
              if (this.isPunct(']')) break; // trailing comma
              items.push(this.expression());
            } while (this.eatPunct(','));
          }
          this.expectPunct(']', 'to close the list');
          return { kind: 'list', items, ...pos };
        }
        if (t.value === '{') {
          this.i++;
          const entries: [Expr, Expr][] = [];
          if (!this.isPunct('}')) {
            do {
              if (this.isPunct('}')) break;
              const key = this.expression();
              this.expectPunct(':', 'between a map key and its value');
              entries.push([key, this.expression()]);
            } while (this.eatPunct(','));
          }
          this.expectPunct('}', 'to close the map');
          return { kind: 'map', entries, ...pos };
        }
        break;
      }
    }
    this.fail(`unexpected ${this.describe(t)}, expected an expression`, t);
  }

  private pathSegments(t: Token): PathSegment[] {
    return (t.segments ?? []).map((seg) => ({
      parts: seg.parts.map((part) => {
        if (typeof part === 'string') return part;
        const sub = new Parser(this.map, tokenize(this.map, part.start, part.end));
        const e = sub.expression();
        sub.expectEnd();
        return e;
      }),
    }));
  }
}
