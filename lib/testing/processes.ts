// What tests that start Warren as a user would (`npm start`, `npm run broker`) need around it: a
// free port to give it, and the end of its whole process group (npm, tsx, node, a `next build`),
// since npm may exit before the server it started has written its last files.
import net from 'node:net';

/**
 * A port nothing listens on right now, bound and released on `host` (every interface when
 * undefined, for a server that will listen on all of them).
 */
export function freePort(host: string | undefined = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    const bound = () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    };
    if (host === undefined) s.listen(0, bound);
    else s.listen(0, host, bound);
  });
}

/** True once no process of the group is left. */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Waits up to `ms` for the group to end; whether it did. */
export async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!groupGone(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** SIGTERM to the group, SIGKILL if it is still there after `graceMs`; resolves when it is gone (or 5 s after the kill). */
export async function stopGroup(pgid: number, graceMs: number): Promise<{ graceful: boolean }> {
  if (groupGone(pgid)) return { graceful: true };
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // already gone
  }
  if (await waitGroupGone(pgid, graceMs)) return { graceful: true };
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
  await waitGroupGone(pgid, 5_000);
  return { graceful: false };
}
