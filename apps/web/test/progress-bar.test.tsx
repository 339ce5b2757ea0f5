// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ProgressBar, progressOf } from '../src/components/progress-bar.tsx';
import './setup.ts';

describe('progressOf', () => {
  test('pages done over pages found', () => {
    expect(progressOf({ done: 45, total: 150, status: 'running' })).toMatchObject({ percent: 30, expected: 150, label: '45 / 150 pages' });
  });
  test('the limit (config.maxPages) caps what is expected', () => {
    expect(progressOf({ done: 6, total: 40, limit: 12, status: 'running' })).toMatchObject({ percent: 50, expected: 12, label: '6 / 12 pages' });
  });
  test('an unknown total: no percentage, the count in words', () => {
    expect(progressOf({ done: 0, status: 'pending' })).toMatchObject({ percent: null, label: '0 pages' });
    expect(progressOf({ done: 1, total: 0, status: 'running' })).toMatchObject({ percent: null, label: '1 page' });
  });
  test('clamped to 0–100; a completed job is full', () => {
    expect(progressOf({ done: 20, total: 10, status: 'running' }).percent).toBe(100);
    expect(progressOf({ done: 3, total: 10, status: 'completed' }).percent).toBe(100);
    expect(progressOf({ done: 3, total: 10, status: 'cancelled' }).percent).toBe(30);
  });
});

describe('ProgressBar', () => {
  test('an accessible progressbar with the value and the pages in words', () => {
    render(<ProgressBar status="running" done={45} total={150} />);
    const bar = screen.getByRole('progressbar', { name: 'Progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '30');
    expect(bar).toHaveAttribute('aria-valuetext', '30% (45 / 150 pages)');
    expect(bar).toHaveClass('progress-running');
    expect(screen.getByText('45 / 150 pages · 30%')).toBeInTheDocument();
    expect(bar.querySelector('.progress-fill')).toHaveStyle({ width: '30%' });
  });
  test('without a total it is indeterminate', () => {
    render(<ProgressBar status="pending" />);
    const bar = screen.getByRole('progressbar');
    expect(bar).not.toHaveAttribute('aria-valuenow');
    expect(bar).toHaveAttribute('aria-valuetext', '0 pages');
  });
  test('compact: no percentage in the label', () => {
    render(<ProgressBar compact status="completed" done={12} total={12} />);
    expect(screen.getByText('12 / 12 pages')).toBeInTheDocument();
  });
});
