import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ToastContext, type ToastInput, type Toaster } from './toast-context';

interface ActiveToast extends ToastInput {
  id: number;
}

const DEFAULT_DURATION_MS = 6000;

/** Holds the toasts and renders them in live regions so screen readers announce each one. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ActiveToast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const expireHandlers = useRef(new Map<number, () => void>());

  const remove = useCallback((id: number, expired: boolean) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    const onExpire = expireHandlers.current.get(id);
    expireHandlers.current.delete(id);
    if (expired) onExpire?.();
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const show = useCallback(
    (toast: ToastInput) => {
      const id = nextId.current++;
      const duration =
        toast.durationMs === undefined ? (toast.tone === 'error' ? null : DEFAULT_DURATION_MS) : toast.durationMs;
      if (toast.onExpire) expireHandlers.current.set(id, toast.onExpire);
      if (duration !== null)
        timers.current.set(
          id,
          setTimeout(() => remove(id, true), duration),
        );
      setToasts((current) => [...current.slice(-4), { ...toast, id }]);
      return id;
    },
    [remove],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const toaster = useMemo<Toaster>(() => ({ show, dismiss: (id) => remove(id, true) }), [show, remove]);

  const render = (toast: ActiveToast) => (
    <div key={toast.id} className={`toast toast--${toast.tone ?? 'info'}`}>
      <p className="toast__message">{toast.message}</p>
      {toast.action && (
        <button
          type="button"
          className="button button--small"
          onClick={() => {
            toast.action?.onClick();
            remove(toast.id, false);
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        className="button button--ghost button--icon button--small"
        aria-label="Dismiss notification"
        onClick={() => remove(toast.id, true)}
      >
        ×
      </button>
    </div>
  );

  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <section className="toasts" aria-label="Notifications">
        <div role="status" aria-live="polite">
          {toasts.filter((toast) => toast.tone !== 'error').map(render)}
        </div>
        <div role="alert" aria-live="assertive">
          {toasts.filter((toast) => toast.tone === 'error').map(render)}
        </div>
      </section>
    </ToastContext.Provider>
  );
}
