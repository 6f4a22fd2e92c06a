import { RulesSyntaxError } from './errors.ts';

// Turns rules source into tokens. Two constructs need context: after `match` a path pattern with {wildcards}
// is one token, and a `/` where an operand is expected starts a path literal (`/databases/$(database)/…`),
// whose $(…) interpolations are kept as source ranges for the parser to parse as expressions.

export type TokenType = 'ident' | 'int' | 'float' | 'string' | 'bytes' | 'punct' | 'pattern' | 'path' | 'eof';

export interface PathTokenSegment {
  /** Literal text, or an interpolation given as the [start, end) source range of its expression. */
  parts: (string | { start: number; end: number })[];
}

export interface Token {
  type: TokenType;
  /** Identifier name, punctuation text, decoded string, number text, or pattern text. */
  value: string;
  bytes?: Uint8Array;
  segments?: PathTokenSegment[];
  offset: number;
  line: number;
  column: number;
}

const PUNCT = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  ':',
  '.',
  '?',
  '!',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
];
const PATH_CHAR = /[A-Za-z0-9_\-.~%@+]/;

export class SourceMap {
  private readonly lineStarts: number[] = [0];
  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }
  error(message: string, offset: number): RulesSyntaxError {
    const { line, column } = this.position(offset);
    return new RulesSyntaxError(message, line, column);
  }
}

/** Keywords after which an operand is expected (`return /a/b`, `if /a/b == p`, `x in /a/b`). */
const EXPRESSION_KEYWORDS = new Set(['return', 'if', 'in']);

export function tokenize(map: SourceMap, start = 0, end = map.source.length): Token[] {
  const src = map.source;
  const tokens: Token[] = [];
  let i = start;
  const push = (type: TokenType, value: string, offset: number, extra: Partial<Token> = {}) => {
    tokens.push({ type, value, offset, ...map.position(offset), ...extra });
  };
  const operandEnded = () => {
    const t = tokens[tokens.length - 1];
    if (!t) return false;
    if (t.type === 'punct') return t.value === ')' || t.value === ']' || t.value === '}';
    // After a keyword that introduces an expression, a `/` starts a path literal, not a division.
    if (t.type === 'ident' && EXPRESSION_KEYWORDS.has(t.value)) return false;
    return t.type !== 'eof';
  };

  while (i < end) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < end && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0 || close >= end) throw map.error('unterminated block comment', i);
      i = close + 2;
      continue;
    }
    const prev = tokens[tokens.length - 1];
    if (c === '/' && prev?.type === 'ident' && prev.value === 'match') {
      i = lexPattern(map, i, end, tokens);
      continue;
    }
    if (c === '/' && !operandEnded()) {
      i = lexPathLiteral(map, i, end, tokens);
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      // r'raw' and b'bytes' prefixes
      if ((c === 'r' || c === 'b') && (src[i + 1] === "'" || src[i + 1] === '"')) {
        const { value, bytes, next } = lexString(map, i + 1, end, c === 'r');
        if (c === 'b') push('bytes', value, i, { bytes: new Uint8Array(bytes) });
        else push('string', value, i);
        i = next;
        continue;
      }
      let j = i + 1;
      while (j < end && /[A-Za-z0-9_]/.test(src[j])) j++;
      push('ident', src.slice(i, j), i);
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i;
      let isFloat = false;
      if (c === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        j = i + 2;
        while (j < end && /[0-9a-fA-F]/.test(src[j])) j++;
        push('int', src.slice(i, j), i);
        i = j;
        continue;
      }
      while (j < end && /[0-9]/.test(src[j])) j++;
      if (src[j] === '.' && /[0-9]/.test(src[j + 1] ?? '')) {
        isFloat = true;
        j++;
        while (j < end && /[0-9]/.test(src[j])) j++;
      }
      if (src[j] === 'e' || src[j] === 'E') {
        let k = j + 1;
        if (src[k] === '+' || src[k] === '-') k++;
        if (/[0-9]/.test(src[k] ?? '')) {
          isFloat = true;
          j = k;
          while (j < end && /[0-9]/.test(src[j])) j++;
        }
      }
      push(isFloat ? 'float' : 'int', src.slice(i, j), i);
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      const { value, next } = lexString(map, i, end, false);
      push('string', value, i);
      i = next;
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (!p) throw map.error(`unexpected character '${c}'`, i);
    push('punct', p, i);
    i += p.length;
  }
  push('eof', '', end);
  return tokens;
}

/**
 * A quoted literal. `bytes` is its content as a bytes literal reads it: characters UTF-8 encoded, \x and octal
 * escapes as the raw byte they name (so b'\xFF' is one byte and b'€' three).
 */
