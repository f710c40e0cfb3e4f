import { Link } from '../components/ui/links';

export function NotFoundPage() {
  return (
    <main id="main" className="centered-page">
      <div className="auth-card">
        <h1>Page not found</h1>
        <p>There is nothing at this address.</p>
        <Link to="/tasks">Go to your tasks</Link>
      </div>
    </main>
  );
}
