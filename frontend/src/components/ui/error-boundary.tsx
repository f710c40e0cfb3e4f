import { Component, type ReactNode } from 'react';
import { retryFailedImports } from '../../lib/retryable-lazy';
import { Button } from './button';
import { ErrorPanel } from './panel';

interface ErrorBoundaryProps {
  children: ReactNode;
  /** When this changes (the route, say), a shown error is cleared and the children render again. */
  resetKey?: unknown;
}

interface ErrorBoundaryState {
  error: unknown;
  resetKey: unknown;
}

function isChunkLoadError(error: unknown): boolean {
  return (
    error instanceof Error && /dynamically imported module|Importing a module script failed|chunk/i.test(error.message)
  );
}

/** Shows a failed render (or a failed lazy chunk) as a message with a Retry button instead of a blank page. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<ErrorBoundaryState> {
    return { error: error ?? new Error('Unknown error') };
  }

  static getDerivedStateFromProps(
    props: ErrorBoundaryProps,
    state: ErrorBoundaryState,
  ): Partial<ErrorBoundaryState> | null {
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <ErrorPanel>
        <h1 className="text-xl font-bold">Something went wrong</h1>
        <p>
          {isChunkLoadError(error)
            ? 'This page could not be loaded. Check your connection and retry.'
            : 'This page ran into a problem while showing itself.'}
        </p>
        <Button
          variant="primary"
          onClick={() => {
            retryFailedImports();
            this.setState({ error: null });
          }}
        >
          Retry
        </Button>
      </ErrorPanel>
    );
  }
}
