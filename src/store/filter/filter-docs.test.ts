import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_NAMES } from './fields.js';
import { filterFields, parseFilter } from './index.js';

const doc = readFileSync(new URL('../../../docs/filter-language.md', import.meta.url), 'utf8');
const table = doc.slice(doc.indexOf('## Fields'), doc.indexOf('## SQL'));
const rows = new Map(
  table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => [line.split('|')[1].trim().replaceAll('`', ''), line] as const),
);

describe('docs/filter-language.md', () => {
  it.each(filterFields().map((f) => [f.name, f] as const))(
    'documents %s with its aliases and columns',
    (_, field) => {
      const row = rows.get(field.name);
      expect(row, `no row for ${field.name}`).toBeDefined();
      for (const word of [...field.aliases, ...field.columns]) expect(row).toContain(`\`${word}\``);
    },
  );

  it('documents no field the catalogue lacks', () => {
    expect([...rows.keys()].sort()).toEqual(
      filterFields()
        .map((f) => f.name)
        .sort(),
    );
  });

  it('lists every protocol name', () => {
    for (const name of PROTOCOL_NAMES.keys()) expect(table).toContain(name);
  });

  it('uses examples that parse', () => {
    for (const row of rows.values()) {
      const cells = row.split('|');
      const examples = [...cells[cells.length - 2].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect(examples.length, row).toBeGreaterThan(0);
      for (const example of examples) expect(() => parseFilter(example), example).not.toThrow();
    }
    const block = doc.slice(doc.indexOf('```') + 3, doc.indexOf('```', doc.indexOf('```') + 3));
    for (const line of block.trim().split('\n')) expect(() => parseFilter(line), line).not.toThrow();
  });
});
