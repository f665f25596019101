use databounty::errors::BountyError;
use databounty::events::SubmissionPaid;
use databounty::state::SubmissionStatus;
use databounty_sdk::accounts::ata;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn pays_the_contributor(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let events = env.release(&setup, &submitted, &contributor.ata).await;
    let reward = setup.args.reward_per_submission;
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::SubmissionPaid(SubmissionPaid {
            bounty: setup.bounty,
            submission: submitted.address,
            contributor: contributor.key.pubkey(),
            contributor_token_account: contributor.ata,
            amount: reward,
            received: reward,
            released: reward,
            reserved: 0,
            paid: 1,
            paid_at: now,
        })]
    );
    assert_eq!(env.token_balance(&contributor.ata).await, reward);
    assert_eq!(env.status(&submitted).await, SubmissionStatus::Paid);
    env.assert_books_balance(&setup).await;
}

async fn pays_once(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    assert_bounty_error(
        env.try_release(&setup, &submitted, &contributor.ata).await,
        BountyError::SubmissionNotAccepted,
    );
    env.votes(&setup, &submitted, 2, true).await;
    env.release(&setup, &submitted, &contributor.ata).await;
    assert_bounty_error(
        env.try_release(&setup, &submitted, &contributor.ata).await,
        BountyError::SubmissionNotAccepted,
    );
    assert_eq!(
        env.token_balance(&contributor.ata).await,
        setup.args.reward_per_submission
    );
}

async fn pays_only_the_contributor(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let thief = env.contributor(&setup).await;
    assert_bounty_error(
        env.try_release(&setup, &submitted, &thief.ata).await,
        BountyError::WrongPayoutAccount,
    );
}

/// A cranked payout goes to the contributor's associated token account, which the
/// program creates (the crank pays its rent) when the contributor has none yet.
async fn creates_the_missing_associated_account(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.funded_keypair(1).await;
    let submitted = env.submit(&setup, &contributor, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let p = &setup.parties;
    let associated = ata(&contributor.pubkey(), &p.mint, &p.token_program);
    assert!(!env.exists(&associated).await);
    let events = env
        .try_release_to(&setup, &submitted, None, &[])
        .await
        .expect("release");
    let DatabountyEvent::SubmissionPaid(paid) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(paid.contributor_token_account, associated);
    let reward = setup.args.reward_per_submission;
    assert_eq!(env.token_balance(&associated).await, reward);
    env.assert_books_balance(&setup).await;
}

/// Another token account of the contributor's (one no wallet lists) is paid only when
/// the contributor signs; a crank cannot pick it.
async fn another_account_needs_the_contributor(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let p = &setup.parties;
    let (mint, program) = (p.mint, p.token_program);
    let other = env
        .other_token_account(&contributor.key.pubkey(), &mint, &program)
        .await;
    assert_bounty_error(
        env.try_release(&setup, &submitted, &other).await,
        BountyError::PayoutAccountNotAssociated,
    );
    env.try_release_to(&setup, &submitted, Some(other), &[&contributor.key])
        .await
        .expect("release signed by the contributor");
    assert_eq!(
        env.token_balance(&other).await,
        setup.args.reward_per_submission
    );
    assert_eq!(env.token_balance(&contributor.ata).await, 0);
}

/// A destination that requires incoming transfer memos (Token-2022 `MemoTransfer`) is
/// paid with a memo, not refused. SPL Token has no such accounts: there the same
/// payout simply succeeds.
async fn pays_an_account_that_requires_memos(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    if kind != MintKind::Spl {
        env.require_memos(&contributor.key, &contributor.ata).await;
    }
    let submitted = env.submit(&setup, &contributor.key, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    env.try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("release with a memo");
    assert_eq!(
        env.token_balance(&contributor.ata).await,
        setup.args.reward_per_submission
    );
}

on_both_token_programs! {
    an_accepted_submission_is_paid => pays_the_contributor;
    a_reward_is_paid_once => pays_once;
    only_the_contributor_is_paid => pays_only_the_contributor;
    a_missing_associated_account_is_created => creates_the_missing_associated_account;
    another_account_needs_the_contributors_signature => another_account_needs_the_contributor;
    an_account_requiring_memos_is_paid => pays_an_account_that_requires_memos;
}

/// The payee bears the transfer fee: the vault pays the reward, the contributor gets it less 1%.
#[tokio::test]
async fn the_payee_bears_the_transfer_fee() {
    let params = BountyParams::default().funding(3_000_000);
    let (mut env, setup) = TestEnv::with_bounty_params(MintKind::ONE_PERCENT_FEE, params).await;
    // 3_000_000 sent, 30_000 withheld as fee.
    assert_eq!(env.bounty_state(&setup.bounty).await.funded, 2_970_000);
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let events = env.release(&setup, &submitted, &contributor.ata).await;
    let DatabountyEvent::SubmissionPaid(paid) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!((paid.amount, paid.received), (1_000_000, 990_000));
    assert_eq!(env.token_balance(&contributor.ata).await, 990_000);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(env.token_balance(&bounty.vault).await, 1_970_000);
    env.assert_books_balance(&setup).await;
}
