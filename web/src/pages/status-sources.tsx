/**
 * The Status page's traffic sources: the collector's listeners and exporters (each exporter's
 * domains beneath it) and the live capture. Counters that mean data was lost or could not be
 * read (decode errors, template misses, sequence gaps, expired or dropped data) are highlighted
 * when they are not zero.
 */
import { Fragment, type ReactNode } from 'react';
import type {
  CaptureStatus,
  CollectorStatus,
  ExporterStatus,
  StatusAnswer,
} from '../../../src/server/api-types';
import { Empty, Panel } from '../components/common';
import { bytes, count } from '../format';

/** A number cell; `problem` highlights it when not zero. */
function Num(props: {
  value: number | null | undefined;
  problem?: boolean;
  testId?: string;
  title?: string;
}) {
  const alarm = props.problem && (props.value ?? 0) > 0;
  return (
    <td className={`num${alarm ? ' alarm' : ''}`} data-testid={props.testId} title={props.title}>
      {count(props.value)}
    </td>
  );
}

const DOMAIN_LABELS: Record<string, string> = {
  'netflow-v5': 'NetFlow v5 engine',
  'netflow-v9': 'NetFlow v9 source id',
  ipfix: 'IPFIX observation domain',
  'sflow-v5': 'sFlow sub-agent',
};

function ExporterRows({ exporter }: { exporter: ExporterStatus }) {
  return (
    <>
      <tr className="exporter" data-testid="exporter-row">
        <td className="mono">{exporter.exporter}</td>
        <Num value={exporter.packets} />
        <Num value={exporter.records} />
        <Num value={exporter.recordsPerSecond} testId="exporter-rate" />
        <Num value={exporter.decodeErrors} problem testId="exporter-errors" />
        <Num value={exporter.templateMisses} problem testId="exporter-misses" />
        <Num value={exporter.sequenceGaps} problem testId="exporter-gaps" />
        <Num value={exporter.pendingRecords} title="data sets waiting for their template now" />
        <Num value={exporter.expiredPending} problem title="data sets whose template never came" />
        <Num value={exporter.templates} />
        <Num value={exporter.restarts} problem />
      </tr>
      {exporter.domains.map((d) => (
        <tr className="domain muted" key={`${d.protocol}:${d.id}`}>
          <td>
            ↳ {DOMAIN_LABELS[d.protocol] ?? d.protocol} {d.id}
          </td>
          <Num value={d.packets} />
          <Num value={d.records} />
          <td />
          <td />
          <Num value={d.templateMisses} problem />
          <Num value={d.sequenceGaps} problem />
          <td />
          <td />
          <Num value={d.templates} />
          <td />
        </tr>
      ))}
    </>
  );
}

function CollectorPanel({ collector }: { collector: CollectorStatus }) {
  return (
    <Panel className="wide" title="Collector" testId="collector">
      <p className="hint" data-testid="collector-totals">
        {count(collector.recordsPerSecond)} records/s from {collector.exporters.length} exporter
        {collector.exporters.length === 1 ? '' : 's'}; {count(collector.flowsWritten)} flows written
        {', '}
        <span className={collector.flowsDropped > 0 ? 'bad' : ''}>
          {count(collector.flowsDropped)} dropped
        </span>
        {', '}
        <span className={collector.datagramsDropped > 0 ? 'bad' : ''}>
          {count(collector.datagramsDropped)} datagrams dropped
        </span>
        {', '}
        <span className={collector.writeErrors > 0 ? 'bad' : ''}>
          {count(collector.writeErrors)} write errors
        </span>
        ; {collector.queuedBatches} batches waiting for the store
      </p>
      <div className="table-wrap">
        <table data-testid="listeners">
          <thead>
            <tr>
              <th>Listener</th>
              <th>Address</th>
              <th className="num">Port (UDP)</th>
              <th className="num">Datagrams</th>
              <th className="num">Receive buffer</th>
            </tr>
          </thead>
          <tbody>
            {collector.listeners.map((l) => (
              <tr key={l.protocol}>
                <td>{l.protocol}</td>
                <td className="mono">{l.address}</td>
                <td className="num">{l.port}</td>
                <Num value={l.datagrams} />
                <td className="num">{bytes(l.receiveBufferBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {collector.exporters.length === 0 ? (
        <Empty>
          <p data-testid="no-exporters">
            Listening, but no exporter has sent anything yet. Point exporters at{' '}
            {collector.listeners.map((l, i) => (
              <Fragment key={l.protocol}>
                {i > 0 ? ', ' : ''}
                {l.protocol} UDP {l.port}
              </Fragment>
            ))}{' '}
            on this host.
          </p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="exporters">
            <thead>
              <tr>
                <th>Exporter</th>
                <th className="num">Packets</th>
                <th className="num">Records</th>
                <th className="num">Records/s</th>
                <th className="num">Decode errors</th>
                <th className="num">Template misses</th>
                <th className="num">Sequence gaps</th>
                <th className="num">Pending</th>
                <th className="num">Expired</th>
                <th className="num">Templates</th>
                <th className="num">Restarts</th>
              </tr>
            </thead>
            <tbody>
              {collector.exporters.map((e) => (
                <ExporterRows key={e.exporter} exporter={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

const NO_COLLECTOR = (
  <Empty>
    <p data-testid="collector-empty">
      <strong>No flow collector runs in this server.</strong> Start it with{' '}
      <code>flowlens serve --collect</code> (add <code>--collect-bind 0.0.0.0</code> for exporters on the
      network) and point exporters at UDP 2055 (NetFlow v5/v9), 4739 (IPFIX) or 6343 (sFlow). A separate{' '}
      <code>flowlens collect</code> on the same data directory writes flows too, but its counters show only on
      its own output (<code>--stats</code>).
    </p>
  </Empty>
);

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <tr>
      <th>{props.label}</th>
      <td>{props.children}</td>
    </tr>
  );
}

function CapturePanel({ capture }: { capture: CaptureStatus }) {
  const lossClass = (n: number) => (n > 0 ? 'bad' : '');
  return (
    <Panel title="Live capture" testId="capture">
      <table className="facts">
        <tbody>
          <Fact label="Interface">
            <span className="mono">{capture.interface}</span>
          </Fact>
          <Fact label="State">
            <span className={capture.running ? 'ok' : 'bad'}>
              {capture.running ? 'capturing' : 'stopped'}
            </span>
          </Fact>
          <Fact label="Packets">{count(capture.packets)}</Fact>
          <Fact label="Packets/s">{count(capture.packetsPerSecond)}</Fact>
          <Fact label="Active flows">{count(capture.activeFlows)}</Fact>
          <Fact label="Flows ended">{count(capture.flowsEnded)}</Fact>
          <Fact label="Flows written">{count(capture.flowsWritten)}</Fact>
          <Fact label="Write failures">
            <span className={lossClass(capture.writeFailures)}>{count(capture.writeFailures)}</span>
          </Fact>
          <Fact label="Kernel drops">
            {capture.droppedByKernel === null ? (
              <span className="muted">reported when the capture stops</span>
            ) : (
              <span className={lossClass(capture.droppedByKernel)}>{count(capture.droppedByKernel)}</span>
            )}
          </Fact>
        </tbody>
      </table>
    </Panel>
  );
}

export function SourcePanels({ status }: { status: StatusAnswer }) {
  return (
    <>
      {status.collector ? (
        <CollectorPanel collector={status.collector} />
      ) : (
        <Panel className="wide" title="Collector" testId="collector">
          {NO_COLLECTOR}
        </Panel>
      )}
      {status.capture && <CapturePanel capture={status.capture} />}
    </>
  );
}
