import { useIdentity } from '../../auth/identity.tsx';
import { deniedReason } from '../../auth/permissions.ts';
import { Link, navigate } from '../../router.tsx';
import { trpc } from '../../trpc.ts';
import { CreateJobForm } from './create-job-form.tsx';

export function CreateJobPage() {
  const identity = useIdentity();
  const utils = trpc.useUtils();
  const create = trpc.scrapeJobs.create.useMutation();
  const denied = deniedReason(identity, 'jobs:write', 'create jobs');
  return (
    <section aria-labelledby="create-title" className="narrow">
      <h1 id="create-title">New scrape job</h1>
      {denied ? (
        <div className="state" role="note" data-testid="create-denied">
          <p>{denied}.</p>
          <p>
            Sign in with an operator or admin key to create jobs. <Link href="/">Back to the jobs</Link>
          </p>
        </div>
      ) : (
        <>
          <p className="muted">Defaults are filled in; an empty field also means the default.</p>
          <CreateJobForm
            onSubmit={async (input) => {
              const job = await create.mutateAsync(input);
              void utils.scrapeJobs.list.invalidate();
              navigate(`/jobs/${job.id}`);
            }}
          />
        </>
      )}
    </section>
  );
}
