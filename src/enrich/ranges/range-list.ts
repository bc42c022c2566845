/**
 * A growable list of inclusive IPv4 ranges with a 32-bit id each, in typed arrays, for building
 * an Ipv4Ranges. Ranges must be added in ascending, non-overlapping order.
 */
export class Ipv4RangeList {
  count = 0;
  starts: Uint32Array;
  ends: Uint32Array;
  ids: Uint32Array;

  constructor(capacity = 4096) {
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
    this.ids = new Uint32Array(capacity);
  }

  add(start: number, end: number, id: number): void {
    if (this.count === this.ids.length) {
      const grow = (list: Uint32Array) => {
        const bigger = new Uint32Array(list.length * 2);
        bigger.set(list);
        return bigger;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.ids = grow(this.ids);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.ids[this.count] = id;
    this.count++;
  }

  /** Trimmed copies of the arrays. */
  done(): { count: number; starts: Uint32Array; ends: Uint32Array; ids: Uint32Array } {
    return {
      count: this.count,
      starts: this.starts.slice(0, this.count),
      ends: this.ends.slice(0, this.count),
      ids: this.ids.slice(0, this.count),
    };
  }
}
