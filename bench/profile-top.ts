// Top frames of a `--cpu-prof` profile (e.g. from BENCH_NODERED_PROF): self time per function,
// and the share of garbage collection, for bench/RESULTS.md.
// Usage: node dist/bench/profile-top.js <file.cpuprofile|file.heapprofile> [count]
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topFrames(profile: Profile, count: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    if (f.functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, count);
  return [
    `busy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`,
    '',
    '| self % | function |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${((100 * v) / total).toFixed(1)} | \`${k}\` |`),
  ];
}

/** Who a script URL belongs to, for `byOwner`; undefined for Node.js internals and builtins. */
function ownerOf(url: string): string | undefined {
  if (url.includes('/@node-red/') || url.includes('/node-red/')) return 'Node-RED runtime and core nodes';
  if (url.includes('/node_modules/')) return 'other packages (ws, mqtt, aedes, ...)';
  if (url.includes('/dist/bench/')) return 'bench driver';
  if (url.includes('/dist/nodes/')) return 'our nodes (dist/nodes)';
  if (url.includes('/dist/src/router/')) return 'our router (dist/src/router)';
  if (url.includes('/dist/src/')) return 'our library (dist/src, client, transports, serializers)';
  return undefined;
}

/**
 * Busy time by owner: each sample goes to the nearest frame, from the leaf up, that belongs to a
 * package or to this project (a builtin such as Map.set counts for its caller); garbage
 * collection on its own line; what has no such frame is Node.js itself (event loop, timers).
 */
export function byOwner(profile: Profile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const ownerOfNode = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const n = byId.get(id);
    let o: string;
    if (!n) o = 'Node.js (event loop, timers, builtins)';
    else if (n.callFrame.functionName === '(garbage collector)') o = 'garbage collection';
    else {
      const p = parent.get(id);
      o =
        ownerOf(n.callFrame.url) ??
        (p === undefined ? 'Node.js (event loop, timers, builtins)' : ownerOfNode(p));
    }
    owner.set(id, o);
    return o;
  };
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const o = ownerOfNode(id);
    time.set(o, (time.get(o) ?? 0) + dt);
  });
  return [
    '| share of busy time | owner |',
    '|---|---|',
    ...[...time]
      .sort((a, b) => b[1] - a[1])
      .map(([o, t]) => `| ${((100 * t) / total).toFixed(1)} % | ${o} |`),
  ];
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Top allocation sites of a sampling heap profile (BENCH_NODERED_ALLOC): bytes allocated per function. */
export function topAllocations(head: HeapNode, count: number): string[] {
  const self = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode): void => {
    const f = n.callFrame;
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(head);
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, count);
  return [
    `sampled ${(total / 1e6).toFixed(1)} MB`,
    '',
    '| alloc % | function |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${((100 * v) / total).toFixed(1)} | \`${k}\` |`),
  ];
}

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const dist = u.indexOf('/dist/');
  return dist >= 0 ? u.slice(dist + 1) : path.basename(u);
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-top <file.cpuprofile> [count]');
    process.exit(2);
  }
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile | { head: HeapNode };
  console.log(
    ('head' in data
      ? topAllocations(data.head, Number(n ?? 25))
      : [...topFrames(data, Number(n ?? 25)), '', ...byOwner(data)]
    ).join('\n'),
  );
}
