import { lazy, useState, type ComponentType } from 'react';

export interface OnDemandComponent<P extends object> {
  /** Renders the component; it suspends only when its chunk has not arrived yet. */
  Component: ComponentType<P>;
  /** Starts fetching the chunk; resolves once it can render without suspending. */
  preload: () => Promise<ComponentType<P>>;
}

/**
 * A component kept out of the first screen's JavaScript. Unlike a bare `React.lazy`, once the chunk
 * has been preloaded it renders synchronously, so a preloaded dialog opens in the same frame as a
 * bundled one would. A failed preload is forgotten, so rendering fetches again; a failed load while
 * rendering reaches the nearest error boundary, as a failed route chunk does.
 */
export function onDemand<P extends object>(load: () => Promise<ComponentType<P>>): OnDemandComponent<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const preload = () =>
    (pending ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    ));
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  function OnDemand(props: P) {
    // Chosen once per mount: switching from the lazy wrapper to the loaded component would remount
    // it and lose its state.
    const [Loaded] = useState<ComponentType<P>>(() => loaded ?? Lazy);
    return <Loaded {...props} />;
  }
  return { Component: OnDemand, preload };
}
