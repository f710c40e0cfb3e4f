import { CenteredPage } from '../components/ui/panel';
import { Link } from '../components/ui/links';

export function NotFoundPage() {
  return (
    <CenteredPage card>
      <h1 className="mb-6 text-lg font-bold">Page not found</h1>
      <p className="mb-4">There is nothing at this address.</p>
      <Link to="/tasks" className="text-primary underline">
        Go to your tasks
      </Link>
    </CenteredPage>
  );
}
