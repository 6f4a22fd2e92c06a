import { describe, expect, it } from 'vitest';
import { RecentMap } from '../src/shared/recent-map.ts';

describe('RecentMap', () => {
  it('keeps the most recently stored keys up to its capacity', () => {
    const map = new RecentMap<number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    // Storing `a` again makes it the newest, so `b` is the oldest when `d` arrives.
    map.set('a', 10);
    map.set('d', 4);
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([10, 3, 4]);
    map.delete('c');
    expect(map.get('c')).toBeUndefined();
    expect(map.size).toBe(2);
  });
});
