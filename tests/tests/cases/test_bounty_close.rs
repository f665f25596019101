use databounty::errors::BountyError;
use databounty::events::BountyClosed;
use databounty_sdk::events::DatabountyEvent;
use databounty_tests::*;
use solana_sdk::signature::Signer;

async fn closes_an_empty_bounty(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let creator = setup.creator();
    let vault = databounty_sdk::pda::vault(&setup.bounty);
    assert_bounty_error(
        env.try_close_bounty(&setup, &creator).await,
        BountyError::VaultNotEmpty,
    );
    env.cancel(&setup).await;
    env.refund_to_creator(&setup).await;

    let rent = env.lamports(&setup.bounty).await + env.lamports(&vault).await;
    let before = env.lamports(&creator.pubkey()).await;
    let events = env.try_close_bounty(&setup, &creator).await.expect("close");
    let funded = setup.args.initial_funding;
    let now = env.now().await;
    assert_eq!(
        events,
        vec![DatabountyEvent::BountyClosed(BountyClosed {
            bounty: setup.bounty,
            creator: creator.pubkey(),
            funded,
            released: 0,
            refunded: funded,
            submissions: 0,
            paid: 0,
            closed_at: now,
        })]
    );
    assert!(!env.exists(&setup.bounty).await);
    assert!(!env.exists(&vault).await);
    assert_eq!(env.lamports(&creator.pubkey()).await, before + rent);
}

async fn only_the_creator_closes(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty_params(kind, BountyParams::unfunded()).await;
    let stranger = env.funded_keypair(1).await;
    assert_bounty_error(
        env.try_close_bounty(&setup, &stranger).await,
        BountyError::NotCreator,
    );
}

async fn waits_for_submission_accounts(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, false).await;
    env.past_submission_deadline(&setup).await;
    env.refund_to_creator(&setup).await;
    let creator = setup.creator();
    assert_bounty_error(
        env.try_close_bounty(&setup, &creator).await,
        BountyError::SubmissionAccountsOpen,
    );
    env.close_submission(&setup, &submitted).await;
    env.try_close_bounty(&setup, &creator)
        .await
        .expect("close bounty");
}

on_both_token_programs! {
    an_empty_bounty_closes => closes_an_empty_bounty;
    only_the_creator_closes => only_the_creator_closes;
    open_submission_accounts_block_closing => waits_for_submission_accounts;
}

/// Withheld transfer fees sit in the vault; closing harvests them to the mint first.
#[tokio::test]
async fn harvests_withheld_fees_before_closing() {
    let (mut env, setup) = TestEnv::with_bounty(MintKind::ONE_PERCENT_FEE).await;
    let creator = setup.creator();
    env.cancel(&setup).await;
    env.refund_to_creator(&setup).await;
    env.try_close_bounty(&setup, &creator)
        .await
        .expect("close with withheld fees");
    assert!(!env.exists(&setup.bounty).await);
}

/// Rewards owed to contributors keep the bounty open even if a permanent delegate
/// emptied the vault.
#[tokio::test]
async fn reserved_rewards_block_closing() {
    let params = BountyParams::default().allowing_permanent_delegate();
    let (mut env, setup) = TestEnv::with_bounty_params(MintKind::PermanentDelegate, params).await;
    let (_, submitted) = env.contribute(&setup, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    // The payer is the mint's permanent delegate: it drains the vault.
    let vault = databounty_sdk::pda::vault(&setup.bounty);
    let payer = env.payer();
    let p = &setup.parties;
    let (mint, program, ata) = (p.mint, p.token_program, p.creator_ata);
    let balance = env.token_balance(&vault).await;
    env.transfer_tokens(&mint, &program, &vault, &ata, &payer, balance)
        .await;
    let creator = setup.creator();
    assert_bounty_error(
        env.try_close_bounty(&setup, &creator).await,
        BountyError::FundsReserved,
    );
}
