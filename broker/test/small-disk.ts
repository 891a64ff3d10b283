// A small tmpfs for tests of a disk that fills up: mounted on a directory, filled to the last byte,
// unmounted after. Mounting needs root (as here); where it is not allowed, tests that need it skip.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Mounts a tmpfs of `size` (e.g. '2m') on the empty directory `dir`; false where mounting is not allowed. */
export function mountSmallDisk(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function unmountSmallDisk(dir: string): void {
  execFileSync('umount', ['-l', dir]);
}

/** Whether this process may mount a tmpfs: tried once on a scratch directory. */
export function canMountSmallDisk(scratch: string): boolean {
  if (!mountSmallDisk(scratch, '1m')) return false;
  unmountSmallDisk(scratch);
  return true;
}

/** Fills the file system of `dir` up to the last byte; returns the file that holds it. */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  try {
    for (;;) fs.writeSync(fd, chunk, 0, 1);
  } catch {
    // full to the byte
  }
  fs.closeSync(fd);
  return filler;
}
