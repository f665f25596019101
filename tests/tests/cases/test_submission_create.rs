use databounty::errors::BountyError;
use databounty::events::SubmissionCreated;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::instructions as ix;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn registers_a_hash(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let now = env.now().await;
    assert_eq!(
        submitted.events,
        vec![DatabountyEvent::SubmissionCreated(SubmissionCreated {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: contributor.key.pubkey(),
            hash: submitted.hash,
            uri: Some("ipfs://data".into()),
            submissions: 1,
            pending: 1,
            open_submission_accounts: 1,
            created_at: now,
            review_deadline: setup.args.review_deadline,
        })]
    );
    let submission = env.submission_state(&submitted.address).await;
    assert_eq!(submission.contributor, contributor.key.pubkey());
    assert_eq!(submission.hash, submitted.hash);
    assert_eq!(submission.status, SubmissionStatus::Pending);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (
            bounty.submissions,
            bounty.pending,
            bounty.open_submission_accounts
        ),
        (1, 1, 1)
    );
}

async fn refuses_after_the_deadline(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    env.set_time(setup.args.submission_deadline - 1).await;
    env.submit(&setup, &contributor.key, b"just in time").await;
    env.past_submission_deadline(&setup).await;
    assert_bounty_error(
        env.try_submit(&setup, &contributor.key, b"late").await,
        BountyError::SubmissionDeadlinePassed,
    );
}

async fn refuses_a_cancelled_bounty(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    env.cancel(&setup).await;
    let contributor = env.contributor(&setup).await;
    assert_bounty_error(
        env.try_submit(&setup, &contributor.key, b"x").await,
        BountyError::BountyNotOpen,
    );
}

async fn refuses_a_reviewer(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let reviewer = setup.reviewer(0);
    assert_bounty_error(
        env.try_submit(&setup, &reviewer, b"mine").await,
        BountyError::ReviewerCannotSubmit,
    );
}

async fn refuses_when_every_slot_is_taken(kind: MintKind) {
    let (mut env, setup) =
        TestEnv::with_bounty_params(kind, BountyParams::default().max_winners(1)).await;
    let (contributor, submitted) = env.contribute(&setup, b"first").await;
    env.votes(&setup, &submitted, 2, true).await;
    assert_bounty_error(
        env.try_submit(&setup, &contributor.key, b"second").await,
        BountyError::NoWinnerSlotsLeft,
    );
}

async fn refuses_a_long_uri(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    let terms = env.terms(&setup).await;
    let with_uri_of = |bytes: usize| {
        let uri = Some("u".repeat(bytes));
        ix::submission_create(
            &contributor.key.pubkey(),
            &setup.bounty,
            [1u8; 32],
            uri,
            terms,
        )
    };
    assert_bounty_error(
        env.send(&[with_uri_of(201)], &[&contributor.key]).await,
        BountyError::UriTooLong,
    );
    env.send(&[with_uri_of(200)], &[&contributor.key])
        .await
        .expect("200 bytes fit");
}

async fn refuses_a_duplicate_hash(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let (contributor, _) = env.contribute(&setup, b"same").await;
    assert_bounty_error(
        env.try_submit(&setup, &contributor.key, b"same").await,
        BountyError::SubmissionAlreadyExists,
    );
}

/// A front-runner who sees the hash and sends lamports to its address blocks nothing.
async fn prefunded_address_does_not_block(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    let digest = databounty_sdk::hash::reader_digest(&b"labels"[..], |_| {}).expect("digest");
    let hash =
        databounty_sdk::hash::submission_hash(&setup.bounty, &contributor.key.pubkey(), &digest);
    let address = databounty_sdk::pda::submission(&setup.bounty, &contributor.key.pubkey(), &hash);
    let payer = env.payer();
    let gift = solana_system_interface::instruction::transfer(&payer.pubkey(), &address, 1_000_000);
    env.send(&[gift], &[]).await.expect("pre-fund");
    env.submit(&setup, &contributor.key, b"labels").await;
    assert_eq!(env.submission_state(&address).await.hash, hash);
}

/// Someone who sees a pending `submission_create` lands the same hash first under their
/// own key: the submission address is bound to the contributor, so the real contributor
/// still registers it, is voted on and is paid.
async fn a_copied_hash_squats_nothing(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let victim = env.contributor(&setup).await;
    let attacker = env.contributor(&setup).await;
    let digest = databounty_sdk::hash::reader_digest(&b"labels"[..], |_| {}).expect("digest");
    let hash = databounty_sdk::hash::submission_hash(&setup.bounty, &victim.key.pubkey(), &digest);
    let squat = ix::submission_create(
        &attacker.key.pubkey(),
        &setup.bounty,
        hash,
        None,
        env.terms(&setup).await,
    );
    env.send(&[squat], &[&attacker.key])
        .await
        .expect("the copy lands first");

    let submitted = env.submit(&setup, &victim.key, b"labels").await;
    assert_eq!(submitted.hash, hash);
    env.votes(&setup, &submitted, 2, true).await;
    env.release(&setup, &submitted, &victim.ata).await;
    assert_eq!(
        env.token_balance(&victim.ata).await,
        setup.args.reward_per_submission
    );
    assert_eq!(env.token_balance(&attacker.ata).await, 0);
}

/// The creator closes an empty bounty and re-creates it at the same address with a lower
/// reward while a contributor's submission is in flight: it is refused, not taken under
/// terms the contributor never saw.
async fn refuses_terms_that_changed(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    let seen = env.terms(&setup).await;

    let creator = setup.creator();
    env.cancel(&setup).await;
    env.refund_to_creator(&setup).await;
    env.try_close_bounty(&setup, &creator).await.expect("close");
    let mut args = setup.args.clone();
    args.reward_per_submission = 1;
    env.try_create(&setup.parties, args)
        .await
        .expect("re-create");

    let create = ix::submission_create(
        &contributor.key.pubkey(),
        &setup.bounty,
        [7u8; 32],
        None,
        seen,
    );
    assert_bounty_error(
        env.send(&[create], &[&contributor.key]).await,
        BountyError::TermsChanged,
    );
    // Under the terms it shows now, the contributor may still choose to submit.
    env.submit(&setup, &contributor.key, b"labels").await;
}

on_both_token_programs! {
    submissions_name_the_terms_they_accept => refuses_terms_that_changed;
    a_copied_hash_does_not_block_its_contributor => a_copied_hash_squats_nothing;
    a_contributor_registers_a_hash => registers_a_hash;
    late_submissions_are_refused => refuses_after_the_deadline;
    a_cancelled_bounty_takes_no_submissions => refuses_a_cancelled_bounty;
    reviewers_cannot_submit => refuses_a_reviewer;
    no_submissions_once_all_slots_are_won => refuses_when_every_slot_is_taken;
    the_uri_is_limited_to_200_bytes => refuses_a_long_uri;
    one_account_per_hash => refuses_a_duplicate_hash;
    a_prefunded_address_does_not_block => prefunded_address_does_not_block;
}