function lexString(
  map: SourceMap,
  i: number,
  end: number,
  raw: boolean,
): { value: string; bytes: number[]; next: number } {
  const src = map.source;
  const quote = src[i];
  const triple = src.startsWith(quote.repeat(3), i);
  const close = triple ? quote.repeat(3) : quote;
  let j = i + close.length;
  let out = '';
  const bytes: number[] = [];
  const text = (t: string) => {
    out += t;
    bytes.push(...Buffer.from(t, 'utf8'));
  };
  const byte = (b: number) => {
    out += String.fromCharCode(b);
    bytes.push(b);
  };
  while (true) {
    if (j >= end) throw map.error('unterminated string literal', i);
    if (src.startsWith(close, j)) return { value: out, bytes, next: j + close.length };
    const ch = src[j];
    if (ch === '\n' && !triple)
      throw map.error('unterminated string literal (newline before the closing quote)', i);
    if (ch === '\\' && !raw) {
      const e = src[j + 1];
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        b: '\b',
        f: '\f',
        v: '\v',
        a: '\x07',
        '\\': '\\',
        "'": "'",
        '"': '"',
        '`': '`',
        '?': '?',
      };
      if (e in simple) {
        text(simple[e]);
        j += 2;
        continue;
      }
      const hex = (len: number, at: number) => {
        const h = src.slice(at, at + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw map.error('invalid escape sequence', j);
        return Number.parseInt(h, 16);
      };
      if (e === 'x' || e === 'X') {
        byte(hex(2, j + 2));
        j += 4;
        continue;
      }
      if (e === 'u') {
        text(String.fromCodePoint(hex(4, j + 2)));
        j += 6;
        continue;
      }
      if (e === 'U') {
        text(String.fromCodePoint(hex(8, j + 2)));
        j += 10;
        continue;
      }
      if (/[0-7]/.test(e)) {
        const o = src.slice(j + 1, j + 4);
        if (!/^[0-7]{3}$/.test(o)) throw map.error('invalid octal escape', j);
        byte(Number.parseInt(o, 8));
        j += 4;
        continue;
      }
      throw map.error(`invalid escape sequence '\\${e}'`, j);
    }
    const whole = String.fromCodePoint(src.codePointAt(j) as number);
    text(whole);
    j += whole.length;
  }
}

function lexPattern(map: SourceMap, i: number, end: number, tokens: Token[]): number {
  const src = map.source;
  const start = i;
  while (i < end && src[i] === '/') {
    i++;
    if (src[i] === '{') {
      const close = src.indexOf('}', i);
      if (close < 0 || close >= end) throw map.error("unterminated wildcard: expected '}'", i);
      i = close + 1;
    } else {
      const s = i;
      while (i < end && !/[\s/{]/.test(src[i])) i++;
      if (i === s) throw map.error('empty path segment in match pattern', i);
    }
  }
  tokens.push({ type: 'pattern', value: src.slice(start, i), offset: start, ...map.position(start) });
  return i;
}

function lexPathLiteral(map: SourceMap, i: number, end: number, tokens: Token[]): number {
  const src = map.source;
  const start = i;
  const segments: PathTokenSegment[] = [];
  while (i < end && src[i] === '/') {
    i++;
    const parts: PathTokenSegment['parts'] = [];
    let text = '';
    while (i < end) {
      if (src[i] === '$' && src[i + 1] === '(') {
        if (text) parts.push(text);
        text = '';
        const exprStart = i + 2;
        const exprEnd = matchParen(map, i + 1, end);
        parts.push({ start: exprStart, end: exprEnd });
        i = exprEnd + 1;
        continue;
      }
      if (src[i] === '{') {
        // A {name} placeholder, filled in by path.bind().
        const close = src.indexOf('}', i);
        if (close < 0 || close >= end || !/^\{\w+\}$/.test(src.slice(i, close + 1))) break;
        text += src.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (src[i] === '(' && src.startsWith('(default)', i)) {
        text += '(default)';
        i += '(default)'.length;
        continue;
      }
      if (!PATH_CHAR.test(src[i])) break;
      text += src[i];
      i++;
    }
    if (text) parts.push(text);
    if (parts.length === 0) throw map.error('empty path segment in path literal', i);
    segments.push({ parts });
  }
  tokens.push({ type: 'path', value: src.slice(start, i), segments, offset: start, ...map.position(start) });
  return i;
}

/** Offset of the ')' closing the '(' at `open`, skipping strings. */
function matchParen(map: SourceMap, open: number, end: number): number {
  const src = map.source;
  let depth = 0;
  for (let i = open; i < end; i++) {
    const c = src[i];
    if (c === "'" || c === '"') {
      i = lexString(map, i, end, false).next - 1;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw map.error("unterminated $( in path literal: expected ')'", open);
}
