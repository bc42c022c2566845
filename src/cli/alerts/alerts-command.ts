/**
 * `flowlens alerts list|ack|dismiss`: the alerts in the store and their lifecycle (new →
 * acknowledged or dismissed, with who and when). Exit codes: 0 done; 2 bad usage, no store, or
 * no alert with that id.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { AlertSeverity, AlertState, StoredAlert } from '../../store/index.js';
import { formatCount, formatTimestamp, renderTable } from '../format.js';
import { countAtLeastOne } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { defaultDataDir, withStore } from '../query/open-store.js';

interface ListFlags {
  data?: string;
  state?: AlertState;
  severity?: AlertSeverity;
  type?: string;
  limit: number;
  format: 'table' | 'json';
}

interface StateFlags {
  data?: string;
  by?: string;
}

const EXAMPLES = `
Examples:
  $ flowlens alerts list                          the 100 most recent alerts
  $ flowlens alerts list --state new --severity high --format json
  $ flowlens alerts ack 6f1c…  --by alice         acknowledge one alert
  $ flowlens alerts dismiss 6f1c…                 dismiss it (a repeat then opens a new alert)
`;

export function registerAlertsCommand(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('list stored alerts, acknowledge or dismiss them')
    .addHelpText('after', EXAMPLES);
  alerts
    .command('list')
    .description('alerts, most recently seen first')
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .addOption(
      new Option('--state <state>', 'only alerts in this state').choices([
        'new',
        'acknowledged',
        'dismissed',
      ]),
    )
    .addOption(
      new Option('--severity <level>', 'this severity and above').choices([
        'info',
        'low',
        'medium',
        'high',
        'critical',
      ]),
    )
    .option('--type <type>', 'only this alert type, e.g. arp-spoofing')
    .option('--limit <n>', 'alerts listed', countAtLeastOne, 100)
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (flags: ListFlags) => {
      await withStore(flags.data ?? defaultDataDir(), async (store) => {
        const list = await store.listAlerts({
          state: flags.state,
          minSeverity: flags.severity,
          type: flags.type,
          limit: flags.limit,
        });
        const out = createOutputStream();
        out.write(flags.format === 'json' ? `${JSON.stringify(list, null, 2)}\n` : alertsTable(list));
        await out.end();
      });
    });
  for (const [name, state, verb] of [
    ['ack', 'acknowledged', 'acknowledge'],
    ['dismiss', 'dismissed', 'dismiss'],
  ] as const) {
    alerts
      .command(name)
      .description(`${verb} alerts by id`)
      .argument('<id...>', 'alert ids (flowlens alerts list shows them)')
      .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
      .option('--by <name>', 'who does it (default: the current user)')
      .action(async (ids: string[], flags: StateFlags) => {
        const by = flags.by ?? os.userInfo().username;
        await withStore(flags.data ?? defaultDataDir(), async (store) => {
          const missing: string[] = [];
          for (const id of ids) if (!(await store.setAlertState(id, state, by))) missing.push(id);
          if (missing.length > 0) {
            throw new FlowlensError(
              ERR.USAGE,
              `no alert with id ${missing.join(', ')}: see flowlens alerts list`,
              2,
            );
          }
          process.stderr.write(`flowlens: ${formatCount(ids.length)} alert(s) ${state} by ${by}\n`);
        });
      });
  }
}

function alertsTable(list: readonly StoredAlert[]): string {
  if (list.length === 0) return 'no alerts\n';
  const rows = list.map((a) => [
    a.id,
    a.severity,
    a.state,
    a.type,
    formatCount(a.count ?? 1),
    formatTimestamp(a.lastSeen ?? a.ts),
    a.mitre.join(',') || '-',
    a.summary,
  ]);
  return `${renderTable(['id', 'severity', 'state', 'type', 'count', 'last seen', 'mitre', 'summary'], rows, new Set([4]))}\n`;
}
