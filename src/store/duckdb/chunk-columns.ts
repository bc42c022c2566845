/**
 * Column buffers for one DuckDB data chunk, written without per-value allocation or native
 * calls: fixed-width values go into reused typed arrays (64- and 128-bit values as 32-bit words,
 * little-endian, as DuckDB lays them out), validity into bitmaps, and each column is copied into
 * the chunk's vector once per chunk. Short strings go the same way: DuckDB stores a string of at
 * most 12 bytes inline in its 16-byte `duckdb_string_t` (length, then the bytes, zero-padded;
 * duckdb.h), so ASCII strings that short are laid out here; longer ones take one native call
 * each when the chunk is flushed. A column with one value for the whole chunk (`setConstant`)
 * becomes a DuckDB constant vector.
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
  create_varchar(text: string): unknown;
  vector_reference_value(vector: unknown, value: unknown): void;
}

const requireFromHere = createRequire(import.meta.url);
const native = createRequire(requireFromHere.resolve('@duckdb/node-api'))(
  '@duckdb/node-bindings',
) as NativeVectors;

export const CHUNK_ROWS = 2048;
const TWO_32 = 4_294_967_296;
/** Bytes of a `duckdb_string_t`, and the longest string it holds inline. */
const STRING_BYTES = 16;
const INLINE_MAX = 12;

/**
 * Storage: 1, 2, 4, 8 or 16 bytes, 'varchar', or 'other' (the caller fills the vector). A
 * nullable column starts every chunk all NULL and `setValid` marks the rows that have a value.
 */
export interface ColumnSpec {
  width: 1 | 2 | 4 | 8 | 16 | 'varchar' | 'other';
  nullable: boolean;
}

export class ChunkColumns {
  readonly u8: Uint8Array[] = [];
  readonly u16: Uint16Array[] = [];
  /** 32-bit words: one per UINTEGER, two per UBIGINT/TIMESTAMP, four per UHUGEINT or string. */
  readonly u32: Uint32Array[] = [];
  private readonly bytes: number[] = [];
  private readonly buffers: ArrayBuffer[] = [];
  private readonly validity: Uint32Array<ArrayBuffer>[] = [];
  /** Per varchar column: rows whose string is not inlined, and their strings. */
  private readonly longRows: number[][] = [];
  private readonly longTexts: string[][] = [];
  private readonly constants: (string | null | undefined)[] = [];
  private readonly constantValues = new Map<string, unknown>();
  private readonly filled: boolean[] = [];
  private vectors: unknown[] = [];

  constructor(private readonly specs: readonly ColumnSpec[]) {
    for (const { width } of specs) {
      const bytes = width === 'varchar' ? STRING_BYTES : typeof width === 'number' ? width : 0;
      const buffer = new ArrayBuffer(bytes * CHUNK_ROWS);
      this.bytes.push(bytes);
      this.buffers.push(buffer);
      this.u8.push(new Uint8Array(buffer));
      this.u16.push(new Uint16Array(buffer, 0, buffer.byteLength >> 1));
      this.u32.push(new Uint32Array(buffer, 0, buffer.byteLength >> 2));
      this.validity.push(new Uint32Array(CHUNK_ROWS / 32));
      this.longRows.push([]);
      this.longTexts.push([]);
      this.constants.push(undefined);
      this.filled.push(false);
    }
  }

  /** Binds to a fresh chunk; everything written from now on goes into its vectors. */
  attach(chunk: DuckDBDataChunk): void {
    this.vectors = this.specs.map((_, i) => native.data_chunk_get_vector(chunk.chunk, i));
  }

  /** Marks a row of a nullable column as holding a value. */
  setValid(column: number, row: number): void {
    this.validity[column][row >>> 5] |= 1 << (row & 31);
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

  /** A 128-bit value, or an inline string from `inlineString`, as four 32-bit words. */
  setWords(column: number, row: number, words: Uint32Array): void {
    const target = this.u32[column];
    const at = row * 4;
    target[at] = words[0];
    target[at + 1] = words[1];
    target[at + 2] = words[2];
    target[at + 3] = words[3];
  }

  setString(column: number, row: number, text: string): void {
    if (!writeInline(this.u32[column], row * 4, text)) {
      this.longRows[column].push(row);
      this.longTexts[column].push(text);
    }
  }

  /** Says the caller wrote an 'other' column's vector for this chunk; unmarked, it is all NULL. */
  markFilled(column: number): void {
    this.filled[column] = true;
  }

  /** Gives every row of this chunk the same value (NULL for null), as one constant vector. */
  setConstant(column: number, value: string | null): void {
    this.constants[column] = value;
  }

  /** Copies the first `rows` rows of every column this class fills into the chunk's vectors. */
  flushInto(rows: number): void {
    for (let i = 0; i < this.specs.length; i++) {
      const { width, nullable } = this.specs[i];
      const vector = this.vectors[i];
      const constant = this.constants[i];
      if (constant !== undefined) {
        this.constants[i] = undefined;
        if (constant !== null) {
          native.vector_reference_value(vector, this.constantValue(constant));
          continue;
        }
      } else if (width !== 'other') {
        native.copy_data_to_vector(vector, 0, this.buffers[i], 0, this.bytes[i] * rows);
      }
      if (width === 'varchar') this.assignLong(i, vector);
      if (this.filled[i]) this.filled[i] = false;
      else if (nullable) {
        native.vector_ensure_validity_writable(vector);
        native.copy_data_to_vector_validity(vector, 0, this.validity[i].buffer, 0, Math.ceil(rows / 64) * 8);
        this.validity[i].fill(0);
      }
    }
  }

  private assignLong(column: number, vector: unknown): void {
    const rows = this.longRows[column];
    const texts = this.longTexts[column];
    for (let j = 0; j < rows.length; j++) native.vector_assign_string_element(vector, rows[j], texts[j]);
    rows.length = 0;
    texts.length = 0;
  }

  private constantValue(text: string): unknown {
    let value = this.constantValues.get(text);
    if (value === undefined) {
      if (this.constantValues.size > 16) this.constantValues.clear();
      value = native.create_varchar(text);
      this.constantValues.set(text, value);
    }
    return value;
  }
}

/**
 * Lays `text` out as an inline `duckdb_string_t` at `words[at..at+3]` when it is ASCII and at
 * most 12 characters; returns false (writing nothing) otherwise.
 */
export function writeInline(words: Uint32Array, at: number, text: string): boolean {
  const n = text.length;
  if (n > INLINE_MAX) return false;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    const shifted = c << ((i & 3) << 3);
    if (i < 4) w0 |= shifted;
    else if (i < 8) w1 |= shifted;
    else w2 |= shifted;
  }
  words[at] = n;
  words[at + 1] = w0;
  words[at + 2] = w1;
  words[at + 3] = w2;
  return true;
}

/** `text` as the four words of an inline `duckdb_string_t`, or undefined if it cannot be inline. */
export function inlineString(text: string): Uint32Array | undefined {
  const words = new Uint32Array(4);
  return writeInline(words, 0, text) ? words : undefined;
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
