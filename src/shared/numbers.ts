/** Integer formatting shared by every text output (CLI tables, explanations, the report). */

/**
 * `Math.round(n)` with comma thousands separators, as `toLocaleString('en-US')` prints it, without
 * going through ICU: its number formatting costs ~12 ms to load at first use and ~1 µs a call.
 * Contract: equal to `Math.round(n).toLocaleString('en-US')` for every `n` whose rounding is a
 * safe integer other than -0 (printed "0"); other values go through `toLocaleString`.
 */
export function groupedInteger(n: number): string {
  const rounded = Math.round(n);
  if (!Number.isSafeInteger(rounded)) return rounded.toLocaleString('en-US');
  const digits = String(rounded < 0 ? -rounded : rounded);
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let at = head; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
  return rounded < 0 ? `-${out}` : out;
}
