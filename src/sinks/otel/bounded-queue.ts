/**
 * A first-in, first-out ring of fixed capacity: adding beyond it drops the oldest items, and every
 * operation costs O(1) per item moved (no `splice` or `shift` on a large array).
 */
export class BoundedQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Adds at the back; returns how many old items were dropped to make room (0 or 1). */
  push(item: T): number {
    if (this.size === this.capacity) {
      this.slots[this.head] = item; // overwrite the oldest, which becomes the newest
      this.head = (this.head + 1) % this.capacity;
      return 1;
    }
    this.slots[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return 0;
  }

  /** Removes and returns up to `count` items from the front, oldest first. */
  take(count: number): T[] {
    const n = Math.min(count, this.size);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= n;
    return out;
  }

  /** Puts items back in front, in their order; returns how many of the oldest did not fit and were dropped. */
  unshift(items: readonly T[]): number {
    const room = this.capacity - this.size;
    const kept = Math.min(room, items.length);
    for (let i = items.length - 1; i >= items.length - kept; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.slots[this.head] = items[i];
      this.size++;
    }
    return items.length - kept;
  }
}
