// Cancellation for the Promise-returning calls (beyond Python: JavaScript's
// AbortSignal). An abort rejects the pending call at once with the
// signal's reason (a DOMException named AbortError unless the caller gave
// another) and runs `onAbort`, which closes what the call was using; the
// work's own later failure (a read on a closed transport) is dropped.

/** A signal option as callers pass it. */
export type SignalOption = AbortSignal | null | undefined;

/**
 * `work()`, or the reason of whichever of `a` and `b` aborts first (a
 * signal already aborted rejects before `work` starts). `onAbort` runs once,
 * before the rejection. With neither signal, just `work()`.
 */
export function abortable<T>(a: SignalOption, b: SignalOption, onAbort: () => void, work: () => Promise<T>): Promise<T> {
  if (!a && !b) return work();
  const already = a?.aborted ? a : b?.aborted ? b : null;
  if (already) {
    onAbort();
    return Promise.reject(already.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      a?.removeEventListener('abort', onA);
      b?.removeEventListener('abort', onB);
      return true;
    };
    const abort = (s: AbortSignal) => {
      if (!finish()) return;
      try {
        onAbort();
      } finally {
        reject(s.reason);
      }
    };
    const onA = () => abort(a!);
    const onB = () => abort(b!);
    a?.addEventListener('abort', onA, { once: true });
    b?.addEventListener('abort', onB, { once: true });
    let p: Promise<T>;
    try {
      p = work();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (v) => {
        if (finish()) resolve(v);
      },
      (e) => {
        if (finish()) reject(e);
      },
    );
  });
}
