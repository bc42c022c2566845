/**
 * The ASN data installed by `npm ci`: ip-location-db's asn CSV (RouteViews, RIR statistics via
 * the NRO, and DB-IP IP to ASN Lite; all CC BY 4.0, attribution required).
 */
import type { AsInfo, IpDatabase } from '../enricher.js';
import { bundledFile } from '../mmdb/index.js';
import { openAsnCsv } from './asn-csv.js';

export const BUNDLED_ASN_PACKAGE = '@ip-location-db/asn';

export const BUNDLED_ASN_ATTRIBUTION =
  'ASN data: ip-location-db asn (https://github.com/sapics/ip-location-db), built from ' +
  'RouteViews (CC BY 4.0, https://www.routeviews.org/), NRO RIR statistics (CC BY 4.0, https://www.nro.net/) ' +
  'and IP to ASN Lite by DB-IP (CC BY 4.0, https://db-ip.com/)';

export function openBundledAsn(): Promise<IpDatabase<AsInfo>> {
  return openAsnCsv(
    bundledFile(BUNDLED_ASN_PACKAGE, 'asn-ipv4-num.csv'),
    bundledFile(BUNDLED_ASN_PACKAGE, 'asn-ipv6.csv'),
  );
}
