/**
 * Threat intelligence: feed formats, the compiled matcher, feeds from local files, feeds and
 * lists configured in a data directory (with their HTTP refresh), all combined in ThreatIntel.
 */
export * from './feed-formats.js';
export * from './feed-library.js';
export * from './feed-refresh.js';
export * from './threat-feeds.js';
export * from './threat-intel.js';
export * from './threat-matcher.js';
