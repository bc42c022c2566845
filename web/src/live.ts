/**
 * One WebSocket to `/api/v1/live` for the whole app, subscribed to stats, alerts and jobs. After
 * a drop it reconnects with backoff (0.5 s doubling to 10 s) and resumes with `since` = the last
 * message id seen, so no alert or job message is missed while the server still keeps it; a `gap`
 * frame says some were lost, and pages refetch.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { LiveMessage, Topic } from '../../src/server/api-types';
import { withToken } from './api';

type Listener = (message: LiveMessage) => void;
export type LiveStatus = 'connecting' | 'open' | 'closed';

const listeners = new Map<Topic | 'gap', Set<Listener>>();
const statusListeners = new Set<() => void>();
let status: LiveStatus = 'closed';
let socket: WebSocket | undefined;
let lastId: number | undefined;
let retryMs = 500;
let started = false;

function setStatus(next: LiveStatus): void {
  status = next;
  for (const listener of statusListeners) listener();
}

function connect(): void {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const since = lastId === undefined ? '' : `&since=${lastId}`;
  const url = withToken(`${scheme}://${window.location.host}/api/v1/live?topics=stats,alerts,jobs${since}`);
  setStatus('connecting');
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    retryMs = 500;
    setStatus('open');
  };
  ws.onmessage = (event) => {
    let frame: { type: string; id?: number; topic?: Topic };
    try {
      frame = JSON.parse(String(event.data));
    } catch {
      return;
    }
    if (frame.type === 'message') {
      const message = frame as LiveMessage;
      lastId = message.id;
      for (const listener of listeners.get(message.topic) ?? []) listener(message);
    } else if (frame.type === 'gap') {
      for (const listener of listeners.get('gap') ?? []) listener(frame as LiveMessage);
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    setStatus('closed');
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

function start(): void {
  if (started) return;
  started = true;
  connect();
}

/** Calls `listener` for every message of `topic` while the component is mounted. */
export function useLive(topic: Topic | 'gap', listener: Listener): void {
  useEffect(() => {
    start();
    const set = listeners.get(topic) ?? new Set<Listener>();
    listeners.set(topic, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }, [topic, listener]);
}

export function useLiveStatus(): LiveStatus {
  useEffect(start, []);
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => status,
  );
}
