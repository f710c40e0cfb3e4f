import { render, screen } from '@testing-library/react';
import { Component, Suspense, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { onDemand } from './on-demand';

function Greeting({ name }: { name: string }) {
  return <p>Hello {name}</p>;
}

class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? <p>Failed to load</p> : this.props.children;
  }
}

function mount(element: ReactNode) {
  return render(
    <Boundary>
      <Suspense fallback={<p>Waiting</p>}>{element}</Suspense>
    </Boundary>,
  );
}

describe('onDemand', () => {
  it('when rendered before its chunk arrives, then it suspends and then shows the component with its props', async () => {
    let deliver: (component: typeof Greeting) => void = () => undefined;
    const greeting = onDemand(() => new Promise<typeof Greeting>((resolve) => (deliver = resolve)));

    mount(<greeting.Component name="Ada" />);
    expect(screen.getByText('Waiting')).toBeInTheDocument();
    deliver(Greeting);

    expect(await screen.findByText('Hello Ada')).toBeInTheDocument();
  });

  it('when preloaded, then it renders in the same pass without suspending', async () => {
    const greeting = onDemand(() => Promise.resolve(Greeting));
    await greeting.preload();

    mount(<greeting.Component name="Grace" />);

    expect(screen.getByText('Hello Grace')).toBeInTheDocument();
    expect(screen.queryByText('Waiting')).toBeNull();
  });

  it('when the chunk fails to load while rendering, then the error reaches the boundary', async () => {
    const greeting = onDemand<{ name: string }>(() => Promise.reject(new Error('offline')));

    mount(<greeting.Component name="Linus" />);

    expect(await screen.findByText('Failed to load')).toBeInTheDocument();
  });

  it('when a preload fails, then rendering fetches the chunk again', async () => {
    let attempts = 0;
    const greeting = onDemand(() => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(new Error('offline')) : Promise.resolve(Greeting);
    });
    await expect(greeting.preload()).rejects.toThrow('offline');

    mount(<greeting.Component name="Linus" />);

    expect(await screen.findByText('Hello Linus')).toBeInTheDocument();
    expect(attempts).toBe(2);
  });
});
