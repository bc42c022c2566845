/**
 * Hostile strings for the report tests: what an attacker can put in an SNI, an HTTP Host, a path,
 * a User-Agent or a DNS name, aimed at HTML text, attributes, scripts, styles and URLs.
 */
export const HOSTILE_STRINGS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</title><script>fetch("http://evil.example/x")</script>',
  '</style><link rel=stylesheet href=//evil.example/a.css>',
  '<iframe src="javascript:alert(1)"></iframe>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal injection attempt, on purpose.
  '`${alert(1)}`',
  '&lt;already-escaped&gt; & <b>bold</b>',
  'evil.example\u0000<script>',
  '<!--',
  ']]><x>',
  '\u202e<svg/onload=alert(1)>',
  '<a href="http://evil.example">click</a>',
  '<meta http-equiv="refresh" content="0;url=http://evil.example">',
  '<base href="http://evil.example/">',
];

/** One string holding them all, for places that take a single value. */
export const HOSTILE = HOSTILE_STRINGS.join(' ');
