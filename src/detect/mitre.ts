/**
 * MITRE ATT&CK (Enterprise) techniques the detectors map to, with their names and tactics, so
 * outputs can show "T1046 Network Service Discovery" and docs/detections.md can list them.
 */

export interface MitreTechnique {
  id: string;
  name: string;
  tactic: string;
}

export const MITRE: Readonly<Record<string, MitreTechnique>> = Object.fromEntries(
  (
    [
      ['T1046', 'Network Service Discovery', 'Discovery'],
      ['T1018', 'Remote System Discovery', 'Discovery'],
      ['T1110', 'Brute Force', 'Credential Access'],
      ['T1110.001', 'Brute Force: Password Guessing', 'Credential Access'],
      ['T1041', 'Exfiltration Over C2 Channel', 'Exfiltration'],
      ['T1048', 'Exfiltration Over Alternative Protocol', 'Exfiltration'],
      ['T1095', 'Non-Application Layer Protocol', 'Command and Control'],
      ['T1071', 'Application Layer Protocol', 'Command and Control'],
      ['T1071.004', 'Application Layer Protocol: DNS', 'Command and Control'],
      ['T1498', 'Network Denial of Service', 'Impact'],
      ['T1498.001', 'Network Denial of Service: Direct Network Flood', 'Impact'],
      ['T1498.002', 'Network Denial of Service: Reflection Amplification', 'Impact'],
      ['T1499', 'Endpoint Denial of Service', 'Impact'],
      ['T1499.002', 'Endpoint Denial of Service: Service Exhaustion Flood', 'Impact'],
      ['T1021', 'Remote Services', 'Lateral Movement'],
      ['T1021.001', 'Remote Services: Remote Desktop Protocol', 'Lateral Movement'],
      ['T1021.002', 'Remote Services: SMB/Windows Admin Shares', 'Lateral Movement'],
      ['T1021.004', 'Remote Services: SSH', 'Lateral Movement'],
      ['T1021.005', 'Remote Services: VNC', 'Lateral Movement'],
      ['T1021.006', 'Remote Services: Windows Remote Management', 'Lateral Movement'],
      ['T1571', 'Non-Standard Port', 'Command and Control'],
      ['T1090.003', 'Proxy: Multi-hop Proxy', 'Command and Control'],
      ['T1595', 'Active Scanning', 'Reconnaissance'],
      ['T1105', 'Ingress Tool Transfer', 'Command and Control'],
      ['T1566', 'Phishing', 'Initial Access'],
      ['T1090', 'Proxy', 'Command and Control'],
      ['T1496', 'Resource Hijacking', 'Impact'],
      ['T1583', 'Acquire Infrastructure', 'Resource Development'],
    ] as const
  ).map(([id, name, tactic]) => [id, { id, name, tactic }]),
);

/** "T1046 Network Service Discovery", or the bare id when it is not in the table. */
export function mitreLabel(id: string): string {
  const technique = MITRE[id];
  return technique ? `${id} ${technique.name}` : id;
}

/**
 * The technique a threat-feed category stands for (a threat-intel alert's MITRE id): C2 and
 * botnets → T1071, scanners → T1595, malware delivery → T1105, phishing → T1566, proxies and
 * Tor → T1090, miners → T1496, hijacked or bulletproof networks → T1583. Any other category
 * (blocklist, watchlist, …) → T1071, contact with a listed address.
 */
export function techniqueForFeedCategory(category: string): string {
  const c = category.toLowerCase();
  if (/^(c2|cnc|c&c|botnet|rat)$/.test(c)) return 'T1071';
  if (/scan/.test(c)) return 'T1595';
  if (/malware|payload|dropper|ransomware|exploit/.test(c)) return 'T1105';
  if (/phish/.test(c)) return 'T1566';
  if (/proxy|tor|anonymi[sz]er|vpn/.test(c)) return 'T1090';
  if (/min(er|ing)|crypto/.test(c)) return 'T1496';
  if (/hijack|bulletproof|drop/.test(c)) return 'T1583';
  return 'T1071';
}
