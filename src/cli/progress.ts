import type { Io } from './commands.js';

/**
 * A one-line progress bar on stderr with a label and the time left, drawn only on a terminal
 * and only for long runs, never wider than the terminal.
 */
export class ProgressBar {
  private lastDrawn = -1;
  private readonly enabled: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly io: Io,
    long: boolean,
  ) {
    this.enabled = io.interactive && long;
  }

  update(done: number, label: string): void {
    if (!this.enabled) return;
    const fraction = Math.min(1, Math.max(0, done));
    const percent = Math.floor(fraction * 100);
    if (percent === this.lastDrawn) return;
    this.lastDrawn = percent;
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = fraction > 0.01 ? ` ${formatEta((elapsed / fraction) * (1 - fraction))} left` : '';
    const text = `${label} ${String(percent).padStart(3)}%${eta}`;
    const columns = this.io.columns ?? 80;
    const width = Math.max(0, Math.min(30, columns - text.length - 4));
    const filled = Math.round(fraction * width);
    const bar = width > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
    this.write(`\r\x1b[2K${text}${bar}`);
  }

  private write(text: string): void {
    (this.io.progress ?? this.io.err)(text);
  }

  done(): void {
    if (this.enabled && this.lastDrawn >= 0) this.write('\r\x1b[2K');
  }
}

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
