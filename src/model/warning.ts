/** A problem found in the input, said where it was found. Part of the JSON output contract. */
export interface InputWarning {
  /** 1-based frame index in its file, when the problem belongs to a frame; null otherwise. */
  packetIndex: number | null;
  /** Byte offset in the (decompressed) file, when known. */
  byteOffset?: number;
  /** File the problem was found in. */
  file?: string;
  /** A FLOWLENS_ERR_* code. */
  code: string;
  message: string;
}
