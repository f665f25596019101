use databounty::errors::BountyError;
use databounty::events::BountyFunded;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

/// Anyone can fund; the event and the books show what arrived.
async fn anyone_funds(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let p = &setup.parties;
    let sponsor = env.funded_keypair(1).await;
    let sponsor_ata = env
        .token_account(&sponsor.pubkey(), &p.mint, &p.token_program)
        .await;
    env.mint_to(&p.mint, &p.token_program, &sponsor_ata, 5_000)
        .await;

    let events = env
        .try_fund(&setup, &sponsor, &sponsor_ata, 5_000)
        .await
        .expect("fund");
    let funded = setup.args.initial_funding + 5_000;
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::BountyFunded(BountyFunded {
            bounty: setup.bounty,
            funder: sponsor.pubkey(),
            mint: p.mint,
            requested: 5_000,
            received: 5_000,
            funded,
            vault_balance: funded,
            funded_at: now,
        })]
    );
    assert_eq!(env.token_balance(&sponsor_ata).await, 0);
    assert_eq!(env.bounty_state(&setup.bounty).await.funded, funded);
    env.assert_books_balance(&setup).await;
}

async fn rejects_zero(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let (creator, ata) = (setup.creator(), setup.parties.creator_ata);
    assert_bounty_error(
        env.try_fund(&setup, &creator, &ata, 0).await,
        BountyError::ZeroAmount,
    );
}

async fn rejects_a_cancelled_bounty(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let (creator, ata) = (setup.creator(), setup.parties.creator_ata);
    env.cancel(&setup).await;
    assert_bounty_error(
        env.try_fund(&setup, &creator, &ata, 10).await,
        BountyError::BountyNotOpen,
    );
}

/// Funding after the submission deadline is a top-up for reviewers waiting to accept.
async fn tops_up_after_the_submission_deadline(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    env.past_submission_deadline(&setup).await;
    env.top_up(&setup, 10).await;
}

async fn rejects_someone_elses_token_account(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let thief = env.funded_keypair(1).await;
    let victim_ata = setup.parties.creator_ata;
    assert_bounty_error(
        env.try_fund(&setup, &thief, &victim_ata, 10).await,
        BountyError::WrongFundingAccount,
    );
}

/// A cancelled bounty whose pending work lacks funds for its reward: the acceptance
/// fails, a top-up is still taken, and the reviewers' retry is accepted and paid.
async fn tops_up_a_cancelled_bounty_with_pending_work(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, BountyParams::unfunded()).await;
    let (creator, ata) = (setup.creator(), setup.parties.creator_ata);
    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    env.cancel(&setup).await;
    env.votes(&setup, &submitted, 1, true).await;
    let second = setup.reviewer(1);
    assert_bounty_error(
        env.try_attest(&setup, &second, &submitted, true).await,
        BountyError::InsufficientUnreservedFunds,
    );
    let reward = setup.args.reward_per_submission;
    env.try_fund(&setup, &creator, &ata, reward)
        .await
        .expect("a top-up for pending work");
    env.attest(&setup, &second, &submitted, true).await;
    env.release(&setup, &submitted, &contributor.ata).await;
    assert_eq!(env.token_balance(&contributor.ata).await, reward);
    env.assert_books_balance(&setup).await;
    // Decided: nothing left that a top-up could serve.
    assert_bounty_error(
        env.try_fund(&setup, &creator, &ata, reward).await,
        BountyError::BountyNotOpen,
    );
}

/// The mint policy is checked again at funding: a mint whose freeze authority turned
/// new accounts frozen after creation takes no more funds (payees' new accounts could
/// not receive them).
#[tokio::test]
async fn the_mint_policy_is_checked_again_at_funding() {
    use anchor_spl::token_2022::spl_token_2022;
    use spl_token_2022::extension::default_account_state::instruction::update_default_account_state;
    use spl_token_2022::state::AccountState;

    let mut env = TestEnv::new().await;
    let setup = env.bounty(MintKind::DefaultInitialized).await;
    let (creator, ata) = (setup.creator(), setup.parties.creator_ata);
    env.try_fund(&setup, &creator, &ata, 10)
        .await
        .expect("fund while new accounts start initialized");
    let payer = env.payer();
    let freeze_new_accounts = update_default_account_state(
        &spl_token_2022::ID,
        &setup.parties.mint,
        &payer.pubkey(),
        &[],
        &AccountState::Frozen,
    )
    .expect("instruction");
    env.send(&[freeze_new_accounts], &[]).await.expect("update");
    assert_bounty_error(
        env.try_fund(&setup, &creator, &ata, 10).await,
        BountyError::MintDefaultFrozen,
    );
}

on_both_token_programs! {
    a_cancelled_bounty_with_pending_work_takes_top_ups => tops_up_a_cancelled_bounty_with_pending_work;
    anyone_can_fund => anyone_funds;
    zero_is_refused => rejects_zero;
    a_cancelled_bounty_takes_no_funds => rejects_a_cancelled_bounty;
    top_ups_are_allowed_during_review => tops_up_after_the_submission_deadline;
    the_funder_must_own_the_source => rejects_someone_elses_token_account;
}

/// A 1% transfer fee: the vault and the books get what arrived, to the unit.
#[tokio::test]
async fn credits_the_measured_amount_under_a_transfer_fee() {
    let params = BountyParams::unfunded();
    let (mut env, setup) = TestEnv::with_bounty_params(MintKind::ONE_PERCENT_FEE, params).await;
    let (creator, ata) = (setup.creator(), setup.parties.creator_ata);
    let events = env
        .try_fund(&setup, &creator, &ata, 1_000_000)
        .await
        .expect("fund");
    let DatabountyEvent::BountyFunded(funded) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        (funded.requested, funded.received, funded.funded),
        (1_000_000, 990_000, 990_000)
    );
    let bounty = env.bounty_state(&setup.bounty).await;
    assert_eq!(bounty.funded, 990_000);
    assert_eq!(env.token_balance(&bounty.vault).await, 990_000);
    assert_eq!(env.token_balance(&ata).await, CREATOR_TOKENS - 1_000_000);
    env.assert_books_balance(&setup).await;
}
