import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape.js';
import { HOSTILE_STRINGS } from './testing/hostile.js';

describe('escapeHtml', () => {
  it('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('escapes an already escaped string again (no double-decoding shortcut)', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('replaces NUL and control characters but keeps tab, newline and non-ASCII', () => {
    expect(escapeHtml('a\u0000b\u0007c\u009bd')).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(escapeHtml('tab\tnl\nü日本\u202e')).toBe('tab\tnl\nü日本\u202e');
  });

  it('turns non-strings into text', () => {
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
  });

  it.each(HOSTILE_STRINGS)('leaves no markup in %j', (hostile) => {
    const out = escapeHtml(hostile);
    expect(out).not.toMatch(/[<>"'`]/);
    // Decoding the entities gives the input back (controls aside).
    const decoded = out
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&#96;/g, '`')
      .replace(/&amp;/g, '&');
    expect(decoded).toBe(hostile.replaceAll(String.fromCharCode(0), '\uFFFD'));
  });

  it('never lets a tag or a quote through, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"'`]/);
        expect(out).not.toContain(String.fromCharCode(0));
      }),
    );
  });
});
