// @vitest-environment jsdom
import { JOB_STATUS_MEANING, JOB_STATUSES } from '@scrape-jobs/domain';
import { render, screen } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { StatusBadge } from '../src/components/status-badge.tsx';
import './setup.ts';

describe('StatusBadge', () => {
  test.each(JOB_STATUSES)('%s: the word, its colour class and what it means', (status) => {
    render(<StatusBadge status={status} />);
    const badge = screen.getByText(status);
    expect(badge).toHaveClass('badge', `status-${status}`);
    expect(badge).toHaveAttribute('data-status', status);
    expect(badge).toHaveAttribute('title', JOB_STATUS_MEANING[status]);
  });
});
