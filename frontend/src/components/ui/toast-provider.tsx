import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { Toast, ToastRegion } from './toast';
import { ToastContext, type ToastInput, type Toaster } from './toast-context';

interface ActiveToast extends ToastInput {
  id: number;
}

const DEFAULT_DURATION_MS = 6000;
/** More would cover the content; a newer toast pushes the oldest out (as if it had timed out). */
export const MAX_VISIBLE_TOASTS = 3;

/**
 * Holds the toasts and renders them in live regions so screen readers announce each one: at most
 * three, newest first. Moving to another page dismisses all but the errors, which stay until dismissed.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ActiveToast[]>([]);
  // The same list, readable synchronously by show() and the route-change effect.
  const toastsRef = useRef(toasts);
  const { pathname } = useLocation();
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
    toastsRef.current = toastsRef.current.filter((toast) => toast.id !== id);
    setToasts(toastsRef.current);
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
      const pushedOut = toastsRef.current.slice(MAX_VISIBLE_TOASTS - 1);
      toastsRef.current = [{ ...toast, id }, ...toastsRef.current.slice(0, MAX_VISIBLE_TOASTS - 1)];
      setToasts(toastsRef.current);
      for (const old of pushedOut) remove(old.id, true);
      return id;
    },
    [remove],
  );

  const lastPathname = useRef(pathname);
  useEffect(() => {
    if (pathname === lastPathname.current) return;
    lastPathname.current = pathname;
    for (const toast of toastsRef.current) if (toast.tone !== 'error') remove(toast.id, true);
  }, [pathname, remove]);

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  const toaster = useMemo<Toaster>(() => ({ show, dismiss: (id) => remove(id, true) }), [show, remove]);

  const render = ({ id, message, tone, action }: ActiveToast) => (
    <Toast
      key={id}
      message={message}
      tone={tone}
      action={
        action && {
          label: action.label,
          onClick: () => {
            action.onClick();
            remove(id, false);
          },
        }
      }
      onDismiss={() => remove(id, true)}
    />
  );

  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <ToastRegion
        polite={toasts.filter((toast) => toast.tone !== 'error').map(render)}
        assertive={toasts.filter((toast) => toast.tone === 'error').map(render)}
      />
    </ToastContext.Provider>
  );
}
