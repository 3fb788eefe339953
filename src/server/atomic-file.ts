import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes a file atomically: to a temporary file beside it, flushed to disk, renamed over it,
 * and the folder flushed too. A reader sees the old file or the new one, never a part; a write
 * that fails (a full disk, a size limit, a crash) leaves the old file as it was.
 */
export function writeFileAtomic(path: string, text: string): void {
  const folder = dirname(resolve(path));
  const temporary = join(folder, `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'w', 0o644);
    const bytes = Buffer.from(text, 'utf8');
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
    try {
      const dir = openSync(folder, 'r');
      fsyncSync(dir);
      closeSync(dir);
    } catch {
      // Some file systems cannot flush a folder; the rename is done either way.
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // nothing to clean up
    }
    throw e;
  }
}
