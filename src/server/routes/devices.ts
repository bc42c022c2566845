/**
 * `/api/v1/devices`: the device inventory (docs/devices.md). List, one device by MAC, and
 * `PATCH` for what users set (name, owner, notes, trusted); the inventory's own facts are
 * read-only. Answers are the store's `StoredDevice` values unchanged, as
 * `flowlens devices --format json` prints them.
 */
import type { FastifyInstance } from 'fastify';
import { ERR } from '../../shared/index.js';
import type { DeviceUpdate, FlowStore } from '../../store/index.js';
import { ApiError } from '../api-error.js';
import { answer, DEVICE_PARAMS, DEVICE_UPDATE_BODY, DEVICES_QUERY, ERROR_ANSWERS } from '../schemas.js';

export interface DeviceRouteOptions {
  store: FlowStore;
  rateLimit(weight: 'light' | 'heavy'): Record<string, unknown>;
}

function notFound(mac: string): ApiError {
  return new ApiError(404, ERR.API_NOT_FOUND, `no device with MAC ${mac}`);
}

export async function deviceRoutes(app: FastifyInstance, options: DeviceRouteOptions): Promise<void> {
  const { store } = options;

  app.get<{ Querystring: { limit: number } }>(
    '/devices',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['devices'],
        summary: 'Devices, most recently seen first',
        querystring: DEVICES_QUERY,
        response: { 200: answer('{ devices: StoredDevice[] } (docs/devices.md)'), ...ERROR_ANSWERS },
      },
    },
    async (request) => ({ devices: await store.listDevices(request.query.limit) }),
  );

  app.get<{ Params: { mac: string } }>(
    '/devices/:mac',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['devices'],
        summary: 'One device by MAC address',
        params: DEVICE_PARAMS,
        response: {
          200: answer('StoredDevice (docs/devices.md)'),
          404: { description: 'No such device', $ref: 'ApiError#' },
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request) => {
      const mac = request.params.mac.toLowerCase();
      const device = await store.getDevice(mac);
      if (device === undefined) throw notFound(mac);
      return device;
    },
  );

  app.patch<{ Params: { mac: string }; Body: DeviceUpdate }>(
    '/devices/:mac',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['devices'],
        summary: 'Set a device name, owner, notes or trusted flag (null clears a text field)',
        params: DEVICE_PARAMS,
        body: DEVICE_UPDATE_BODY,
        response: {
          200: answer('StoredDevice after the change'),
          404: { description: 'No such device', $ref: 'ApiError#' },
          ...ERROR_ANSWERS,
        },
      },
    },
    async (request) => {
      const mac = request.params.mac.toLowerCase();
      if (!(await store.updateDevice(mac, request.body))) throw notFound(mac);
      return store.getDevice(mac);
    },
  );
}
