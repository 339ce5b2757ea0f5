import { DomainError } from './errors.ts';
import type { JobStatus } from './job-status.ts';

/**
 * Who asks for a move. Only the queue may send a running job back to pending (when it
 * releases an expired claim); everybody else goes by the user's table.
 */
export type TransitionCause = 'update' | 'claim' | 'cancel' | 'retry' | 'claim-release';

/** The user's table of valid status updates (from → allowed to). */
export const ALLOWED_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: ['pending', 'cancelled'],
  cancelled: [],
};

export function canTransition(from: JobStatus, to: JobStatus, cause: TransitionCause = 'update'): boolean {
  if (from === 'running' && to === 'pending') return cause === 'claim-release';
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** The contract's sentence for a forbidden move. */
export function transitionErrorMessage(from: JobStatus, to: JobStatus): string {
  return `Cannot transition from '${from}' to '${to}'`;
}

/**
 * Checks a move and throws the contract's error when it is illegal. A move to the same
 * status is not a transition, so it is always accepted (a metadata/stats update keeps it).
 */
export function assertTransition(from: JobStatus, to: JobStatus, cause: TransitionCause = 'update'): void {
  if (from === to) return;
  if (!canTransition(from, to, cause)) {
    throw new DomainError('INVALID_TRANSITION', transitionErrorMessage(from, to), { from, to });
  }
}
