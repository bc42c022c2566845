/** AS number and name databases: ASN .mmdb files and ip-location-db CSV ranges. */
export * from './asn-csv.js';
export * from './asn-mmdb.js';
export * from './bundled-asn.js';
export * from './range-table.js';
