/**
 * The application analyzer: identifies each flow's application (payload signatures first, the
 * well-known port second) and reads metadata from the first bytes of each direction — TLS
 * ClientHello/ServerHello (SNI, ALPN, version, JA4, JA3), HTTP/1.x heads, SSH banners, DHCP
 * options, QUIC client Initials (decrypted) — into `FlowRecord.app`, `application`, `sni` and
 * `httpHost`, and an inventory from `finish()`.
 *
 * Contract (see analyzer.ts): per direction, only the first bytes are looked at; a message that
 * spans TCP segments is assembled in order in a buffer of at most `maxBufferBytes`, and looking
 * stops at the first gap, at the limits, or once the message is parsed. The hot path is one typed
 * array read per packet once a direction is done.
 */
import type { DecodedPacket, FlowRecord } from '../../model/index.js';
import type { PacketAnalyzer } from '../analyzer.js';
import { applicationForPorts, identifyPayload } from './identify.js';
import type { AppCounters, AppInventory, IdentifiedBy } from './inventory.js';
import { createInventory } from './inventory.js';
import type { FlowState } from './messages.js';
import { chooseParser, createMessageReader, newState, Parser } from './messages.js';
import { looksLikeQuicLongHeader, quicVersionName, readU32 } from './quic.js';

export interface AppAnalyzerConfig {
  /** Bytes of one direction kept to assemble a message spanning segments (default 16384). */
  maxBufferBytes: number;
  /** Payload packets of one direction looked at before giving up (default 16). */
  maxPacketsPerDirection: number;
  /** Longest string kept (HTTP path, user agent, DHCP host name…) (default 256). */
  maxStringLength: number;
  /** Length of each top list in the inventory (default 20). */
  topN: number;
  /** Distinct names each inventory list tracks; further names are counted as dropped (default 10000). */
  maxDistinctNames: number;
  /** Compute JA3 besides JA4 (default true). */
  ja3: boolean;
  /** Name flows that carried payload but matched no signature after their well-known port (default true). */
  portFallback: boolean;
}

export interface AppAnalyzer extends PacketAnalyzer {
  /**
   * The application flow `flowId`'s payload was identified as so far, '' when none (yet): what
   * other analyzers of the pass (the protocol hierarchy) can name a flow by. O(1).
   */
  applicationOf(flowId: number): string;
}

export const DEFAULT_APP_ANALYZER_CONFIG: AppAnalyzerConfig = {
  maxBufferBytes: 16384,
  maxPacketsPerDirection: 16,
  maxStringLength: 256,
  topN: 20,
  maxDistinctNames: 10000,
  ja3: true,
  portFallback: true,
};

/** Per-direction state in `directions` (index flowId * 2 + (forward ? 0 : 1)). */
const NEW = 0;
const ACTIVE = 1;
const DONE = 2;

const TCP = 6;

