// The CLI's progress bar and timing clock. Both are plain functions of
// their inputs (the bar's text is made apart from where it is drawn), so
// the process tests can check what a terminal receives.

/** Bodies smaller than this finish too soon for a bar to help. */
export const PROGRESS_THRESHOLD = 1024 * 1024;

/** Redraws at most this often. */
const REDRAW_MS = 100;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> '1.5 KiB'. */
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${UNITS[i]}`;
}

/** 75 -> '1:15'; 3725 -> '1:02:05'. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * One line of the bar: received size (of the total when known), percentage
 * and bar, rate, and ETA (or the elapsed time once done). `width` is the
 * terminal's.
 */
export function progressLine(received: number, total: number | null, elapsedS: number, done: boolean, width = 80): string {
  const rate = elapsedS > 0 ? received / elapsedS : 0;
  const size = total !== null ? `${formatBytes(received)} / ${formatBytes(total)}` : formatBytes(received);
  const rateText = `${formatBytes(Math.round(rate))}/s`;
  let tail: string;
  if (done) tail = `in ${formatDuration(elapsedS)}`;
  else if (total !== null && rate > 0) tail = `ETA ${formatDuration((total - received) / rate)}`;
  else tail = 'ETA --:--';
  if (total === null || total === 0) return `${size}  ${rateText}  ${tail}`;
  const fraction = Math.min(1, received / total);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const withoutBar = `${size} ${percent}  ${rateText}  ${tail}`;
  // The bar takes what room the terminal has left (at most 40), or none below 10.
  const barWidth = Math.min(40, width - 1 - withoutBar.length - 3);
  if (barWidth < 10) return withoutBar;
  const filled = Math.round(fraction * barWidth);
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (fraction >= 1 ? '=' : '>') : '') + ' '.repeat(barWidth - filled);
  return `${size} ${percent} [${bar}]  ${rateText}  ${tail}`;
}

/** Draws the bar on a terminal stream, redrawing in place (CR) at most every REDRAW_MS. */
export class ProgressBar {
  private received = 0;
  private lastDraw = 0;
  private shown = false;
  private readonly start = performance.now();

  constructor(
    private readonly out: { write(s: string): unknown; columns?: number },
    private readonly total: number | null,
  ) {}

  /** `n` more bytes arrived. */
  add(n: number): void {
    this.received += n;
    const now = performance.now();
    // A body of unknown length gets a bar once it passes the threshold.
    if (this.total === null && this.received < PROGRESS_THRESHOLD) return;
    if (now - this.lastDraw >= REDRAW_MS) this.draw(now, false);
  }

  /** The body ended (or failed): the final line, and a newline. */
  finish(): void {
    if (!this.shown && (this.total ?? this.received) < PROGRESS_THRESHOLD) return;
    this.draw(performance.now(), true);
    this.out.write('\n');
  }

  private draw(now: number, done: boolean): void {
    this.lastDraw = now;
    this.shown = true;
    // A pseudo-terminal nobody sized reports 0 columns.
    const width = this.out.columns || 80;
    const line = progressLine(this.received, this.total, (now - this.start) / 1000, done, width);
    // \x1b[K clears what a longer earlier line left.
    this.out.write(`\r${line.slice(0, width - 1)}\x1b[K`);
  }
}
