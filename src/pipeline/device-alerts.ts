/**
 * Device inventory events as store alerts: a new device (low), an IP address moving to another
 * MAC (medium), suspected ARP spoofing (high, MITRE ATT&CK T1557.002 "ARP Cache Poisoning").
 * The fingerprint is the event type plus the MAC (and IP), so a repeat in a later capture or
 * ingest counts on the same alert.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceEvent } from '../model/index.js';
import type { StoredAlert } from '../store/index.js';

const ALERT_TYPES: Record<DeviceEvent['type'], { type: string; score: number; mitre: string[] }> = {
  'new-device': { type: 'new-device', score: 20, mitre: [] },
  'ip-mac-change': { type: 'ip-mac-change', score: 50, mitre: ['T1557.002'] },
  'arp-spoofing-suspected': { type: 'arp-spoofing', score: 85, mitre: ['T1557.002'] },
};

export function deviceEventAlerts(events: readonly DeviceEvent[], ingestId?: string): StoredAlert[] {
  return events.map((event) => {
    const kind = ALERT_TYPES[event.type];
    return {
      id: randomUUID(),
      ts: event.ts,
      type: kind.type,
      severity: event.severity,
      state: 'new',
      srcIp: event.ip?.split(', ')[0],
      summary: event.explanation,
      evidence: { mac: event.mac, ip: event.ip, previousMac: event.previousMac },
      mitre: kind.mitre,
      ingestId,
      fingerprint: [kind.type, event.mac, event.ip ?? ''].join('|'),
      score: kind.score,
      firstSeen: event.ts,
      lastSeen: event.ts,
      targets: event.previousMac ? [event.previousMac] : undefined,
    };
  });
}
