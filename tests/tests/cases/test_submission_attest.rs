use databounty::errors::BountyError;
use databounty::events::{SubmissionAccepted, SubmissionAttested, SubmissionRejected};
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn quorum_accepts_and_reserves(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let reviewers = setup.reviewers();

    let first = env.attest(&setup, &reviewers[1], &submitted, true).await;
    let now = env.now().await;
    assert_eq!(
        first,
        vec![DatabountyEvent::SubmissionAttested(SubmissionAttested {
            bounty: setup.bounty,
            submission: submitted.address,
            reviewer: reviewers[1].pubkey(),
            reviewer_index: 1,
            approve: true,
            approvals: 1,
            rejections: 0,
            status: SubmissionStatus::Pending,
            attested_at: now,
            reviewer_generation: 0,
            reason_code: 0,
            reason_uri: None,
        })]
    );
    assert_eq!(env.bounty_state(&setup.bounty).await.reserved, 0);

    let second = env.attest(&setup, &reviewers[2], &submitted, true).await;
    let reward = setup.args.reward_per_submission;
    assert_eq!(second.len(), 2, "{second:?}");
    assert_eq!(
        second[1],
        DatabountyEvent::SubmissionAccepted(SubmissionAccepted {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: contributor.key.pubkey(),
            reward,
            approvals: 2,
            rejections: 0,
            accepted: 1,
            pending: 0,
            reserved: reward,
            decided_at: now,
        })
    );
    let submission = env.submission_state(&submitted.address).await;
    assert_eq!(submission.status, SubmissionStatus::Accepted);
    assert_eq!(submission.approvals, 0b110);
    assert_eq!(submission.decided_at, now);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (bounty.accepted, bounty.pending, bounty.reserved),
        (1, 0, reward)
    );
    env.assert_books_balance(&setup).await;
}

/// 3 reviewers, quorum 2: the second rejection makes quorum unreachable.
async fn unreachable_quorum_rejects(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let reviewers = setup.reviewers();
    env.attest(&setup, &reviewers[0], &submitted, true).await;
    let one_no = env.attest(&setup, &reviewers[1], &submitted, false).await;
    assert_eq!(one_no.len(), 1, "one rejection leaves quorum reachable");
    let two_no = env.attest(&setup, &reviewers[2], &submitted, false).await;
    let now = env.now().await;
    assert_eq!(
        two_no[1],
        DatabountyEvent::SubmissionRejected(SubmissionRejected {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: contributor.key.pubkey(),
            approvals: 1,
            rejections: 2,
            pending: 0,
            decided_at: now,
        })
    );
    assert_eq!(env.status(&submitted).await, SubmissionStatus::Rejected);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (bounty.pending, bounty.accepted, bounty.reserved),
        (0, 0, 0)
    );
}

async fn only_listed_reviewers_vote(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let outsider = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_attest(&setup, &outsider, &submitted, true).await,
        BountyError::NotAReviewer,
    );
    // The contributor is no reviewer either.
    assert_bounty_error(
        env.try_attest(&setup, &contributor.key, &submitted, true)
            .await,
        BountyError::NotAReviewer,
    );
}

async fn one_vote_per_reviewer(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let reviewer = setup.reviewer(0);
    env.attest(&setup, &reviewer, &submitted, false).await;
    assert_bounty_error(
        env.try_attest(&setup, &reviewer, &submitted, true).await,
        BountyError::AlreadyAttested,
    );
    assert_bounty_error(
        env.try_attest(&setup, &reviewer, &submitted, false).await,
        BountyError::AlreadyAttested,
    );
}

async fn the_hash_must_match(kind: MintKind) {
    let (mut env, setup, _, mut submitted) = TestEnv::with_submission(kind, b"labels").await;
    submitted.hash[0] ^= 1;
    assert_bounty_error(
        env.try_attest(&setup, &setup.reviewer(0), &submitted, true)
            .await,
        BountyError::HashMismatch,
    );
}

async fn no_votes_after_the_review_deadline(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let reviewer = setup.reviewer(0);
    env.set_time(setup.args.review_deadline - 1).await;
    env.attest(&setup, &reviewer, &submitted, true).await; // in time
    env.past_review_deadline(&setup).await;
    let other = setup.reviewer(1);
    assert_bounty_error(
        env.try_attest(&setup, &other, &submitted, true).await,
        BountyError::ReviewDeadlinePassed,
    );
}

async fn decided_submissions_take_no_votes(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    assert_bounty_error(
        env.try_attest(&setup, &setup.reviewer(2), &submitted, false)
            .await,
        BountyError::SubmissionNotPending,
    );
}

/// Quorum without funds fails the vote; after a top-up the same vote goes through.
async fn acceptance_waits_for_funds(kind: MintKind) {
    let params = BountyParams::default().funding(1_000_000).reward(1_000_000);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params.max_winners(2)).await;
    let (_, first) = env.contribute(&setup, b"a").await;
    let (_, second) = env.contribute(&setup, b"b").await;
    env.votes(&setup, &first, 2, true).await;
    let reviewers = setup.reviewers();
    env.attest(&setup, &reviewers[0], &second, true).await;
    assert_bounty_error(
        env.try_attest(&setup, &reviewers[1], &second, true).await,
        BountyError::InsufficientUnreservedFunds,
    );
    assert_eq!(
        env.submission_state(&second.address).await.approvals,
        0b1,
        "the failed vote left no trace"
    );
    env.top_up(&setup, 1_000_000).await;
    env.attest(&setup, &reviewers[1], &second, true).await;
    assert_eq!(env.bounty_state(&setup.bounty).await.reserved, 2_000_000);
}

/// Two pending submissions, one winner slot: once the first takes it, the second can
/// no longer win and takes no votes (it closes with its bond returned instead).
async fn acceptance_needs_a_slot(kind: MintKind) {
    let params = BountyParams::default().max_winners(1);
    let (mut env, setup) = TestEnv::with_bounty_params(kind, params).await;
    let (_, first) = env.contribute(&setup, b"a").await;
    let (_, second) = env.contribute(&setup, b"b").await;
    let reviewers = setup.reviewers();
    env.attest(&setup, &reviewers[0], &second, true).await;
    env.votes(&setup, &first, 2, true).await;
    for approve in [true, false] {
        assert_bounty_error(
            env.try_attest(&setup, &reviewers[1], &second, approve)
                .await,
            BountyError::NoWinnerSlotsLeft,
        );
    }
    assert_eq!(env.bounty_state(&setup.bounty).await.accepted, 1);
    assert_eq!(env.status(&second).await, SubmissionStatus::Pending);
}

on_both_token_programs! {
    a_quorum_accepts_and_reserves_the_reward => quorum_accepts_and_reserves;
    an_unreachable_quorum_rejects => unreachable_quorum_rejects;
    only_listed_reviewers_vote => only_listed_reviewers_vote;
    a_reviewer_votes_once => one_vote_per_reviewer;
    the_attested_hash_must_match => the_hash_must_match;
    votes_close_at_the_review_deadline => no_votes_after_the_review_deadline;
    decided_submissions_take_no_votes => decided_submissions_take_no_votes;
    acceptance_waits_for_unreserved_funds => acceptance_waits_for_funds;
    acceptance_needs_a_winner_slot => acceptance_needs_a_slot;
}
