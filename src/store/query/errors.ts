/** The query layer's user-facing error: bad options are usage errors (exit code 2). */
import { ERR, FlowlensError } from '../../shared/index.js';

export function usage(message: string): FlowlensError {
  return new FlowlensError(ERR.USAGE, message, 2);
}
