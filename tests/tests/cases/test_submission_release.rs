use databounty::errors::BountyError;
use databounty::events::SubmissionPaid;
use databounty::state::SubmissionStatus;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn pays_the_contributor(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let setup = env.bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    let submitted = env.submit(&setup, &contributor.key, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let events = env
        .try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("release");
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
    assert_eq!(
        env.submission_state(&submitted.address).await.status,
        SubmissionStatus::Paid
    );
    env.assert_books_balance(&setup).await;
}

async fn pays_once(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let setup = env.bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    let submitted = env.submit(&setup, &contributor.key, b"labels").await;
    assert_bounty_error(
        env.try_release(&setup, &submitted, &contributor.ata).await,
        BountyError::SubmissionNotAccepted,
    );
    env.votes(&setup, &submitted, 2, true).await;
    env.try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("release");
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
    let mut env = TestEnv::new().await;
    let setup = env.bounty(kind).await;
    let contributor = env.contributor(&setup).await;
    let submitted = env.submit(&setup, &contributor.key, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let thief = env.contributor(&setup).await;
    assert_bounty_error(
        env.try_release(&setup, &submitted, &thief.ata).await,
        BountyError::WrongPayoutAccount,
    );
}

on_both_token_programs! {
    an_accepted_submission_is_paid => pays_the_contributor;
    a_reward_is_paid_once => pays_once;
    only_the_contributor_is_paid => pays_only_the_contributor;
}

/// The payee bears the transfer fee: the vault pays the reward, the contributor gets it less 1%.
#[tokio::test]
async fn the_payee_bears_the_transfer_fee() {
    let mut env = TestEnv::new().await;
    let kind = MintKind::TransferFee {
        bps: 100,
        max: 1_000_000_000,
    };
    let params = BountyParams {
        initial_funding: 3_000_000,
        ..Default::default()
    };
    let setup = env.bounty_with(kind, params).await;
    // 3_000_000 sent, 30_000 withheld as fee.
    assert_eq!(env.bounty_state(&setup.bounty).await.funded, 2_970_000);
    let contributor = env.contributor(&setup).await;
    let submitted = env.submit(&setup, &contributor.key, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let events = env
        .try_release(&setup, &submitted, &contributor.ata)
        .await
        .expect("release");
    let DatabountyEvent::SubmissionPaid(paid) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!((paid.amount, paid.received), (1_000_000, 990_000));
    assert_eq!(env.token_balance(&contributor.ata).await, 990_000);
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(env.token_balance(&bounty.vault).await, 1_970_000);
    env.assert_books_balance(&setup).await;
}
