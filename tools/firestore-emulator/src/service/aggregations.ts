import { invalidArgument } from '../errors.ts';
import { getField, parseFieldPath } from '../fieldPaths.ts';
import type { Document, Value } from '../types.ts';
import { isNumber } from '../values.ts';
import type { Request } from './rpc.ts';

// count / sum / avg over a query's results, as RunAggregationQuery answers them.

export function aggregate(aggregations: Request[], results: Document[]): Record<string, Value> {
  if (aggregations.length === 0)
    throw invalidArgument('An aggregation query needs at least one aggregation.');
  if (aggregations.length > 5) throw invalidArgument('An aggregation query supports at most 5 aggregations.');
  const aggregateFields: Record<string, Value> = {};
  aggregations.forEach((aggregation, i) => {
    const alias: string = aggregation.alias || `field_${i + 1}`;
    if (aggregation.count) {
      const upTo = aggregation.count.upTo?.value;
      const count = upTo !== undefined ? Math.min(results.length, Number(upTo)) : results.length;
      aggregateFields[alias] = { integerValue: String(count) };
    } else if (aggregation.sum) {
      aggregateFields[alias] = sumOf(results, parseFieldPath(aggregation.sum.field.fieldPath));
    } else if (aggregation.avg) {
      aggregateFields[alias] = averageOf(results, parseFieldPath(aggregation.avg.field.fieldPath));
    } else {
      throw invalidArgument('Unsupported aggregation.');
    }
  });
  return aggregateFields;
}

function sumOf(docs: Document[], segments: string[]): Value {
  let integer = 0n;
  let double = 0;
  let sawDouble = false;
  for (const doc of docs) {
    const value = getField(doc.fields, segments);
    if (!isNumber(value)) continue;
    if ('integerValue' in value) integer += BigInt(value.integerValue);
    else {
      sawDouble = true;
      double += value.doubleValue;
    }
  }
  const overflow = integer > 2n ** 63n - 1n || integer < -(2n ** 63n);
  if (!sawDouble && !overflow) return { integerValue: integer.toString() };
  return { doubleValue: double + Number(integer) };
}

function averageOf(docs: Document[], segments: string[]): Value {
  let total = 0;
  let count = 0;
  for (const doc of docs) {
    const value = getField(doc.fields, segments);
    if (!isNumber(value)) continue;
    total += 'integerValue' in value ? Number(value.integerValue) : value.doubleValue;
    count++;
  }
  return count === 0 ? { nullValue: 'NULL_VALUE' } : { doubleValue: total / count };
}
