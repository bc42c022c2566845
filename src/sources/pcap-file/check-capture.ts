/**
 * Checks a file's first bytes before a run starts, so that a run over several files fails on
 * a non-capture before it has written anything. Only the magic is checked: pcap, pcapng, or
 * gzip (whose content is checked when it is read). A named pipe or device is not read here
 * (its bytes can be read once only): the reader checks its magic as it reads, as for stdin.
 */
import { open, stat } from 'node:fs/promises';
import { FlowlensError } from '../../shared/index.js';
import { notACapture } from './capture-parser.js';
import { pcapMagic } from './pcap-records.js';
import { PCAPNG_SHB } from './pcapng-blocks.js';
import { cannotOpen } from './read-capture.js';

/** Resolves when `file` starts like a capture; rejects with FILE_OPEN or NOT_A_CAPTURE (exit 2). */
export async function checkCaptureFile(file: string): Promise<void> {
  if (file === '-') return;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Not opened when it is not a regular file: opening and closing a pipe would end its writer.
    if (!(await stat(file)).isFile()) return;
    handle = await open(file, 'r');
  } catch (error) {
    throw cannotOpen(file, error);
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return;
    if (bytesRead === 4) {
      const magic = head.readUInt32LE(0);
      if (magic === PCAPNG_SHB || pcapMagic(magic) !== null) return;
    }
    throw notACapture(file, [...head.subarray(0, bytesRead)]);
  } catch (error) {
    if (error instanceof FlowlensError) throw error;
    throw cannotOpen(file, error);
  } finally {
    await handle.close();
  }
}
