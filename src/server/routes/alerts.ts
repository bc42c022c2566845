/**
 * `/api/v1` alerts: `GET /alerts` (state, severity-and-above, type filters), `GET /alerts/:id`,
 * and the lifecycle moves `POST /alerts/:id/ack` and `POST /alerts/:id/dismiss`. Lifecycle:
 * new → acknowledged → dismissed, or new → dismissed; a dismissed alert is final (a repeat of
 * it opens a new alert), so moving it again is a 409. Repeating a move is a no-op answer.
 * Every move is published on the live feed's `alerts` topic as `{event: 'state', alert}`.
 */
import type { FastifyInstance } from 'fastify';
import { ERR } from '../../shared/index.js';
import type { AlertSeverity, AlertState, FlowStore, StoredAlert } from '../../store/index.js';
import { ApiError, notFound } from '../api-error.js';
import type { LiveHub } from '../live/live-hub.js';
import { ALERT_PARAMS, ALERT_STATE_BODY, ALERTS_QUERY, answer, ERROR_ANSWERS } from '../schemas.js';

export interface AlertRouteOptions {
  store: FlowStore;
  live: LiveHub;
  rateLimit(weight: 'light' | 'heavy'): Record<string, unknown>;
}

/** How far back `GET /alerts/:id` looks: the store lists alerts most recent first. */
const LOOKUP_WINDOW = 10_000;

const MOVES: Record<'ack' | 'dismiss', AlertState> = { ack: 'acknowledged', dismiss: 'dismissed' };

interface AlertsQuery {
  state?: AlertState;
  severity?: AlertSeverity;
  type?: string;
  limit: number;
}

async function findAlert(store: FlowStore, id: string): Promise<StoredAlert> {
  const alert = (await store.listAlerts({ limit: LOOKUP_WINDOW })).find((a) => a.id === id);
  if (alert === undefined) throw notFound(`alert ${id}`);
  return alert;
}

export async function alertRoutes(app: FastifyInstance, options: AlertRouteOptions): Promise<void> {
  const { store } = options;
  const tags = ['alerts'];

  app.get<{ Querystring: AlertsQuery }>(
    '/alerts',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'Alerts, most recently seen first',
        querystring: ALERTS_QUERY,
        response: { 200: answer('{ alerts: StoredAlert[] }'), ...ERROR_ANSWERS },
      },
    },
    async (request) => {
      const { state, severity, type, limit } = request.query;
      return { alerts: await store.listAlerts({ state, minSeverity: severity, type, limit }) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/alerts/:id',
    {
      config: options.rateLimit('light'),
      schema: {
        tags,
        summary: 'One alert with its explanation and evidence',
        params: ALERT_PARAMS,
        response: {
          200: answer('StoredAlert'),
          ...ERROR_ANSWERS,
          404: { description: 'No such alert', $ref: 'ApiError#' },
        },
      },
    },
    async (request) => findAlert(store, request.params.id),
  );

  for (const [verb, state] of Object.entries(MOVES) as ['ack' | 'dismiss', AlertState][]) {
    app.post<{ Params: { id: string }; Body: { by?: string } | null }>(
      `/alerts/:id/${verb}`,
      {
        config: options.rateLimit('light'),
        schema: {
          tags,
          summary: verb === 'ack' ? 'Acknowledge an alert' : 'Dismiss an alert',
          description: 'Optional JSON body {"by": "alice"} records who did it (default "api").',
          params: ALERT_PARAMS,
          body: ALERT_STATE_BODY,
          response: {
            200: answer('The alert in its new state'),
            ...ERROR_ANSWERS,
            404: { description: 'No such alert', $ref: 'ApiError#' },
            409: { description: 'The alert is dismissed (final)', $ref: 'ApiError#' },
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const current = await findAlert(store, id);
        if (current.state === state) return current;
        if (current.state === 'dismissed') {
          throw new ApiError(
            409,
            ERR.API_CONFLICT,
            `alert ${id} is dismissed; a dismissed alert cannot be ${state}`,
            { state: current.state },
          );
        }
        if (!(await store.setAlertState(id, state, request.body?.by ?? 'api'))) throw notFound(`alert ${id}`);
        const alert = await findAlert(store, id);
        options.live.publish('alerts', { event: 'state', alert });
        return alert;
      },
    );
  }
}
