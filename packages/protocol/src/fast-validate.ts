import type { z } from 'zod';

// A faster check of a decoded JSON value against a zod schema, compiled FROM that schema (one source of truth:
// there is no second, hand-written schema to drift). zod walks its generic machinery for every value (issue
// lists, contexts, check runners): about 3–25 µs for a device status, several times JSON.parse itself, which
// counts on the bridge's hot path (issue #21). The compiled form is a tree of small closures, one per schema
// node, that answers "valid, and here is zod's output" or "invalid"; for an invalid value the caller asks zod,
// which writes the error message (invalid input is rare, and its message stays zod's).
//
// Supported natively: object (strip, or passthrough when its catchall is unknown), optional, nullable,
// literal, enum, boolean, number (int/safeint, bounds), string (length bounds, regex), record with string keys,
// union (discriminated too), unknown/any, null, and a check piped into a transform (the transform is zod's own
// function). Any other node — a transform, a default, a strict object — is
// handed to zod itself for that node, so the compiled form accepts exactly what zod accepts and returns what
// zod returns. fast-validate.test.ts checks that on valid and invalid samples of every payload schema.

/** What a compiled check returns for a value zod would refuse. */
export const INVALID: unique symbol = Symbol('invalid');
type Check = (value: unknown) => unknown;

interface ZodDef {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  [key: string]: unknown;
}
interface CheckDef {
  check: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  value?: number | bigint;
  inclusive?: boolean;
  pattern?: RegExp;
}

const compiled = new WeakMap<object, Check>();

/** The compiled check of `schema` (made once per schema object). Returns zod's output, or INVALID. */
export function compiledCheck(schema: z.ZodType): Check {
  let check = compiled.get(schema);
  if (!check) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

const defOf = (schema: unknown): ZodDef => (schema as { _zod: { def: ZodDef } })._zod.def;

/** zod itself for one node: exact by construction, used where no native form exists. */
function delegate(schema: z.ZodType): Check {
  return (value) => {
    const result = schema.safeParse(value);
    return result.success ? result.data : INVALID;
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

function compile(schema: z.ZodType): Check {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return compileObject(schema, def);
    case 'optional': {
      const inner = compile(def.innerType as z.ZodType);
      return (value) => (value === undefined ? undefined : inner(value));
    }
    case 'nullable': {
      const inner = compile(def.innerType as z.ZodType);
      return (value) => (value === null ? null : inner(value));
    }
    case 'literal': {
      const values = new Set(def.values as unknown[]);
      return (value) => (values.has(value) ? value : INVALID);
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries as Record<string, unknown>));
      return (value) => (values.has(value) ? value : INVALID);
    }
    case 'boolean':
      if (def.checks?.length) return delegate(schema);
      return (value) => (typeof value === 'boolean' ? value : INVALID);
    case 'null':
      return (value) => (value === null ? null : INVALID);
    case 'unknown':
    case 'any':
      return (value) => value;
    case 'number':
      return compileNumber(schema, def);
    case 'string':
      return compileString(schema, def);
    case 'record':
      return compileRecord(schema, def);
    case 'union': {
      if (def.inclusive === false) return delegate(schema);
      const options = (def.options as z.ZodType[]).map(compile);
      return (value) => {
        for (const option of options) {
          const out = option(value);
          if (out !== INVALID) return out;
        }
        return INVALID;
      };
    }
    case 'pipe':
      return compilePipe(schema, def);
    default:
      return delegate(schema);
  }
}

/**
 * A check followed by a transform (reportedUpdateInterval): the input compiled, then zod's own transform
 * function. A transform that reports an issue, is async or throws is left to zod for the whole node.
 */
function compilePipe(schema: z.ZodType, def: ZodDef): Check {
  const out = defOf(def.out);
  if (out.type !== 'transform' || typeof out.transform !== 'function') return delegate(schema);
  const input = compile(def.in as z.ZodType);
  const transform = out.transform as (
    value: unknown,
    payload: { value: unknown; issues: unknown[] },
  ) => unknown;
  const byZod = delegate(schema);
  return (value) => {
    const checked = input(value);
    if (checked === INVALID) return INVALID;
    try {
      const payload = { value: checked, issues: [] };
      const result = transform(checked, payload);
      return result instanceof Promise || payload.issues.length > 0 ? byZod(value) : result;
    } catch {
      return byZod(value);
    }
  };
}

function compileObject(schema: z.ZodType, def: ZodDef): Check {
  const catchall = def.catchall === undefined ? 'strip' : defOf(def.catchall).type;
  if ((catchall !== 'strip' && catchall !== 'unknown') || def.checks?.length) return delegate(schema);
  const fields = Object.entries(def.shape as Record<string, z.ZodType>).map(([key, field]) => ({
    key,
    check: compile(field),
    optional: defOf(field).type === 'optional',
  }));
  const known = new Set(fields.map((f) => f.key));
  const passthrough = catchall === 'unknown';
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return INVALID;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const present = field.key in input;
      const result = field.check(input[field.key]);
      if (result === INVALID) return INVALID;
      // zod keeps an optional key that was present (even as undefined) and omits an absent one.
      if (present || !field.optional) out[field.key] = result;
    }
    if (passthrough) for (const key of Object.keys(input)) if (!known.has(key)) out[key] = input[key];
    return out;
  };
}

function compileNumber(schema: z.ZodType, def: ZodDef): Check {
  const tests: ((n: number) => boolean)[] = [];
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32')) {
      const [min, max] =
        c.format === 'safeint'
          ? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
          : [-2147483648, 2147483647];
      tests.push((n) => Number.isInteger(n) && n >= min && n <= max);
    } else if (c.check === 'greater_than' && typeof c.value === 'number') {
      const bound = c.value;
      tests.push(c.inclusive ? (n) => n >= bound : (n) => n > bound);
    } else if (c.check === 'less_than' && typeof c.value === 'number') {
      const bound = c.value;
      tests.push(c.inclusive ? (n) => n <= bound : (n) => n < bound);
    } else return delegate(schema);
  }
  return (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return INVALID;
    for (const test of tests) if (!test(value)) return INVALID;
    return value;
  };
}

function compileString(schema: z.ZodType, def: ZodDef): Check {
  const tests: ((s: string) => boolean)[] = [];
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === 'min_length' && typeof c.minimum === 'number') {
      const min = c.minimum;
      tests.push((s) => s.length >= min);
    } else if (c.check === 'max_length' && typeof c.maximum === 'number') {
      const max = c.maximum;
      tests.push((s) => s.length <= max);
    } else if (c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp) {
      const pattern = c.pattern;
      tests.push((s) => {
        pattern.lastIndex = 0;
        return pattern.test(s);
      });
    } else return delegate(schema);
  }
  return (value) => {
    if (typeof value !== 'string') return INVALID;
    for (const test of tests) if (!test(value)) return INVALID;
    return value;
  };
}

function compileRecord(schema: z.ZodType, def: ZodDef): Check {
  if (defOf(def.keyType).type !== 'string' || def.checks?.length) return delegate(schema);
  const key = compileString(def.keyType as z.ZodType, defOf(def.keyType));
  const item = compile(def.valueType as z.ZodType);
  const byZod = delegate(schema);
  return (value) => {
    if (!isPlainObject(value)) return INVALID;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      // A "__proto__" key (JSON.parse makes it an own property) is zod's to handle, not an assignment's.
      if (k === '__proto__') return byZod(value);
      if (key(k) === INVALID) return INVALID;
      const result = item(value[k]);
      if (result === INVALID) return INVALID;
      out[k] = result;
    }
    return out;
  };
}
