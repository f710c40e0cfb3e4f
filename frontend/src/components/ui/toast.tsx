import type { ReactNode } from 'react';
import { Button } from './button';
import type { ToastAction, ToastInput } from './toast-context';

interface ToastProps {
  message: string;
  tone?: ToastInput['tone'];
  action?: ToastAction | undefined;
  onDismiss: () => void;
}

const toneBorders = { info: 'border-l-primary', success: 'border-l-success', error: 'border-l-danger' };

/** One notification: its message, an optional action and a dismiss button; the left edge shows its tone. */
export function Toast({ message, tone = 'info', action, onDismiss }: ToastProps) {
  return (
    <div
      data-tone={tone}
      className={`flex items-center gap-2 rounded-md border border-l-4 border-border bg-surface py-3 pr-3 pl-4 shadow-lg ${toneBorders[tone]}`}
    >
      <p className="flex-1 text-sm wrap-anywhere">{message}</p>
      {action && (
        <Button size="small" onClick={action.onClick}>
          {action.label}
        </Button>
      )}
      <Button variant="ghost" size="icon" aria-label="Dismiss notification" onClick={onDismiss}>
        ×
      </Button>
    </div>
  );
}

/**
 * The notifications area in the bottom corner: a polite live region for news and an assertive one for
 * errors, so screen readers announce each toast with the right urgency.
 */
export function ToastRegion({ polite, assertive }: { polite: ReactNode; assertive: ReactNode }) {
  return (
    <section
      className="fixed right-4 bottom-4 z-60 flex w-[min(calc(100%-2rem),24rem)] flex-col gap-2"
      aria-label="Notifications"
    >
      <div role="status" aria-live="polite" className="flex flex-col gap-2">
        {polite}
      </div>
      <div role="alert" aria-live="assertive" className="flex flex-col gap-2">
        {assertive}
      </div>
    </section>
  );
}
