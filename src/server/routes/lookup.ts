/**
 * `GET /api/v1/lookup/:value`: everything Flowlens knows about an IP address, a MAC address or a
 * domain name (pipeline/lookup.ts), the same `{ results, attribution }` that
 * `flowlens lookup VALUE --data DIR --format json` prints for the server's store. The server's
 * one Lookup (and so one enricher) answers every request; the databases are read once.
 */
import type { FastifyInstance } from 'fastify';
import { type Lookup, lookupKind, notLookupValue } from '../../pipeline/index.js';
import { ERR } from '../../shared/index.js';
import { ApiError } from '../api-error.js';
import { answer, ERROR_ANSWERS } from '../schemas.js';

export interface LookupRouteOptions {
  lookup: Lookup;
  rateLimit(weight: 'light' | 'heavy'): Record<string, unknown>;
}

export const LOOKUP_PARAMS = {
  type: 'object',
  required: ['value'],
  properties: {
    value: {
      type: 'string',
      minLength: 1,
      maxLength: 300,
      description:
        'IPv4 or IPv6 address, MAC address (aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff, aabbccddeeff) or domain name',
      examples: ['8.8.8.8', '00:0c:29:40:0e:ef', 'example.com'],
    },
  },
} as const;

export async function lookupRoutes(app: FastifyInstance, options: LookupRouteOptions): Promise<void> {
  app.get<{ Params: { value: string } }>(
    '/lookup/:value',
    {
      // Address and domain lookups scan the stored flows, as hosts/:ip does.
      config: options.rateLimit('heavy'),
      schema: {
        tags: ['enrichment'],
        summary: 'Country, AS, special range, MAC vendor, threat tags, names and flows seen, for one value',
        params: LOOKUP_PARAMS,
        response: {
          200: answer(
            'LookupAnswer: { results: [LookupResult], attribution: string[] } (docs/enrichment.md)',
          ),
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request) => {
      const value = request.params.value.trim();
      if (lookupKind(value) === undefined) {
        throw new ApiError(400, ERR.API_VALIDATION, notLookupValue(value), { in: 'params', path: '/value' });
      }
      return options.lookup.lookup([value]);
    },
  );
}
