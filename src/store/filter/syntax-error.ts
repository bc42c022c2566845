/**
 * The one error the filter language throws for bad input. It carries where (1-based column, in
 * UTF-16 code units as a browser input field counts them) and what was expected, so the CLI can
 * point a caret and the dashboard can underline the spot.
 */
import { ERR, FlowlensError } from '../../shared/index.js';

export class FilterSyntaxError extends FlowlensError {
  /** 1-based column of the offending token (one past the end for "end of input"). */
  readonly column: number;
  /** What would have been accepted there, e.g. `a port number (0-65535)`. */
  readonly expected: string;
  /** The offending text, or undefined at the end of input. */
  readonly found: string | undefined;
  /** A close known word when the offending one looks like a typo. */
  readonly suggestion: string | undefined;

  constructor(
    column: number,
    expected: string,
    found: string | undefined,
    after?: string,
    suggestion?: string,
  ) {
    const where = after === undefined ? '' : ` after "${after}"`;
    const got = found === undefined ? 'end of input' : `"${found}"`;
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    super(ERR.USAGE, `column ${column}: expected ${expected}${where}, got ${got}${hint}`, 2);
    this.name = 'FilterSyntaxError';
    this.column = column;
    this.expected = expected;
    this.found = found;
    this.suggestion = suggestion;
  }
}
