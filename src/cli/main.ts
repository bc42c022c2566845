/**
 * The `flowlens` command line: the composition root. Errors meant for users print as one line
 * (`flowlens: …`) with their exit code; anything else is a bug and still prints one line plus
 * a hint to rerun with FLOWLENS_DEBUG=1 for the stack.
 */
import { Command, CommanderError } from 'commander';
import { FlowlensError, packageVersion } from '../shared/index.js';

type RegisterCommand = (program: Command) => void;

/**
 * Each command's module, in the order `--help` lists them. Only the module of the command being
 * run is loaded (each pulls in its part of the program, ~20–250 ms of module loading); help,
 * version and unknown names load every one.
 */
const COMMANDS: Record<string, () => Promise<RegisterCommand>> = {
  analyze: async () => (await import('./analyze/analyze-command.js')).registerAnalyzeCommand,
  ingest: async () => (await import('./ingest/ingest-command.js')).registerIngestCommand,
  capture: async () => (await import('./capture/capture-command.js')).registerCaptureCommand,
  collect: async () => (await import('./collect/collect-command.js')).registerCollectCommand,
  alerts: async () => (await import('./alerts/alerts-command.js')).registerAlertsCommand,
  devices: async () => (await import('./devices/devices-command.js')).registerDevicesCommand,
  query: async () => (await import('./query/query-command.js')).registerQueryCommand,
  serve: async () => (await import('./serve/serve-command.js')).registerServeCommand,
  lookup: async () => (await import('./lookup/lookup-command.js')).registerLookupCommand,
  feeds: async () => (await import('./feeds/feeds-command.js')).registerFeedsCommand,
};

/** The commands `argv` needs registered: the one it names, none for the version, else all. */
function commandsFor(argv: string[]): string[] {
  const first = argv[2];
  if (first === '--version' || first === '-V') return [];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [first];
  return Object.keys(COMMANDS);
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
  try {
    const registers = await Promise.all(commandsFor(argv).map((name) => COMMANDS[name]()));
    for (const register of registers) register(program);
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
