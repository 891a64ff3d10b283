import fs from 'node:fs';
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: any) => `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
let t = 0;
const buckets = new Map<number, Map<string, number>>();
const B = Number(process.argv[3] ?? 100) * 1000;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const n = byId.get(profile.samples[i]);
  if (n.callFrame.functionName === '(idle)') continue;
  // the outermost JS frame below the root, and the leaf
  let chain: any[] = [];
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) chain.push(byId.get(id));
  chain = chain.reverse().filter((x) => x.callFrame.functionName !== '(root)');
  const key = `${chain.slice(0, 2).map(label).join(' > ')} ... ${label(n)}`;
  const b = Math.floor(t / B);
  if (!buckets.has(b)) buckets.set(b, new Map());
  const m = buckets.get(b)!;
  m.set(key, (m.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
}
for (const [b, m] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
  const total = [...m.values()].reduce((a, v) => a + v, 0);
  if (total < B / 1000 / 5) continue;
  const top = [...m.entries()].sort((a, c) => c[1] - a[1]).slice(0, 4).map(([k, v]) => `${v.toFixed(0)}ms ${k.slice(0, 160)}`);
  console.log(`${(b * B / 1000).toString().padStart(6)} busy ${total.toFixed(0)}ms\n    ${top.join('\n    ')}`);
}
