export {
  type CaptureTool,
  captureLive,
  findCaptureTool,
  type LiveCaptureOptions,
  type LiveCaptureResult,
  type LiveCaptureStats,
  listInterfaces,
  parseToolStats,
} from './live-capture.js';
