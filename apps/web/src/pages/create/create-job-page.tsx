import { navigate } from '../../router.tsx';
import { trpc } from '../../trpc.ts';
import { CreateJobForm } from './create-job-form.tsx';

export function CreateJobPage() {
  const utils = trpc.useUtils();
  const create = trpc.scrapeJobs.create.useMutation();
  return (
    <section aria-labelledby="create-title" className="narrow">
      <h1 id="create-title">New scrape job</h1>
      <p className="muted">Defaults are filled in; an empty field also means the default.</p>
      <CreateJobForm
        onSubmit={async (input) => {
          const job = await create.mutateAsync(input);
          void utils.scrapeJobs.list.invalidate();
          navigate(`/jobs/${job.id}`);
        }}
      />
    </section>
  );
}
