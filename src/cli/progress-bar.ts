/**
 * A one-line progress bar on stderr: percent of the input, packets/s and ETA. Redrawn at most
 * ten times a second; `done` clears the line so later output starts clean.
 */
import { formatCount, formatRate } from './format.js';

export interface ProgressBar {
  update(bytesRead: number, packets: number): void;
  done(): void;
}

const WIDTH = 24;

export function createProgressBar(totalBytes: number | undefined, stream = process.stderr): ProgressBar {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(bytesRead, packets) {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const elapsed = (now - started) / 1000;
      const rate = elapsed > 0 ? packets / elapsed : 0;
      let line: string;
      if (totalBytes !== undefined && totalBytes > 0) {
        const fraction = Math.min(1, bytesRead / totalBytes);
        const filled = Math.round(fraction * WIDTH);
        const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0;
        line = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${formatCount(packets)} packets  ${formatRate(rate, 'pkt/s')}  ETA ${eta.toFixed(0)} s`;
      } else {
        line = `${formatCount(packets)} packets  ${formatRate(rate, 'pkt/s')}`;
      }
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
