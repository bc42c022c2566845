/**
 * Application metadata of one flow, as the application analyzer (analyze/app) reads it from the
 * first bytes of each direction. Field names are a public contract (`flowlens analyze --format
 * json`, documented in docs/app-metadata.md): keep them stable. Every part is optional and present
 * only when the flow carried it; the record's `application`, `sni` and `httpHost` repeat the
 * headline values.
 */

export interface TlsMetadata {
  /** Negotiated version ('TLS 1.3', 'TLS 1.2', …): ServerHello supported_versions, else its version, else the ClientHello's. */
  version?: string;
  sni?: string;
  /** ALPN protocols the client offered, in order (capped). */
  alpn?: string[];
  /** ALPN protocol the server selected. */
  serverAlpn?: string;
  /** FoxIO JA4 client fingerprint, e.g. 't13d1516h2_8daaf6152771_e5627efa2ab1'. */
  ja4?: string;
  /** JA3 client fingerprint (MD5, lower-case hex). */
  ja3?: string;
}

export interface HttpMetadata {
  method?: string;
  host?: string;
  /** Request target as sent (capped length). */
  path?: string;
  userAgent?: string;
  /** Status code of the first response. */
  status?: number;
}

export interface DhcpMetadata {
  /** DHCP message types seen, in order, without repeats ('discover', 'offer', …). */
  messageTypes: string[];
  /** Option 12. */
  hostname?: string;
  /** Option 60. */
  vendorClass?: string;
  /** Option 55, the option codes in the client's order. */
  parameterRequestList?: number[];
}

export interface SshMetadata {
  clientBanner?: string;
  serverBanner?: string;
}

export interface QuicMetadata {
  /** 'v1', 'v2', 'draft-29', or the version in hex ('0xff00001d'). */
  version: string;
  /** From the decrypted client Initial's ClientHello. */
  sni?: string;
  alpn?: string[];
  ja4?: string;
}

export interface AppMetadata {
  tls?: TlsMetadata;
  http?: HttpMetadata;
  dhcp?: DhcpMetadata;
  ssh?: SshMetadata;
  quic?: QuicMetadata;
}
