import type { Io } from './commands.js';

/** A one-line progress bar on stderr, drawn only on a terminal and only for long runs. */
export class ProgressBar {
  private lastDrawn = -1;
  private readonly enabled: boolean;

  constructor(
    private readonly io: Io,
    long: boolean,
  ) {
    this.enabled = io.interactive && long;
  }

  update(done: number, label: string): void {
    if (!this.enabled) return;
    const percent = Math.floor(Math.min(1, Math.max(0, done)) * 100);
    if (percent === this.lastDrawn) return;
    this.lastDrawn = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    this.io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%`);
  }

  done(): void {
    if (this.enabled && this.lastDrawn >= 0) this.io.err('\r\x1b[2K');
  }
}
