/** MaxMind DB reader shared by geoip/ and asn/. */

export * from './database-file.js';
export * from './mmdb-database.js';
export * from './mmdb-reader.js';
export * from './record-fields.js';