export function createAppAnalyzer(config: Partial<AppAnalyzerConfig> = {}): AppAnalyzer {
  const cfg: AppAnalyzerConfig = { ...DEFAULT_APP_ANALYZER_CONFIG, ...config };
  let directions = new Uint8Array(2048);
  /** Per flow id: index in `appNames` of the application its payload identified, 0 for none. */
  let appCodes = new Uint8Array(1024);
  /** Per flow id: 1 when `states` holds the flow's state. */
  let hasState = new Uint8Array(1024);
  const appNames: string[] = [''];
  const appIndex = new Map<string, number>([['', 0]]);
  const states = new Map<number, FlowState>();

  const counters: AppCounters = {
    tlsClientHellos: 0,
    tlsServerHellos: 0,
    tlsUnparsed: 0,
    httpRequests: 0,
    httpResponses: 0,
    sshBanners: 0,
    dhcpMessages: 0,
    quicInitialsDecrypted: 0,
    quicInitialsFailed: 0,
    quicClientHellos: 0,
    tcpGaps: 0,
    limitReached: 0,
  };
  const inventory = createInventory(cfg.maxDistinctNames, cfg.topN);
  const { parse, onSegment, finalParse } = createMessageReader(cfg, counters);

  function grow(flowId: number): void {
    let size = directions.length;
    while (size <= flowId * 2 + 1) size *= 2;
    const next = new Uint8Array(size);
    next.set(directions);
    directions = next;
    const codes = new Uint8Array(size / 2);
    codes.set(appCodes);
    appCodes = codes;
    const flags = new Uint8Array(size / 2);
    flags.set(hasState);
    hasState = flags;
  }

  function appCode(name: string): number {
    let code = appIndex.get(name);
    if (code === undefined) {
      if (appNames.length > 255) return 0;
      code = appNames.length;
      appNames.push(name);
      appIndex.set(name, code);
    }
    return code;
  }

  function onPayload(p: DecodedPacket, flowId: number, d: number, slot: number): void {
    let st: FlowState | undefined;
    if (directions[slot] === NEW) {
      directions[slot] = ACTIVE;
      const { data, payloadOffset: off, payloadLength: len } = p;
      if (appCodes[flowId] === 0) {
        const name = identifyPayload(data, off, len, p.protocol, p.srcPort, p.dstPort);
        if (name !== '') appCodes[flowId] = appCode(name);
      }
      const app = appNames[appCodes[flowId]!]!;
      const parser = chooseParser(p, app, d);
      if (app === 'quic' && looksLikeQuicLongHeader(data, off, len)) {
        st = stateOf(flowId);
        st.meta.quic ??= { version: quicVersionName(readU32(data, off + 1)) };
      }
      if (parser === Parser.NONE) {
        directions[slot] = DONE;
        return;
      }
      st = stateOf(flowId);
      st.parser[d] = parser;
    } else {
      st = stateOf(flowId);
    }
    let done: boolean;
    if (p.protocol === TCP) done = onSegment(st, d, p);
    else done = parse(st, d, p.data, p.payloadOffset, p.payloadLength, st.parser[d] !== Parser.DHCP);
    if (!done && ++st.packets[d] >= cfg.maxPacketsPerDirection) {
      if (st.parser[d] !== Parser.DHCP) counters.limitReached++;
      done = finalParse(st, d);
    }
    if (done) {
      st.buffer[d] = null;
      directions[slot] = DONE;
    }
  }

  function stateOf(flowId: number): FlowState {
    let st = states.get(flowId);
    if (st === undefined) {
      st = newState();
      states.set(flowId, st);
      hasState[flowId] = 1;
    }
    return st;
  }

  /** Sets the record's fields; at the flow's final record, adds the flow to the inventory. */
  function publish(
    record: FlowRecord,
    st: FlowState | undefined,
    code: number,
    hadPayload: boolean,
    final: boolean,
  ): void {
    let app = appNames[code]!;
    let by: IdentifiedBy = app !== '' ? 'payload' : 'none';
    if (app === '' && hadPayload && cfg.portFallback) {
      app = applicationForPorts(record.protocol, record.srcPort, record.dstPort);
      if (app !== '') by = 'port';
    }
    if (app !== '') record.application = app;
    const meta = st !== undefined && Object.keys(st.meta).length > 0 ? st.meta : undefined;
    if (meta !== undefined) {
      // An interim record gets a copy: the flow's metadata may still grow after it is published.
      record.app = final ? meta : structuredClone(meta);
      const sni = meta.tls?.sni ?? meta.quic?.sni;
      if (sni !== undefined) record.sni = sni;
      if (meta.http?.host !== undefined) record.httpHost = meta.http.host;
    }
    if (final) inventory.addFlow(app, by, meta);
  }

  return {
    name: 'app',
    applicationOf(flowId: number): string {
      return flowId < appCodes.length ? appNames[appCodes[flowId]!]! : '';
    },
    onPacket(p: DecodedPacket, _timestamp: number, _frameLength: number, flowId: number, forward: boolean) {
      const slot = flowId * 2 + (forward ? 0 : 1);
      if (slot >= directions.length) grow(flowId);
      if (directions[slot] === DONE || p.payloadLength === 0) return;
      onPayload(p, flowId, forward ? 0 : 1, slot);
    },
    onFlowEnd(flowId: number, record: FlowRecord) {
      const slot = flowId * 2;
      const final = record.endReason !== 'active-timeout';
      if (slot + 1 >= directions.length) grow(flowId);
      const hadPayload = directions[slot] !== NEW || directions[slot + 1] !== NEW;
      if (!hadPayload) {
        // The common case in scans and floods: nothing to say about the flow.
        if (final) inventory.addFlow('', 'none', undefined);
        return;
      }
      const st = hasState[flowId] === 1 ? states.get(flowId) : undefined;
      if (st !== undefined && final) {
        // Messages still waiting for bytes are parsed with what came (an HTTP head cut short…).
        for (let d = 0; d < 2; d++) if (directions[slot + d] === ACTIVE) finalParse(st, d);
      }
      publish(record, st, appCodes[flowId]!, hadPayload, final);
      if (final) {
        directions[slot] = NEW;
        directions[slot + 1] = NEW;
        appCodes[flowId] = 0;
        if (st !== undefined) {
          states.delete(flowId);
          hasState[flowId] = 0;
        }
      }
    },
    finish(): AppInventory {
      return inventory.result(counters);
    },
  };
}
