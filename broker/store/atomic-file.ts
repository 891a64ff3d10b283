import fs from 'node:fs';
import path from 'node:path';

/** Files the store creates are its process's alone: users, password hashes, message bodies. */
export const FILE_MODE = 0o600;

/** Writes `file` (owner-only) and fsyncs it; the directory entry is the caller's to sync. */
export function writeFileSynced(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, 'w', FILE_MODE);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the new contents, never a
 * mix: write a temporary file, fsync it, rename it over the old one, fsync the directory.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSynced(tmp, data);
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

/** writeFileAtomic without blocking the event loop: for writes while the broker serves clients. */
export async function writeFileAtomicAsync(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await fs.promises.open(tmp, 'w', FILE_MODE);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
  const dir = await fs.promises.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** fsyncs a directory, so that a rename, creation or removal in it survives a crash. */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
