/** Threat intelligence: feed formats, the compiled matcher, feeds from local files. */
export * from './feed-formats.js';
export * from './threat-feeds.js';
export * from './threat-matcher.js';
