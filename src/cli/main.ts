/**
 * The `flowlens` command line: the composition root. Errors meant for users print as one line
 * (`flowlens: …`) with their exit code; anything else is a bug and still prints one line plus
 * a hint to rerun with FLOWLENS_DEBUG=1 for the stack.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FlowlensError } from '../shared/index.js';
import { registerAlertsCommand } from './alerts/alerts-command.js';
import { registerAnalyzeCommand } from './analyze/analyze-command.js';
import { registerCaptureCommand } from './capture/capture-command.js';
import { registerCollectCommand } from './collect/collect-command.js';
import { registerDevicesCommand } from './devices/devices-command.js';
import { registerFeedsCommand } from './feeds/feeds-command.js';
import { registerIngestCommand } from './ingest/ingest-command.js';
import { registerLookupCommand } from './lookup/lookup-command.js';
import { registerQueryCommand } from './query/query-command.js';
import { registerServeCommand } from './serve/serve-command.js';

function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

const EXAMPLES = `
Examples:
  $ flowlens analyze capture.pcapng                     flows, diagnosis, health score, findings
  $ flowlens analyze capture.pcap --report report.html  the self-contained HTML report
  $ flowlens ingest capture.pcap --data ./data          into the flow store
  $ flowlens query top --by dst_ip --range 24h          ask the store
  $ flowlens collect                                    NetFlow/IPFIX/sFlow on 2055/4739/6343
  $ flowlens serve                                      API and dashboard on http://127.0.0.1:8080
  $ flowlens lookup 8.8.8.8 example.com                 what Flowlens knows about a value

Each command has its own --help with examples. Docs: README.md and docs/.`;

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('flowlens')
    .description(
      'Network traffic to answers: captures, live traffic and flow exports into bidirectional flow\n' +
        'records, diagnosed, enriched, checked for attacks and stored.',
    )
    .version(packageVersion())
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAnalyzeCommand(program);
  registerIngestCommand(program);
  registerCaptureCommand(program);
  registerCollectCommand(program);
  registerAlertsCommand(program);
  registerDevicesCommand(program);
  registerQueryCommand(program);
  registerServeCommand(program);
  registerLookupCommand(program);
  registerFeedsCommand(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof FlowlensError) {
      process.stderr.write(`flowlens: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`flowlens: unexpected error: ${message}\n`);
    if (process.env.FLOWLENS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('flowlens: rerun with FLOWLENS_DEBUG=1 for details, and please report it\n');
    return 1;
  }
}

// A reader that stops early (`flowlens … | head`) closes the pipe: that ends the output, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const exitCode = await main(process.argv);
process.exitCode = exitCode;
