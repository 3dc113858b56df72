/**
 * The deletion state machine: what a re-read of a statement means for its status. Pure: the caller stores the
 * result, the observation and the event in one transaction.
 *
 * - Only a definitive answer (`not-found`, `gone`) moves `active → missing`; `unknown` never moves anything.
 * - `missing → deleted` needs a second definitive answer at least `confirmSeconds` after the first and, where
 *   the platform lets us look, absence from the account's own timeline.
 * - `unavailable` when the account, not the post, went away (suspended, gone, private, login wall, withheld);
 *   `active` again when it answers.
 * - A missing or deleted post that reappears is `active` again: `restored`.
 */

export const STATEMENT_STATUSES = ['active', 'missing', 'deleted', 'unavailable'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

/** What re-reading one post showed, reduced to what the state machine needs (a connector's PostAnswer). */
export type RecheckAnswer =
  | { kind: 'found' }
  | { kind: 'not-found' }
  | { kind: 'gone' }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'unknown' };

export interface StatementState {
  status: StatementStatus;
  /** when the first definitive answer of the current `missing` spell came; null unless missing */
  missingSince: Date | null;
}

export interface RecheckInput {
  answer: RecheckAnswer;
  at: Date;
  /** true/false when the account's own timeline was read and the post was absent/present; null: not known */
  absentFromTimeline: boolean | null;
  confirmSeconds: number;
}

/** The event subscribers hear about a transition; `statement.missing` is internal (not confirmed yet). */
export type TransitionEvent =
  | 'statement.missing'
  | 'statement.deleted'
  | 'statement.restored'
  | 'account.unavailable'
  | 'account.restored';

export interface Transition {
  from: StatementStatus;
  to: StatementStatus;
  /** why, when the platform said: an unavailable reason */
  reason: string | null;
  event: TransitionEvent;
}

export interface RecheckOutcome {
  state: StatementState;
  /** the observation to record, or null when nothing changed */
  transition: Transition | null;
}

/** The next state of a statement after one answer. */
export function applyRecheckAnswer(state: StatementState, input: RecheckInput): RecheckOutcome {
  const { answer, at } = input;
  const unchanged: RecheckOutcome = { state, transition: null };
  const move = (
    to: StatementStatus,
    event: TransitionEvent,
    reason: string | null = null,
  ): RecheckOutcome => ({
    state: { status: to, missingSince: to === 'missing' ? at : null },
    transition: { from: state.status, to, reason, event },
  });

  switch (answer.kind) {
    case 'unknown':
      return unchanged;
    case 'found':
      if (state.status === 'active') return unchanged;
      return move('active', state.status === 'unavailable' ? 'account.restored' : 'statement.restored');
    case 'unavailable':
      // a deleted post stays deleted whatever happens to its account
      if (state.status === 'unavailable' || state.status === 'deleted') return unchanged;
      return move('unavailable', 'account.unavailable', answer.reason);
    case 'not-found':
    case 'gone':
      if (state.status === 'deleted') return unchanged;
      if (state.status !== 'missing') return move('missing', 'statement.missing');
      return isConfirmed(state, input) ? move('deleted', 'statement.deleted') : unchanged;
  }
}

/** A second definitive answer, late enough, and no sign of the post on the account's timeline. */
function isConfirmed(state: StatementState, input: RecheckInput): boolean {
  if (input.absentFromTimeline === false) return false;
  // a missing row without its start time (should not happen) starts its spell now
  if (state.missingSince === null) return false;
  return input.at.getTime() - state.missingSince.getTime() >= input.confirmSeconds * 1000;
}

/** When a missing statement can next be confirmed: its deletion needs a check this late. */
export function confirmationDueAt(missingSince: Date, confirmSeconds: number): Date {
  return new Date(missingSince.getTime() + confirmSeconds * 1000);
}
