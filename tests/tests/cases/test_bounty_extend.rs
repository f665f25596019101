//! `bounty_extend`: deadlines and winner slots only grow, only by the creator, only
//! while the bounty takes submissions.

use databounty::constants::MAX_REVIEW_WINDOW;
use databounty::errors::BountyError;
use databounty::events::BountyExtended;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

/// The extension is recorded with its before and after; submissions sent under the old
/// terms are refused, under the new ones accepted; pending work gets the longer review.
async fn extends_deadlines_and_winner_slots(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let (old_submission, old_review) = (setup.args.submission_deadline, setup.args.review_deadline);
    let contributor = env.contributor(&setup).await;
    let pending = env.submit(&setup, &contributor.key, b"early").await;
    let old_terms = env.terms(&setup).await;
    let creator = setup.creator();
    let events = env
        .try_extend(&setup, &creator, old_submission + 100, old_review + 200, 5)
        .await
        .expect("extend");
    assert_eq!(
        events,
        vec![DatabountyEvent::BountyExtended(BountyExtended {
            bounty: setup.bounty,
            creator: creator.pubkey(),
            submission_deadline_before: old_submission,
            submission_deadline_after: old_submission + 100,
            review_deadline_before: old_review,
            review_deadline_after: old_review + 200,
            max_winners_before: 2,
            max_winners_after: 5,
            extended_at: env.now().await,
        })]
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (
            bounty.submission_deadline,
            bounty.review_deadline,
            bounty.max_winners
        ),
        (old_submission + 100, old_review + 200, 5)
    );
    // A submission signed under the old terms is refused (the terms hash names them).
    let key = contributor.key.insecure_clone();
    let stale = databounty_sdk::instructions::submission_create(
        &key.pubkey(),
        &setup.bounty,
        [5; 32],
        None,
        old_terms,
    );
    assert_bounty_error(env.send(&[stale], &[&key]).await, BountyError::TermsChanged);
    // Between the old and the new submission deadline, submissions are still taken.
    env.set_time(old_submission + 50).await;
    env.submit(&setup, &contributor.key, b"late").await;
    // Past the old review deadline, the earlier submission can still be decided.
    env.set_time(old_review + 100).await;
    env.votes(&setup, &pending, 2, true).await;
    env.assert_books_balance(&setup).await;
}

/// Shortening either deadline, shrinking the winner count, an inverted or unbounded
/// review window: each refused by its own rule.
async fn deadlines_only_move_forward(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let (s, r) = (setup.args.submission_deadline, setup.args.review_deadline);
    let creator = setup.creator();
    let cases = [
        (s - 1, r, 2, BountyError::SubmissionDeadlineShortened),
        (s, r - 1, 2, BountyError::ReviewDeadlineShortened),
        (s, r, 1, BountyError::MaxWinnersReduced),
        (r + 10, r + 5, 2, BountyError::InvalidDeadlines),
        (
            s,
            s + MAX_REVIEW_WINDOW + 1,
            2,
            BountyError::ReviewWindowTooLong,
        ),
    ];
    for (submission, review, winners, error) in cases {
        assert_bounty_error(
            env.try_extend(&setup, &creator, submission, review, winners)
                .await,
            error,
        );
    }
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (
            bounty.submission_deadline,
            bounty.review_deadline,
            bounty.max_winners
        ),
        (s, r, 2)
    );
    // Equal values are not shorter.
    env.try_extend(&setup, &creator, s, r, 2)
        .await
        .expect("no change is allowed");
}

async fn only_the_creator_extends(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let stranger = env.funded_keypair(1).await;
    let (s, r) = (setup.args.submission_deadline, setup.args.review_deadline);
    assert_bounty_error(
        env.try_extend(&setup, &stranger, s + 1, r + 1, 3).await,
        BountyError::NotCreator,
    );
}

/// Once the bounty stops taking submissions (deadline, cancel, every slot taken) it
/// cannot be reopened: submission accounts may have closed, freeing hashes.
async fn no_extension_once_submissions_end(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let params = BountyParams::default().max_winners(1);
    let full = env.bounty_with(kind, params).await;
    let contributor = env.contributor(&full).await;
    let winner = env.submit(&full, &contributor.key, b"a").await;
    env.votes(&full, &winner, 2, true).await;
    let creator = full.creator();
    let (s, r) = (full.args.submission_deadline, full.args.review_deadline);
    assert_bounty_error(
        env.try_extend(&full, &creator, s, r, 2).await,
        BountyError::NoWinnerSlotsLeft,
    );

    let cancelled = env.bounty(kind).await;
    let creator = cancelled.creator();
    let (s, r) = (
        cancelled.args.submission_deadline,
        cancelled.args.review_deadline,
    );
    env.cancel(&cancelled).await;
    assert_bounty_error(
        env.try_extend(&cancelled, &creator, s + 1, r + 1, 2).await,
        BountyError::BountyNotOpen,
    );

    let late = env.bounty(kind).await;
    let creator = late.creator();
    let (s, r) = (late.args.submission_deadline, late.args.review_deadline);
    env.past_submission_deadline(&late).await;
    assert_bounty_error(
        env.try_extend(&late, &creator, s + 100, r + 100, 2).await,
        BountyError::SubmissionDeadlinePassed,
    );
}

on_both_token_programs! {
    extends_deadlines_and_winner_slots => extends_deadlines_and_winner_slots;
    deadlines_and_winners_only_grow => deadlines_only_move_forward;
    only_the_creator_extends => only_the_creator_extends;
    no_extension_once_submissions_end => no_extension_once_submissions_end;
}
