/**
 * The country database installed by `npm ci`: ip-location-db's geo-whois-asn-country (GeoFeed,
 * then RIR whois, then ASN country; CC0, with NRO statistics under CC BY 4.0).
 */
import { bundledFile } from '../mmdb/index.js';

export const BUNDLED_COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';

export const BUNDLED_COUNTRY_ATTRIBUTION =
  'Country data: ip-location-db geo-whois-asn-country (CC0 1.0, https://github.com/sapics/ip-location-db), ' +
  'built from RIR statistics by the NRO (CC BY 4.0, https://www.nro.net/)';

export function bundledCountryDatabase(): string {
  return bundledFile(BUNDLED_COUNTRY_PACKAGE, 'geo-whois-asn-country.mmdb');
}
