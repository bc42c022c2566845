/**
 * Completes a protocol hierarchy with what only the run summary knows: the name of the link layer
 * of non-Ethernet frames, and the frames no analyzer saw (undecodable frames, and IP fragments
 * still held for their first fragment at the end).
 *
 * Contract: pure; returns a new hierarchy whose totals equal the summary's. When the run has one
 * non-Ethernet link type, the unresolved root takes its tshark name (or, for link types tshark
 * shows no layer for — LINKTYPE_IPV4/IPV6, NFLOG — its children become roots). Unseen frames go
 * to the root of the run's only link type, or to a '(not decoded)' root when there are several.
 */
import type { ProtocolHierarchy, ProtocolHierarchyNode } from '../../model/index.js';
import { UNRESOLVED_LINK } from './hierarchy-analyzer.js';

/** Our link type names (model/link-types.ts) → tshark io,phs root; '' means no link layer shown. */
const LINK_ROOTS: Record<string, string> = {
  ethernet: 'eth',
  linux_sll: 'sll',
  linux_sll2: 'sll',
  raw: 'raw',
  null: 'null',
  loop: 'null',
  ppp: 'ppp',
  pppoe: 'ppp',
  ieee802_11: 'wlan',
  ieee802_11_radiotap: 'radiotap',
  ipv4: '',
  ipv6: '',
  nflog: '',
};

export interface RunTotals {
  /** `summary.linkTypes` of the run. */
  linkTypes: string[];
  packets: number;
  bytes: number;
}

function clone(node: ProtocolHierarchyNode): ProtocolHierarchyNode {
  return { ...node, children: node.children.map(clone) };
}

/** Adds `node` into `list`, summing with a node of the same protocol (recursively). */
function merge(list: ProtocolHierarchyNode[], node: ProtocolHierarchyNode): void {
  const same = list.find((n) => n.protocol === node.protocol);
  if (same === undefined) {
    list.push(node);
    return;
  }
  same.frames += node.frames;
  same.bytes += node.bytes;
  for (const child of node.children) merge(same.children, child);
}

function sortTree(nodes: ProtocolHierarchyNode[]): ProtocolHierarchyNode[] {
  for (const n of nodes) sortTree(n.children);
  return nodes.sort((a, b) => b.frames - a.frames || b.bytes - a.bytes);
}

export function resolveLinkLayer(hierarchy: ProtocolHierarchy, run: RunTotals): ProtocolHierarchy {
  const roots: ProtocolHierarchyNode[] = [];
  const others = run.linkTypes.filter((t) => t !== 'ethernet');
  const otherRoot = others.length === 1 ? (LINK_ROOTS[others[0]] ?? others[0]) : undefined;
  let unresolved = 0;
  for (const root of hierarchy.roots.map(clone)) {
    if (root.protocol !== UNRESOLVED_LINK) merge(roots, root);
    else if (otherRoot === undefined) {
      unresolved = root.frames;
      merge(roots, root);
    } else if (otherRoot === '') for (const child of root.children) merge(roots, child);
    else merge(roots, { ...root, protocol: otherRoot });
  }
  const missingFrames = run.packets - hierarchy.frames;
  const missingBytes = run.bytes - hierarchy.bytes;
  if (missingFrames > 0 || missingBytes > 0) {
    const only = run.linkTypes.length === 1 ? (LINK_ROOTS[run.linkTypes[0]] ?? run.linkTypes[0]) : undefined;
    const name = only === undefined || only === '' ? '(not decoded)' : only;
    merge(roots, { protocol: name, frames: missingFrames, bytes: missingBytes, children: [] });
  }
  return {
    frames: Math.max(run.packets, hierarchy.frames),
    bytes: Math.max(run.bytes, hierarchy.bytes),
    roots: sortTree(roots),
    unresolvedLinkFrames: unresolved,
  };
}
