/**
 * The analyzers `flowlens analyze` can run, by name, and the `--analyzers` option that picks
 * them. Every analyzer runs in the engine's single pass; `none` gives the bare engine.
 */
import { InvalidArgumentError } from 'commander';
import {
  createAppAnalyzer,
  createDeviceAnalyzer,
  createTcpAnalyzer,
  type PacketAnalyzer,
} from '../../analyze/index.js';

const FACTORIES: Record<string, () => PacketAnalyzer> = {
  app: () => createAppAnalyzer(),
  devices: () => createDeviceAnalyzer(),
  tcp: () => createTcpAnalyzer(),
};

export const ANALYZER_NAMES = Object.keys(FACTORIES);

/** Parses `all`, `none` or a comma-separated list of analyzer names. */
export function analyzerList(value: string): string[] {
  const text = value.trim();
  if (text === 'all') return [...ANALYZER_NAMES];
  if (text === 'none' || text === '') return [];
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(name in FACTORIES));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown analyzer ${unknown.join(', ')}: expected all, none or ${ANALYZER_NAMES.join(', ')}`,
    );
  }
  return [...new Set(names)];
}

export function createAnalyzers(names: readonly string[]): PacketAnalyzer[] {
  return names.map((name) => FACTORIES[name]());
}
