// A per-instance memory of recent answers (an owner within their device limit, an API key owner's account),
// bounded so an instance that has seen many users keeps only the most recently stored ones. A Map keeps
// insertion order, and storing moves a key to the end, so the first key is always the oldest.

export class RecentMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
