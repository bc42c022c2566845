/**
 * The live feed behind WebSocket `/api/v1/live`: topics `stats`, `alerts` and `jobs`, one
 * increasing message id across topics, the last `history` messages of each topic kept for resume, heartbeats,
 * and slow consumers cut off. Producers call `publish`; the detection stage will publish alerts,
 * collectors add fields to `stats` with `addStatsSource`.
 *
 * Protocol (JSON text frames). Server → client: `{type:'message', id, topic, ts, data}`,
 * `{type:'heartbeat', id, ts}` (id = newest message id), `{type:'subscribed', topics}`,
 * `{type:'gap', since, topics}` when a resume asks for messages no longer kept, and
 * `{type:'error', error:{code, message}}`. Client → server: `{type:'subscribe', topics, since?}`,
 * `{type:'unsubscribe', topics}`.
 *
 * Contract: `publish` never waits for a client. A client whose unsent bytes exceed
 * `maxBufferedBytes` is terminated (close code 1013 cannot be sent to a client that does not read).
 */
import type { WebSocket } from 'ws';
import { ERR } from '../../shared/index.js';
import type { ServerMetrics } from '../metrics.js';

export const TOPICS = ['stats', 'alerts', 'jobs'] as const;
export type Topic = (typeof TOPICS)[number];

export interface LiveMessage {
  type: 'message';
  id: number;
  topic: Topic;
  /** Milliseconds since the epoch. */
  ts: number;
  data: unknown;
}

export interface LiveHubOptions {
  history: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** How often `stats` is published, ms. Default 1000. */
  statsMs?: number;
}

export interface LiveHub {
  publish(topic: Topic, data: unknown): LiveMessage;
  /** Adds `{[name]: source()}` to every `stats` message. */
  addStatsSource(name: string, source: () => unknown): void;
  /** Takes over a connected socket. */
  attach(socket: WebSocket, topics: readonly Topic[], since: number | undefined): void;
  readonly clients: number;
  start(): void;
  /** Closes every client (1001 going away). */
  stop(): void;
}

interface Client {
  socket: WebSocket;
  topics: Set<Topic>;
  alive: boolean;
}

function isTopic(value: unknown): value is Topic {
  return (TOPICS as readonly unknown[]).includes(value);
}

export function createLiveHub(options: LiveHubOptions, metrics: ServerMetrics): LiveHub {
  const clients = new Set<Client>();
  /** Per topic, so a chatty `stats` does not push `jobs` and `alerts` out of the resume window. */
  const history = new Map<Topic, LiveMessage[]>(TOPICS.map((topic) => [topic, []]));
  /** Per topic, the newest id no longer kept. */
  const evicted = new Map<Topic, number>(TOPICS.map((topic) => [topic, 0]));
  const statsSources = new Map<string, () => unknown>();
  let seq = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  let stats: NodeJS.Timeout | undefined;

  function drop(client: Client, slow: boolean): void {
    if (!clients.delete(client)) return;
    metrics.liveClients.set(clients.size);
    if (slow) metrics.liveSlowConsumers.inc();
    client.socket.terminate();
  }

  /** Sends unless the client is already too far behind, in which case it is cut off. */
  function send(client: Client, payload: string): void {
    if (client.socket.readyState !== client.socket.OPEN) return;
    if (client.socket.bufferedAmount > options.maxBufferedBytes) {
      drop(client, true);
      return;
    }
    client.socket.send(payload);
  }

  function replay(client: Client, since: number, topics: readonly Topic[]): void {
    const lost = topics.filter((topic) => (evicted.get(topic) ?? 0) > since);
    if (lost.length > 0) send(client, JSON.stringify({ type: 'gap', since, topics: lost }));
    const missed = topics
      .flatMap((topic) => history.get(topic) ?? [])
      .filter((message) => message.id > since)
      .sort((a, b) => a.id - b.id);
    for (const message of missed) send(client, JSON.stringify(message));
  }

  function subscribe(client: Client, topics: readonly Topic[], since: number | undefined): void {
    for (const topic of topics) client.topics.add(topic);
    send(client, JSON.stringify({ type: 'subscribed', topics: [...client.topics], id: seq }));
    if (since !== undefined) replay(client, since, topics);
  }

  function onText(client: Client, text: string): void {
    let message: { type?: unknown; topics?: unknown; since?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      message = {};
    }
    const topics = Array.isArray(message.topics) ? message.topics : [];
    const since = message.since;
    const valid =
      (message.type === 'subscribe' || message.type === 'unsubscribe') &&
      topics.length > 0 &&
      topics.every(isTopic) &&
      (since === undefined || (Number.isSafeInteger(since) && (since as number) >= 0));
    if (!valid) {
      send(
        client,
        JSON.stringify({
          type: 'error',
          error: {
            code: ERR.API_VALIDATION,
            message: `expected {"type":"subscribe"|"unsubscribe","topics":[${TOPICS.map((t) => `"${t}"`).join(', ')}],"since"?: id}`,
          },
        }),
      );
      return;
    }
    if (message.type === 'unsubscribe') {
      for (const topic of topics as Topic[]) client.topics.delete(topic);
      send(client, JSON.stringify({ type: 'subscribed', topics: [...client.topics], id: seq }));
    } else subscribe(client, topics as Topic[], since as number | undefined);
  }

  return {
    publish(topic, data) {
      const message: LiveMessage = { type: 'message', id: ++seq, topic, ts: Date.now(), data };
      const kept = history.get(topic) as LiveMessage[];
      kept.push(message);
      if (kept.length > options.history) evicted.set(topic, (kept.shift() as LiveMessage).id);
      metrics.liveMessages.inc({ topic });
      let payload: string | undefined;
      for (const client of clients) {
        if (!client.topics.has(topic)) continue;
        payload ??= JSON.stringify(message);
        send(client, payload);
      }
      return message;
    },

    addStatsSource(name, source) {
      statsSources.set(name, source);
    },

    attach(socket, topics, since) {
      const client: Client = { socket, topics: new Set(), alive: true };
      clients.add(client);
      metrics.liveClients.set(clients.size);
      socket.on('pong', () => {
        client.alive = true;
      });
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        onText(client, data.toString());
      });
      socket.on('close', () => drop(client, false));
      socket.on('error', () => drop(client, false));
      subscribe(client, topics, since);
    },

    get clients() {
      return clients.size;
    },

    start() {
      heartbeat = setInterval(() => {
        for (const client of clients) {
          if (!client.alive) {
            drop(client, false);
            continue;
          }
          client.alive = false;
          client.socket.ping();
          send(client, JSON.stringify({ type: 'heartbeat', id: seq, ts: Date.now() }));
        }
      }, options.heartbeatMs);
      heartbeat.unref();
      stats = setInterval(() => {
        const data: Record<string, unknown> = {};
        for (const [name, source] of statsSources) data[name] = source();
        this.publish('stats', data);
      }, options.statsMs ?? 1000);
      stats.unref();
    },

    stop() {
      clearInterval(heartbeat);
      clearInterval(stats);
      for (const client of [...clients]) {
        clients.delete(client);
        client.socket.close(1001, 'server shutting down');
      }
      metrics.liveClients.set(0);
    },
  };
}
