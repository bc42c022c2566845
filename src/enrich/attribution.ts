/**
 * Attribution the data's licences require (CC BY 4.0 for the bundled ASN data and the NRO
 * statistics behind the country data; MaxMind's and DB-IP's terms for users' own files). The
 * report, the dashboard and `flowlens lookup` print these lines.
 */
import { BUNDLED_ASN_ATTRIBUTION } from './asn/index.js';
import { BUNDLED_COUNTRY_ATTRIBUTION } from './geoip/index.js';
import { OUI_ATTRIBUTION } from './oui/index.js';

/** The bundled data: country, ASN, MAC vendors, in that order. */
export const ATTRIBUTION: readonly string[] = [
  BUNDLED_COUNTRY_ATTRIBUTION,
  BUNDLED_ASN_ATTRIBUTION,
  OUI_ATTRIBUTION,
];

/** Lines for a user's own database, recognised by its MMDB database type. */
export function attributionFor(description: string): string[] {
  if (/geolite/i.test(description)) {
    return ['This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com'];
  }
  if (/geoip2/i.test(description)) return ['Geolocation data: MaxMind GeoIP2 (https://www.maxmind.com)'];
  if (/db-?ip/i.test(description)) return ['IP Geolocation by DB-IP (CC BY 4.0, https://db-ip.com)'];
  return [];
}
