/** Passive names (DNS answers, SNI, HTTP Host) and reverse DNS. */
export * from './passive-names.js';
export * from './reverse-dns.js';
