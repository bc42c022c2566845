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
    ] as const
  ).map(([id, name, tactic]) => [id, { id, name, tactic }]),
);

/** "T1046 Network Service Discovery", or the bare id when it is not in the table. */
export function mitreLabel(id: string): string {
  const technique = MITRE[id];
  return technique ? `${id} ${technique.name}` : id;
}
