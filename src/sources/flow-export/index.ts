export {
  type BoundListener,
  createExportListeners,
  DEFAULT_EXPORT_PORTS,
  DRAIN_MAX_MS,
  DRAIN_QUIET_MS,
  type ExportListenerConfig,
  type ExportListenerKind,
  type ExportListeners,
} from './export-listener.js';
export { createThreadedExportListeners, type ThreadedExportListeners } from './threaded-listeners.js';
