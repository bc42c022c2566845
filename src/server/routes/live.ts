/**
 * WebSocket `/api/v1/live`: hands each connection to the live hub (see live/live-hub.ts).
 * `GET /api/v1/live/flows`: the active flows of the live capture in this process, busiest first.
 */
import type { FastifyInstance } from 'fastify';
import { ERR } from '../../shared/index.js';
import { ApiError } from '../api-error.js';
import type { LiveFlowsSource } from '../live/live-flows.js';
import type { LiveHub, Topic } from '../live/live-hub.js';
import { answer, ERROR_ANSWERS, LIVE_FLOWS_QUERY, LIVE_QUERY } from '../schemas.js';

export interface LiveRouteOptions {
  hub: LiveHub;
  flows?: LiveFlowsSource;
}

export async function liveRoutes(app: FastifyInstance, options: LiveRouteOptions): Promise<void> {
  app.get<{ Querystring: { limit: number } }>(
    '/live/flows',
    {
      schema: {
        tags: ['live'],
        summary: 'Active flows of the live capture (flowlens serve --capture IFACE), busiest first',
        querystring: LIVE_FLOWS_QUERY,
        response: {
          200: answer(
            'LiveFlowsSnapshot: { interface, packets, activeFlows, newFlowsPerSecond, flowsEnded, flows[] }',
          ),
          404: { description: 'No live capture runs in this server', $ref: 'ApiError#' },
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request) => {
      const snapshot = options.flows?.(request.query.limit);
      if (snapshot === undefined) {
        throw new ApiError(
          404,
          ERR.API_NOT_FOUND,
          'no live capture runs in this server: start it with flowlens serve --capture IFACE',
        );
      }
      return snapshot;
    },
  );
  app.get<{ Querystring: { topics?: string; since?: number } }>(
    '/live',
    {
      websocket: true,
      schema: {
        tags: ['live'],
        summary: 'WebSocket live feed: topics stats, alerts, jobs (see docs/api.md for the protocol)',
        querystring: LIVE_QUERY,
      },
    },
    (socket, request) => {
      const topics = (request.query.topics?.split(',') ?? []) as Topic[];
      options.hub.attach(socket, topics, request.query.since);
    },
  );
}
