/**
 * HTML escaping for the report. Every string that comes from a capture (SNI, HTTP host, paths,
 * user agents, DNS names, file names) is attacker-controlled and goes through `escapeHtml`.
 *
 * Contract: the result is safe as element text and as a double- or single-quoted attribute value;
 * it is not safe inside <script>, <style>, a URL attribute or an unquoted attribute, and the
 * renderer puts capture strings in none of those. NUL and other C0/C1 controls (except tab and
 * line feed) become U+FFFD, so they cannot confuse a parser or a terminal the text is pasted into.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what this replaces.
const UNSAFE = /[&<>"'`]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  return text.replace(UNSAFE, (c) => ENTITIES[c] ?? '\uFFFD');
}
