// The protobuf wire format, as much of it as the provisioning messages use: varints (enums, bools, ints) and
// length-delimited fields (bytes, strings, nested messages). Hand-written instead of protobufjs because the
// dozen messages need ~100 lines, the browser bundle stays small, and there is no code generation step or
// runtime reflection (protobufjs' codegen uses `new Function`, which a strict CSP forbids).

export type WireValue = number | Uint8Array;

/** A decoded message: field number → values in arrival order (repeated fields keep them all). */
export type WireFields = Map<number, WireValue[]>;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

export class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    // Negative int32s go out as 10-byte two's complement, as protobuf does.
    let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      this.bytes.push(byte);
    } while (v);
  }

  /** proto3 leaves default values (0, false) off the wire. */
  uint(field: number, value: number | boolean | undefined): this {
    const n = typeof value === 'boolean' ? Number(value) : (value ?? 0);
    if (n === 0) return this;
    this.varint((field << 3) | VARINT);
    this.varint(n);
    return this;
  }

  /** A varint written even when zero: a oneof member (an enum whose first value means something). */
  present(field: number, value: number): this {
    this.varint((field << 3) | VARINT);
    this.varint(value);
    return this;
  }

  bytesField(field: number, value: Uint8Array | undefined): this {
    if (!value || value.length === 0) return this;
    return this.message(field, value);
  }

  /** A nested message, written even when empty: a oneof's presence is its tag. */
  message(field: number, value: Uint8Array): this {
    this.varint((field << 3) | LENGTH_DELIMITED);
    this.varint(value.length);
    for (const byte of value) this.bytes.push(byte);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(`protobuf: ${message}`);
    this.name = 'ProtoDecodeError';
  }
}

export function decodeFields(buffer: Uint8Array): WireFields {
  const fields: WireFields = new Map();
  let offset = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (offset >= buffer.length) throw new ProtoDecodeError('truncated varint');
      const byte = buffer[offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
    }
    throw new ProtoDecodeError('varint too long');
  };
  while (offset < buffer.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 0) throw new ProtoDecodeError('field number 0');
    let value: WireValue | null = null;
    switch (wireType) {
      case VARINT:
        // int32 fields come back signed (rssi is negative).
        value = Number(BigInt.asIntN(32, readVarint()));
        break;
      case LENGTH_DELIMITED: {
        const length = Number(readVarint());
        if (offset + length > buffer.length) throw new ProtoDecodeError('truncated field');
        value = buffer.slice(offset, offset + length);
        offset += length;
        break;
      }
      case FIXED64:
        offset += 8;
        break;
      case FIXED32:
        offset += 4;
        break;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType}`);
    }
    if (offset > buffer.length) throw new ProtoDecodeError('truncated field');
    if (value === null) continue;
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

/** The last value of a varint field (proto3: last one wins), 0 when absent. */
export function intField(fields: WireFields, field: number): number {
  const value = fields.get(field)?.at(-1);
  return typeof value === 'number' ? value : 0;
}

/** The value of a length-delimited field, or undefined when absent. */
export function bytesField(fields: WireFields, field: number): Uint8Array | undefined {
  const value = fields.get(field)?.at(-1);
  if (value === undefined) return undefined;
  if (typeof value === 'number') throw new ProtoDecodeError(`field ${field} is not length-delimited`);
  return value;
}

export function repeatedBytes(fields: WireFields, field: number): Uint8Array[] {
  return (fields.get(field) ?? []).filter((v): v is Uint8Array => typeof v !== 'number');
}
