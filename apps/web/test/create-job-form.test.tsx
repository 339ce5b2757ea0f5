// @vitest-environment jsdom
import { createJobInputSchema, defaultJobConfig } from '@scrape-jobs/domain';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { validateCreateForm, defaultFormValues } from '../src/pages/create/create-form-model.ts';
import { CreateJobForm } from '../src/pages/create/create-job-form.tsx';
import './setup.ts';

const setup = (onSubmit = vi.fn(async () => ({ id: 'x' }))) => {
  const user = userEvent.setup();
  render(<CreateJobForm onSubmit={onSubmit} />);
  return { user, onSubmit };
};
const field = (label: RegExp | string) => screen.getByLabelText(label);

describe('the create form model', () => {
  test('defaults come from the domain schema', () => {
    const defaults = defaultJobConfig();
    const values = defaultFormValues();
    expect(values['config.maxPages']).toBe(String(defaults.maxPages));
    expect(values['config.userAgent']).toBe(defaults.userAgent);
    expect(values.priority).toBe('5');
    expect(values.max_retries).toBe('3');
  });
  test('a valid form gives input the server schema accepts; empty means default', () => {
    const result = validateCreateForm({ ...defaultFormValues(), domain: 'Shop.Example.com', 'config.depth': '' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.input).not.toHaveProperty('config.depth');
    expect(createJobInputSchema.parse(result.input)).toMatchObject({ domain: 'shop.example.com', config: { depth: 3, maxPages: 100 } });
  });
  test('problems are keyed by the schema path, in the schema’s words', () => {
    const result = validateCreateForm({ ...defaultFormValues(), priority: '11', 'config.maxPages': '0', 'config.delay': 'soon', metadata: '[1' });
    expect(result).toEqual({
      ok: false,
      errors: {
        domain: 'Domain is required',
        priority: 'Priority must be between 1 and 10',
        'config.maxPages': 'maxPages must be a positive number',
        'config.delay': 'delay must be a number',
        metadata: expect.stringMatching(/^metadata must be valid JSON/),
      },
    });
  });
});

describe('CreateJobForm', () => {
  test('every field shows its default', () => {
    setup();
    expect(field('Job type')).toHaveValue('domain_scrape');
    expect(field('Priority')).toHaveValue(5);
    expect(field('Max retries')).toHaveValue(3);
    expect(field('Depth')).toHaveValue(3);
    expect(field('Max pages')).toHaveValue(100);
    expect(field('Timeout (ms)')).toHaveValue(30000);
    expect(field('Delay (ms)')).toHaveValue(1000);
    expect(field('User agent')).toHaveValue(defaultJobConfig().userAgent);
    expect(field('Respect robots.txt')).toBeChecked();
    expect(field('Include subdomains')).not.toBeChecked();
    expect(field(/Retry automatically/)).toBeChecked();
    expect(screen.getByText('Default: 100')).toBeInTheDocument();
  });

  test('invalid input: the sentence next to its field, focus on the first, nothing sent', async () => {
    const { user, onSubmit } = setup();
    await user.clear(field('Max pages'));
    await user.type(field('Max pages'), '0');
    await user.click(screen.getByRole('button', { name: 'Create job' }));
    expect(field('Domain')).toHaveAccessibleDescription(expect.stringContaining('Domain is required'));
    expect(field('Domain')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Max pages')).toHaveAccessibleDescription(expect.stringContaining('maxPages must be a positive number'));
    await waitFor(() => expect(field('Domain')).toHaveFocus());
    expect(onSubmit).not.toHaveBeenCalled();

    await user.type(field('Domain'), 'https://example.com/path');
    expect(field('Domain')).toHaveAttribute('aria-invalid', 'false');
    await user.click(screen.getByRole('button', { name: 'Create job' }));
    expect(field('Domain')).toHaveAccessibleDescription(expect.stringContaining('must be a host name without protocol or path'));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  test('valid input is sent as create input', async () => {
    const { user, onSubmit } = setup();
    await user.type(field('Domain'), 'example.com');
    await user.selectOptions(field('Job type'), 'product_catalog');
    await user.clear(field('Priority'));
    await user.type(field('Priority'), '8');
    await user.click(field(/Retry automatically/));
    await user.click(screen.getByRole('button', { name: 'Create job' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ domain: 'example.com', job_type: 'product_catalog', priority: 8, config: expect.objectContaining({ maxPages: 100, retryOnFailure: false }) }),
    );
  });

  test('the server’s sentence goes next to its field: the duplicate-domain conflict, and validation details', async () => {
    const conflict = Object.assign(new Error('A running job already exists for domain: example.com'), { data: { domainCode: 'DUPLICATE_ACTIVE_JOB', details: { status: 'running' } } });
    const onSubmit = vi.fn().mockRejectedValueOnce(conflict).mockRejectedValueOnce(
      Object.assign(new Error('timeout must be between 100 and 300000 ms'), { data: { domainCode: 'VALIDATION', details: [{ path: 'config.timeout', message: 'timeout must be between 100 and 300000 ms' }] } }),
    ).mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const { user } = setup(onSubmit);
    await user.type(field('Domain'), 'example.com');
    await user.click(screen.getByRole('button', { name: 'Create job' }));
    await waitFor(() => expect(field('Domain')).toHaveAccessibleDescription(expect.stringContaining('A running job already exists for domain: example.com')));

    await user.click(screen.getByRole('button', { name: 'Create job' }));
    await waitFor(() => expect(field('Timeout (ms)')).toHaveAccessibleDescription(expect.stringContaining('timeout must be between 100 and 300000 ms')));

    await user.click(screen.getByRole('button', { name: 'Create job' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('The server could not be reached (Failed to fetch).'));
  });
});
