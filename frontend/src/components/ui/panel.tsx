import type { HTMLAttributes, ReactNode } from 'react';

/** A problem the page cannot get past, announced at once; what to do about it (Retry, say) goes inside. */
export function ErrorPanel({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className="my-4 flex flex-col items-start gap-3 rounded-md border border-danger bg-danger-bg p-4">
      {children}
    </div>
  );
}

/** A short piece of news about the form or page it sits on, read out politely. */
export function Notice({ children, className = '', id }: { children: ReactNode; className?: string; id?: string }) {
  return (
    <p role="status" id={id} className={`rounded-sm bg-info-bg p-3 ${className}`}>
      {children}
    </p>
  );
}

interface CenteredPageProps extends HTMLAttributes<HTMLElement> {
  /** Sets the content on a card (sign-in, not found) rather than straight on the page. */
  card?: boolean;
}

/** A whole screen with one thing in its middle: the page's `<main id="main">`. */
export function CenteredPage({ card = false, children, ...props }: CenteredPageProps) {
  return (
    <main id="main" className="grid min-h-screen place-items-center p-4" {...props}>
      {card ? (
        <div className="w-full max-w-104 rounded-lg border border-border bg-surface p-8 shadow-sm max-sm:p-6">
          {children}
        </div>
      ) : (
        children
      )}
    </main>
  );
}
