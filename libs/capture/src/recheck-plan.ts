import {
  applyRecheckAnswer,
  confirmationDueAt,
  nextCheckAt,
  sha256Hex,
  type RecheckAnswer,
  type RecheckPolicy,
  type Transition,
} from '@app/core';
import {
  type NewObservation,
  type PreparedArtifact,
  type RecheckTarget,
  type RecheckedStatement,
} from '@app/persistence';
import { type PostAnswer, type RawArtifact } from '@app/sources';

export interface RecheckSettings extends RecheckPolicy {
  deletionConfirmSeconds: number;
}

/** What one recheck round means for the statements it claimed. */
export interface RecheckPlan {
  statements: RecheckedStatement[];
  /** status transitions to record, each with the answer that showed it */
  observations: NewObservation[];
  /** the answers the account's availability is judged by */
  answers: RecheckAnswer[];
}

/**
 * Runs every claimed statement's answer through the deletion state machine and schedules its next check: a
 * missing statement is checked again once its deletion can be confirmed, the others on the decaying schedule.
 */
export function planRecheck(
  accountId: string,
  targets: RecheckTarget[],
  answersByPostId: Map<string, PostAnswer>,
  checkedAt: Date,
  settings: RecheckSettings,
): RecheckPlan {
  const plan: RecheckPlan = { statements: [], observations: [], answers: [] };
  for (const target of targets) {
    const answer = answersByPostId.get(target.externalId);
    const reduced: RecheckAnswer = answer ? reduceAnswer(answer) : { kind: 'unknown' };
    plan.answers.push(reduced);
    const outcome = applyRecheckAnswer(
      { status: target.status, missingSince: target.missingSince },
      // the account timeline is not read by rechecks yet: absence from it is not known (see docs/architecture.md)
      {
        answer: reduced,
        at: checkedAt,
        absentFromTimeline: null,
        confirmSeconds: settings.deletionConfirmSeconds,
      },
    );
    const next =
      outcome.state.status === 'missing'
        ? later(
            confirmationDueAt(outcome.state.missingSince ?? checkedAt, settings.deletionConfirmSeconds),
            new Date(checkedAt.getTime() + settings.minSeconds * 1000),
          )
        : nextCheckAt(settings, target.publishedAt, checkedAt);
    plan.statements.push({
      id: target.id,
      nextCheckAt: next,
      status: outcome.state.status,
      statusChanged: outcome.transition !== null,
      statusReason: outcome.transition?.reason ?? null,
      missingSince: outcome.state.missingSince,
    });
    if (outcome.transition && answer) {
      plan.observations.push(observationOf(accountId, target.id, outcome.transition, answer, checkedAt));
    }
  }
  return plan;
}

function observationOf(
  accountId: string,
  statementId: string,
  transition: Transition,
  answer: PostAnswer,
  observedAt: Date,
): NewObservation {
  const account = transition.event === 'account.unavailable' || transition.event === 'account.restored';
  return {
    statementId,
    accountId,
    status: transition.to,
    previousStatus: transition.from,
    reason: transition.reason,
    detail: answer.kind === 'unavailable' ? answer.detail : null,
    httpStatus: 'httpStatus' in answer ? answer.httpStatus : answer.kind === 'found' ? 200 : null,
    observedAt,
    evidence: prepareEvidence(evidenceOf(answer)),
    // account events are written once per account, not once per statement (accountAvailabilityAfter)
    event: account ? null : transition.event,
  };
}

/** The platform's answer that showed the transition: the not-found/gone response, or the response showing the post. */
function evidenceOf(answer: PostAnswer): RawArtifact[] {
  switch (answer.kind) {
    case 'found':
      return answer.post.artifacts;
    case 'not-found':
    case 'gone':
    case 'unavailable':
      return answer.evidence;
    case 'unknown':
      return [];
  }
}

function prepareEvidence(artifacts: RawArtifact[]): PreparedArtifact[] {
  return artifacts.map((a) => ({
    role: a.role,
    mediaType: a.mediaType || 'application/octet-stream',
    size: a.bytes.length,
    sha256: sha256Hex(a.bytes),
    bytes: a.bytes,
    url: a.url ?? null,
  }));
}

export function reduceAnswer(answer: PostAnswer): RecheckAnswer {
  return answer.kind === 'unavailable'
    ? { kind: 'unavailable', reason: answer.reason }
    : { kind: answer.kind };
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
