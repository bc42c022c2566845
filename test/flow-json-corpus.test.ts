/**
 * `analyze --format json` writes each flow with its own encoder (cli/analyze/flow-json-encoder),
 * which spells out the key order the analyzers and enrichment build records in. On every real
 * capture of the corpus, with every analyzer, the detections' pass and enrichment (bundled
 * country and AS data: AS names with quotes among them), each record must come out exactly as
 * JSON.stringify writes it.
 */
import { describe, expect, it } from 'vitest';
import { flowJson } from '../src/cli/analyze/flow-json-encoder.js';
import { createEnricher, createPassiveNames } from '../src/enrich/index.js';
import {
  analyzeCaptures,
  createCaptureDetection,
  createDiagnosisAnalyzers,
  createFlowEnrichment,
  diagnosisDnsAnalyzer,
} from '../src/pipeline/index.js';
import { corpusAvailable, corpusFiles, corpusPath } from './support/corpus.js';

describe.skipIf(!corpusAvailable)('the flow JSON encoder on the corpus', () => {
  it('writes every record of every capture as JSON.stringify does', async () => {
    const enricher = createEnricher({ ipv4TableAfter: 0 });
    await enricher.start();
    let records = 0;
    let withTcp = 0;
    let withAsName = 0;
    for (const file of corpusFiles()) {
      const analyzers = createDiagnosisAnalyzers();
      const enrichment = createFlowEnrichment({ enricher, names: createPassiveNames() });
      const dns = diagnosisDnsAnalyzer(analyzers);
      if (dns) enrichment.shareDnsAnalyzer(dns);
      const detection = createCaptureDetection({}, { dns });
      const mismatches: string[] = [];
      await analyzeCaptures({
        files: [corpusPath(file)],
        analyzers: [...analyzers, ...detection.analyzers],
        enrichment,
        onFlow(record) {
          records++;
          if (record.tcp) withTcp++;
          if (record.srcAsName ?? record.dstAsName) withAsName++;
          const expected = JSON.stringify(record);
          if (flowJson(record) !== expected && mismatches.length < 3) mismatches.push(expected);
        },
      });
      expect(mismatches, file).toEqual([]);
    }
    await enricher.stop();
    expect(records).toBeGreaterThan(1000);
    expect(withTcp).toBeGreaterThan(100);
    expect(withAsName).toBeGreaterThan(100);
  }, 120_000);
});
