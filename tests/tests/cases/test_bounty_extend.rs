//! `bounty_extend`: deadlines and winner slots only grow, only by the creator, only
//! while the bounty takes submissions.

use databounty::constants::MAX_REVIEW_WINDOW;
use databounty::errors::BountyError;
use databounty::events::BountyExtended;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

/// The extension is recorded with its before and after; submissions sent under the old
/// terms are refused, under the new ones accepted; work submitted under the new terms
/// gets the longer review, work submitted before keeps the deadline it was sent under.
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
    let late = env.submit(&setup, &contributor.key, b"late").await;
    // Past the old review deadline, the earlier submission has expired: no vote is
    // taken on it, and it closes as expired. The later one can still be decided.
    env.set_time(old_review + 100).await;
    let reviewer = setup.reviewers()[0].insecure_clone();
    assert_bounty_error(
        env.try_attest(&setup, &reviewer, &pending, true).await,
        BountyError::ReviewDeadlinePassed,
    );
    let closed = env.close_submission(&setup, &pending).await;
    let closed = find_event!(closed, SubmissionClosed).expect("closed");
    assert_eq!(closed.final_status, SubmissionStatus::Pending, "expired");
    env.votes(&setup, &late, 2, true).await;
    env.assert_books_balance(&setup).await;
}

/// However far the creator moves the deadlines (here to the end of time, with both
/// reviewers who could decide the work replaced), work submitted before keeps its
/// review deadline: past it, anyone closes it and the contributor's bond comes back,
/// though the bounty still takes submissions.
async fn an_extension_never_holds_a_bond_longer(kind: MintKind) {
    let bond = 50_000;
    let params = BountyParams::default().bond(bond);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let (contributor, pending) = env.contribute(&setup, b"labels").await;
    let start = env.token_balance(&contributor.ata).await;
    let creator = setup.creator();
    for old in &setup.reviewers()[..2] {
        let new = env.funded_keypair(1).await.pubkey();
        env.replace_reviewer(&setup, &old.pubkey(), &new).await;
    }
    let end = i64::MAX;
    env.try_extend(&setup, &creator, end - MAX_REVIEW_WINDOW, end, 2)
        .await
        .expect("extend to the end of time");
    let signed = env.submission_state(&pending.address).await.review_deadline;
    assert_eq!(signed, setup.args.review_deadline);
    env.set_time(signed - 1).await;
    assert_bounty_error(
        env.try_close_returning_bond(&setup, &pending, None, &[])
            .await,
        BountyError::SubmissionNotFinal,
    );
    env.set_time(signed).await;
    // Cranked by a payer who is neither the contributor nor the creator.
    let events = env
        .try_close_returning_bond(&setup, &pending, None, &[])
        .await
        .expect("anyone closes expired work");
    assert!(find_event!(events, SubmissionBondReturned).is_some());
    assert_eq!(env.token_balance(&contributor.ata).await, start + bond);
    assert!(env
        .bounty_state(&setup.bounty)
        .await
        .takes_submissions(signed));
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

/// Added winner slots must keep the worst case (each winner's reward and a fee for
/// every reviewer) within a u64, by the same rule as at creation.
async fn added_winners_keep_the_budget_in_a_u64(kind: MintKind) {
    // Three reviewers at an eighth of u64::MAX each: two winners fit, three do not
    // (though three winners' rewards and quorum fees alone would).
    let params = BountyParams::default().review_fee(u64::MAX / 8);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let creator = setup.creator();
    let (s, r) = (setup.args.submission_deadline, setup.args.review_deadline);
    assert_bounty_error(
        env.try_extend(&setup, &creator, s, r, 3).await,
        BountyError::BudgetOverflow,
    );
    assert_eq!(env.bounty_state(&setup.bounty).await.max_winners, 2);
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
    an_extension_never_holds_a_bond_longer => an_extension_never_holds_a_bond_longer;
    deadlines_and_winners_only_grow => deadlines_only_move_forward;
    added_winners_keep_the_budget_in_a_u64 => added_winners_keep_the_budget_in_a_u64;
    only_the_creator_extends => only_the_creator_extends;
    no_extension_once_submissions_end => no_extension_once_submissions_end;
}
