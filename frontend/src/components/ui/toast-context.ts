import { createContext, useContext } from 'react';

export interface ToastAction {
  label: string;
  onClick: () => void;
}

export interface ToastInput {
  message: string;
  tone?: 'info' | 'success' | 'error';
  action?: ToastAction;
  /** Milliseconds before it disappears on its own; `null` keeps it until dismissed. */
  durationMs?: number | null;
  /** Runs once when the toast goes away without its action being used (timeout or dismiss). */
  onExpire?: () => void;
}

export interface Toaster {
  show: (toast: ToastInput) => number;
  dismiss: (id: number) => void;
}

export const ToastContext = createContext<Toaster | null>(null);

export function useToast(): Toaster {
  const toaster = useContext(ToastContext);
  if (!toaster) throw new Error('useToast needs a <ToastProvider> above it');
  return toaster;
}
