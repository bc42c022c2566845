export {
  createDeviceAnalyzer,
  DEFAULT_DEVICE_ANALYZER_CONFIG,
  type DeviceAnalyzerConfig,
  type DeviceInventory,
} from './device-analyzer.js';
