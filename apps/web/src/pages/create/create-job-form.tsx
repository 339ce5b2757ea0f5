import { JOB_TYPES, type CreateJobInput } from '@scrape-jobs/domain';
import { useId, useRef, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { fieldErrorsFromServer } from '../../lib/errors.ts';
import { humanize } from '../../lib/format.ts';
import { defaultFormValues, SCHEMA_DEFAULTS, validateCreateForm, type CreateFormValues, type FieldName } from './create-form-model.ts';

interface Props {
  /** Sends the job; rejects with the server's error, which is shown next to its field. */
  onSubmit: (input: CreateJobInput) => Promise<unknown>;
}

type Errors = Partial<Record<string, string>>;

function Field({ name, label, hint, error, children }: { name: string; label: string; hint?: string; error?: string | undefined; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode }) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

const config = SCHEMA_DEFAULTS.config;

/** Every create field with its default filled in, checked with the server's own schema. */
export function CreateJobForm({ onSubmit }: Props) {
  const [values, setValues] = useState<CreateFormValues>(defaultFormValues);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const set = (name: FieldName) => (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    const target = event.target;
    const value = target instanceof HTMLInputElement && target.type === 'checkbox' ? target.checked : target.value;
    setValues((v) => ({ ...v, [name]: value }));
    setErrors(({ [name]: _gone, ...rest }) => rest);
  };

  const focusFirstError = () =>
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const result = validateCreateForm(values);
    if (!result.ok) {
      setErrors(result.errors);
      focusFirstError();
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await onSubmit(result.input);
    } catch (error) {
      const { fields, form: sentence } = fieldErrorsFromServer(error);
      setErrors(fields);
      setFormError(sentence);
      focusFirstError();
    } finally {
      setSubmitting(false);
    }
  };

  const text = (name: FieldName, label: string, hint?: string, type = 'text', extra: Record<string, string | number> = {}) => (
    <Field name={name} label={label} hint={hint} error={errors[name]}>
      {(props) => <input {...props} name={name} type={type} value={values[name] as string} onChange={set(name)} {...extra} />}
    </Field>
  );
  const check = (name: FieldName, label: string, hint: string) => (
    <div className="field field-check" data-field={name}>
      <label className="checkbox">
        <input type="checkbox" name={name} checked={values[name] as boolean} onChange={set(name)} />
        {label}
      </label>
      <small className="hint">{hint}</small>
      {errors[name] && (
        <small className="field-error" role="alert">
          {errors[name]}
        </small>
      )}
    </div>
  );

  return (
    <form ref={form} className="create-form" onSubmit={submit} noValidate aria-label="Create a scrape job">
      <fieldset>
        <legend>Job</legend>
        {text('domain', 'Domain', 'A host name without protocol, e.g. shop.example.com or localhost:8080', 'text', { autoComplete: 'off', placeholder: 'example.com' })}
        <Field name="job_type" label="Job type" hint={`Default: ${humanize(SCHEMA_DEFAULTS.job_type)}`} error={errors.job_type}>
          {(props) => (
            <select {...props} name="job_type" value={values.job_type} onChange={set('job_type')}>
              {JOB_TYPES.map((type) => (
                <option key={type} value={type}>
                  {humanize(type)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('priority', 'Priority', `1–10, 10 is most urgent. Default: ${SCHEMA_DEFAULTS.priority}`, 'number', { min: 1, max: 10, step: 1, inputMode: 'numeric' })}
        {text('max_retries', 'Max retries', `Default: ${SCHEMA_DEFAULTS.max_retries}`, 'number', { min: 0, max: 100, step: 1, inputMode: 'numeric' })}
      </fieldset>
      <fieldset>
        <legend>Crawl settings</legend>
        {text('config.depth', 'Depth', `Link hops from the start page, 0–20. Default: ${config.depth}`, 'number', { min: 0, max: 20, step: 1 })}
        {text('config.maxPages', 'Max pages', `Default: ${config.maxPages}`, 'number', { min: 1, step: 1 })}
        {text('config.timeout', 'Timeout (ms)', `Per request, 100–300000. Default: ${config.timeout}`, 'number', { min: 100, step: 100 })}
        {text('config.delay', 'Delay (ms)', `Between two requests to one host. Default: ${config.delay}`, 'number', { min: 0, step: 100 })}
        {text('config.userAgent', 'User agent', `Default: ${config.userAgent}`)}
        {text('config.startUrl', 'Start URL', 'Optional; must be on the domain. Default: the home page', 'url', { placeholder: 'https://example.com/catalogue' })}
        {check('config.respectRobots', 'Respect robots.txt', `Default: ${config.respectRobots ? 'on' : 'off'}`)}
        {check('config.includeSubdomains', 'Include subdomains', `Default: ${config.includeSubdomains ? 'on' : 'off'}`)}
        {check('config.retryOnFailure', 'Retry automatically on a retryable failure', `Default: ${config.retryOnFailure ? 'on' : 'off'}`)}
      </fieldset>
      <fieldset>
        <legend>Metadata</legend>
        <Field name="metadata" label="Metadata (JSON object)" hint="Free-form, e.g. {&quot;requestedBy&quot;: &quot;ops@example.com&quot;}. Default: {}" error={errors.metadata}>
          {(props) => <textarea {...props} name="metadata" rows={3} value={values.metadata} onChange={set('metadata')} spellCheck={false} />}
        </Field>
      </fieldset>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={submitting}>
          {submitting ? 'Creating…' : 'Create job'}
        </button>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setValues(defaultFormValues());
            setErrors({});
            setFormError(null);
          }}
        >
          Reset to defaults
        </button>
      </div>
    </form>
  );
}
