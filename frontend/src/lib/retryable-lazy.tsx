import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** Lazy components whose import failed, each with the function that arms a fresh import. */
const failed = new Set<() => void>();

/**
 * `React.lazy` whose failed import can be tried again: `React.lazy` keeps a rejected import forever,
 * so an error boundary's Retry would only show the same failure. After `retryFailedImports()` the next
 * render fetches the chunk again.
 */
export function retryableLazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let current: LazyExoticComponent<ComponentType<P>>;
  const rearm = () => {
    current = lazy(attempt);
  };
  const attempt = () =>
    load().then(
      (component) => ({ default: component }),
      (error: unknown) => {
        failed.add(rearm);
        throw error;
      },
    );
  rearm();
  function RetryableLazy(props: P) {
    const Current = current;
    return <Current {...props} />;
  }
  return RetryableLazy;
}

/** Lets every lazy component whose import failed fetch again on its next render. */
export function retryFailedImports(): void {
  for (const rearm of failed) rearm();
  failed.clear();
}
