/**
 * `flowlens devices list|show|set`: the device inventory the store keeps (filled by
 * `flowlens ingest` and `flowlens capture`), and the fields users set on a device.
 * Exit codes: 0 done; 2 bad usage, no store, or no device with that MAC.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { DeviceUpdate, StoredDevice } from '../../store/index.js';
import { formatBytes, formatCount, formatTimestamp, renderTable } from '../format.js';
import { countAtLeastOne } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { defaultDataDir, withStore } from '../query/open-store.js';

const EXAMPLES = `
Examples:
  $ flowlens devices list                              every device, most recently seen first
  $ flowlens devices show 00:0c:29:40:0e:ef --format json
  $ flowlens devices set 00:0c:29:40:0e:ef --name printer --owner it --trusted
`;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function mac(value: string): string {
  if (!MAC.test(value))
    throw new FlowlensError(ERR.USAGE, `not a MAC address: ${value} (expected aa:bb:cc:dd:ee:ff)`, 2);
  return value.toLowerCase();
}

export function registerDevicesCommand(program: Command): void {
  const devices = program
    .command('devices')
    .description('the device inventory: list, show, and name devices')
    .addHelpText('after', EXAMPLES);
  const format = () =>
    new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table');
  devices
    .command('list')
    .description('devices, most recently seen first')
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .option('--limit <n>', 'devices listed', countAtLeastOne, 1000)
    .addOption(format())
    .action(async (flags: { data?: string; limit: number; format: 'table' | 'json' }) => {
      await withStore(flags.data ?? defaultDataDir(), async (store) => {
        const list = await store.listDevices(flags.limit);
        await print(flags.format === 'json' ? `${JSON.stringify(list, null, 2)}\n` : devicesTable(list));
      });
    });
  devices
    .command('show')
    .description('one device: addresses, names, OS guess, traffic')
    .argument('<mac>', 'MAC address')
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .addOption(format())
    .action(async (value: string, flags: { data?: string; format: 'table' | 'json' }) => {
      await withStore(flags.data ?? defaultDataDir(), async (store) => {
        const device = await store.getDevice(mac(value));
        if (!device) throw new FlowlensError(ERR.USAGE, `no device ${value}: see flowlens devices list`, 2);
        await print(flags.format === 'json' ? `${JSON.stringify(device, null, 2)}\n` : deviceText(device));
      });
    });
  devices
    .command('set')
    .description('name a device, give it an owner and notes, mark it trusted')
    .argument('<mac>', 'MAC address')
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .option('--name <name>', 'a name for people ("" clears it)')
    .option('--owner <owner>', 'who it belongs to ("" clears it)')
    .option('--notes <text>', 'free text ("" clears it)')
    .option('--trusted', 'mark it trusted')
    .option('--no-trusted', 'mark it not trusted')
    .action(
      async (
        value: string,
        flags: { data?: string; name?: string; owner?: string; notes?: string; trusted?: boolean },
      ) => {
        const clear = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);
        const update: DeviceUpdate = {
          name: clear(flags.name),
          owner: clear(flags.owner),
          notes: clear(flags.notes),
          trusted: flags.trusted,
        };
        await withStore(flags.data ?? defaultDataDir(), async (store) => {
          if (!(await store.updateDevice(mac(value), update))) {
            throw new FlowlensError(ERR.USAGE, `no device ${value}: see flowlens devices list`, 2);
          }
        });
      },
    );
}

async function print(text: string): Promise<void> {
  const out = createOutputStream();
  out.write(text);
  await out.end();
}

function devicesTable(list: readonly StoredDevice[]): string {
  if (list.length === 0) return 'no devices\n';
  const rows = list.map((d) => [
    d.mac,
    d.randomizedMac ? '(randomized)' : (d.vendor ?? ''),
    d.name ?? d.names[0]?.name ?? '',
    d.addresses
      .slice(0, 3)
      .map((a) => a.ip)
      .join(', ') + (d.addresses.length > 3 ? ` +${d.addresses.length - 3}` : ''),
    d.osGuess?.os ?? '',
    formatCount(d.packets),
    formatBytes(d.bytes),
    formatTimestamp(d.lastSeen),
    d.trusted ? 'yes' : '',
  ]);
  return `${renderTable(
    ['mac', 'vendor', 'name', 'addresses', 'os guess', 'packets', 'bytes', 'last seen', 'trusted'],
    rows,
    new Set([5, 6]),
  )}\n`;
}

function deviceText(d: StoredDevice): string {
  const lines = [
    `device ${d.mac}${d.randomizedMac ? ' (locally administered / randomised MAC)' : ''}`,
    `  name        ${d.name ?? '-'}    owner ${d.owner ?? '-'}    trusted ${d.trusted ? 'yes' : 'no'}`,
    `  notes       ${d.notes ?? '-'}`,
    `  vendor      ${d.vendor ?? '-'}`,
    `  seen        ${formatTimestamp(d.firstSeen)} .. ${formatTimestamp(d.lastSeen)}`,
    `  traffic     ${formatCount(d.packets)} packets, ${formatBytes(d.bytes)}`,
    `  os guess    ${d.osGuess ? `${d.osGuess.os} (${d.osGuess.evidence.join('; ')})` : '-'}`,
    `  names       ${d.names.map((n) => `${n.name} (${n.source})`).join(', ') || '-'}`,
    '  addresses',
    ...d.addresses.map(
      (a) =>
        `    ${a.ip.padEnd(40)} ${a.source.padEnd(8)} ${formatTimestamp(a.firstSeen)} .. ${formatTimestamp(a.lastSeen)}`,
    ),
  ];
  if (d.dhcp) lines.push(`  dhcp        ${JSON.stringify(d.dhcp)}`);
  return `${lines.join('\n')}\n`;
}
