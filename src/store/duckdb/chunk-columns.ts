/**
 * Column buffers for one DuckDB data chunk, written without per-value allocation: fixed-width
 * values go into reused typed arrays (64- and 128-bit values as 32-bit words, little-endian, as
 * DuckDB lays them out), NULLs into a validity bitmap, and each column is copied into the
 * chunk's vector once per chunk. Strings are assigned straight into the vector.
 *
 * Why not the vector classes of @duckdb/node-api: they allocate a BigInt per 64-bit value and do
 * BigInt arithmetic per NULL, which held ingest near 160k flows/s. This file talks to the same
 * native bindings those classes use (loaded through node-api, so the versions always match)
 * and is the only one that does.
 */
import { createRequire } from 'node:module';
import type { DuckDBDataChunk } from '@duckdb/node-api';

/** The handful of native calls used here, as @duckdb/node-bindings declares them. */
interface NativeVectors {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  copy_data_to_vector(
    vector: unknown,
    targetOffset: number,
    source: ArrayBuffer,
    offset: number,
    count: number,
  ): void;
  vector_ensure_validity_writable(vector: unknown): void;
  copy_data_to_vector_validity(
    vector: unknown,
    targetOffset: number,
    source: ArrayBuffer,
    offset: number,
    count: number,
  ): void;
  vector_assign_string_element(vector: unknown, index: number, text: string): void;
}

const requireFromHere = createRequire(import.meta.url);
const native = createRequire(requireFromHere.resolve('@duckdb/node-api'))(
  '@duckdb/node-bindings',
) as NativeVectors;

export const CHUNK_ROWS = 2048;
const TWO_32 = 4_294_967_296;

/** Storage width: 1, 2, 4, 8 or 16 bytes, or 'varchar' (assigned natively), or 'other' (caller's). */
export type ColumnWidth = 1 | 2 | 4 | 8 | 16 | 'varchar' | 'other';

export class ChunkColumns {
  readonly u8: Uint8Array[] = [];
  readonly u16: Uint16Array[] = [];
  /** 32-bit words: one per UINTEGER, two per UBIGINT/TIMESTAMP, four per UHUGEINT. */
  readonly u32: Uint32Array[] = [];
  private readonly buffers: ArrayBuffer[] = [];
  private readonly validity: Uint32Array<ArrayBuffer>[] = [];
  private readonly hasNull: boolean[] = [];
  private vectors: unknown[] = [];

  constructor(private readonly widths: readonly ColumnWidth[]) {
    for (const width of widths) {
      const bytes = typeof width === 'number' ? width * CHUNK_ROWS : 0;
      const buffer = new ArrayBuffer(bytes);
      this.buffers.push(buffer);
      this.u8.push(new Uint8Array(buffer));
      this.u16.push(new Uint16Array(buffer, 0, bytes >> 1));
      this.u32.push(new Uint32Array(buffer, 0, bytes >> 2));
      this.validity.push(new Uint32Array(CHUNK_ROWS / 32).fill(0xffffffff));
      this.hasNull.push(false);
    }
  }

  /** Binds to a fresh chunk; strings written from now on go into its vectors. */
  attach(chunk: DuckDBDataChunk): void {
    this.vectors = this.widths.map((_, i) => native.data_chunk_get_vector(chunk.chunk, i));
  }

  setNull(column: number, row: number): void {
    this.validity[column][row >>> 5] &= ~(1 << (row & 31));
    this.hasNull[column] = true;
  }

  /** Non-negative integer below 2^64 held exactly by a double (so below 2^53). */
  setU64(column: number, row: number, value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a count: ${value}`);
    this.setI64(column, row, value);
  }

  /** Any safe integer, as two's-complement 64 bits. */
  setI64(column: number, row: number, value: number): void {
    const high = Math.floor(value / TWO_32);
    const words = this.u32[column];
    words[row * 2] = value - high * TWO_32;
    words[row * 2 + 1] = high;
  }

  /** A 128-bit value given as four little-endian 32-bit words. */
  setU128(column: number, row: number, words: Uint32Array): void {
    this.u32[column].set(words, row * 4);
  }

  setString(column: number, row: number, text: string): void {
    native.vector_assign_string_element(this.vectors[column], row, text);
  }

  /** Copies the first `rows` rows of every fixed-width column and the validity masks into the chunk. */
  flushInto(rows: number): void {
    for (let i = 0; i < this.widths.length; i++) {
      const width = this.widths[i];
      const vector = this.vectors[i];
      if (typeof width === 'number') native.copy_data_to_vector(vector, 0, this.buffers[i], 0, width * rows);
      if (this.hasNull[i]) {
        native.vector_ensure_validity_writable(vector);
        native.copy_data_to_vector_validity(vector, 0, this.validity[i].buffer, 0, Math.ceil(rows / 64) * 8);
        this.validity[i].fill(0xffffffff);
        this.hasNull[i] = false;
      }
    }
  }
}

export function u8Checked(value: number): number {
  if (value !== (value & 0xff)) throw new RangeError(`${value} is not an unsigned 8-bit integer`);
  return value;
}

export function u16Checked(value: number): number {
  if (value !== (value & 0xffff)) throw new RangeError(`${value} is not an unsigned 16-bit integer`);
  return value;
}

export function u32Checked(value: number): number {
  if (value !== value >>> 0) throw new RangeError(`${value} is not an unsigned 32-bit integer`);
  return value;
}
