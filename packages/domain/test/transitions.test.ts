import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ALLOWED_TRANSITIONS,
  assertTransition,
  canTransition,
  DomainError,
  FINAL_STATUSES,
  isFinalStatus,
  JOB_STATUSES,
  type JobStatus,
} from '../src/index.ts';

// The user's "Valid Status Updates" table, written out independently of the code.
const USER_TABLE: Record<JobStatus, JobStatus[]> = {
  pending: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: ['pending', 'cancelled'],
  cancelled: [],
};

describe('every (from, to) pair of the transition table', () => {
  const pairs = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as const));
  test.each(pairs)('%s → %s', (from, to) => {
    const allowed = from === to || USER_TABLE[from].includes(to);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      expect(() => assertTransition(from, to)).toThrowError(`Cannot transition from '${from}' to '${to}'`);
    }
    expect(canTransition(from, to)).toBe(USER_TABLE[from].includes(to));
  });

  test('the table in code is the user table', () => {
    expect(ALLOWED_TRANSITIONS).toEqual(USER_TABLE);
  });

  test('only the claim-release sweep may send a running job back to pending', () => {
    expect(canTransition('running', 'pending')).toBe(false);
    expect(canTransition('running', 'pending', 'claim-release')).toBe(true);
    expect(canTransition('completed', 'pending', 'claim-release')).toBe(false);
  });

  test('the error carries the sentence and the statuses', () => {
    try {
      assertTransition('completed', 'running');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('INVALID_TRANSITION');
      expect((error as DomainError).message).toBe("Cannot transition from 'completed' to 'running'");
      expect((error as DomainError).details).toEqual({ from: 'completed', to: 'running' });
    }
  });
});

describe('random sequences of operations (property tests)', () => {
  const status = fc.constantFrom(...JOB_STATUSES);

  test('a walk that applies only accepted moves never reaches a status outside the table', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 60 }), (attempts) => {
        let current: JobStatus = 'pending';
        const visited: JobStatus[] = [current];
        for (const next of attempts) {
          let accepted = true;
          try {
            assertTransition(current, next);
          } catch {
            accepted = false;
          }
          if (accepted && next !== current) {
            expect(USER_TABLE[current]).toContain(next);
            current = next;
            visited.push(current);
          }
        }
        // every consecutive pair of the walk is an edge of the user's table
        for (let i = 1; i < visited.length; i++) expect(USER_TABLE[visited[i - 1]!]).toContain(visited[i]);
      }),
    );
  });

  test('final statuses stay final whatever is tried next', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FINAL_STATUSES), fc.array(status, { minLength: 1, maxLength: 30 }), (final, attempts) => {
        expect(isFinalStatus(final)).toBe(true);
        for (const next of attempts) {
          if (next === final) continue;
          expect(() => assertTransition(final, next)).toThrow(DomainError);
          expect(() => assertTransition(final, next, 'claim-release')).toThrow(DomainError);
        }
      }),
    );
  });
});
