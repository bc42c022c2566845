/** Country/city databases (MMDB). */
export * from './bundled-country.js';
export * from './geoip-db.js';
