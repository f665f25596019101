//! Break it: one test per attack, each asserting the exact error that stops it.
//! docs/SECURITY.md maps every row of the threat matrix to a test here or in the
//! per-instruction files.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token_2022::spl_token_2022;
use databounty::errors::BountyError;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::{instructions as ix, pda};
use databounty_tests::*;
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// Clears the signer flag of `key` in `ix`, as an attacker who cannot sign would.
fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for meta in &mut ix.accounts {
        if meta.pubkey == *key {
            meta.is_signer = false;
        }
    }
    ix
}

/// The creator's `bounty_fund` of 10 tokens into `bounty`, naming `mint` and
/// `token_program`: the bounty's own, unless the attack swaps one.
fn creator_funds(
    p: &Parties,
    bounty: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    ix::bounty_fund(
        &p.creator.pubkey(),
        bounty,
        mint,
        token_program,
        &p.creator_ata,
        10,
    )
}

// --- Signers ---

async fn creator_signature_required(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let creator = setup.parties.creator.pubkey();
    let cancel = unsigned(ix::bounty_cancel(&creator, &setup.bounty), &creator);
    assert_anchor_error(
        env.send(&[cancel], &[]).await,
        AnchorError::AccountNotSigner,
    );
    let p = &setup.parties;
    let close = unsigned(
        ix::bounty_close(&creator, &setup.bounty, &p.mint, &p.token_program),
        &creator,
    );
    assert_anchor_error(env.send(&[close], &[]).await, AnchorError::AccountNotSigner);
}

async fn reviewer_signature_required(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let reviewer = setup.parties.reviewers[0].pubkey();
    let vote = unsigned(
        ix::submission_attest(
            &reviewer,
            &setup.bounty,
            &submitted.address,
            submitted.hash,
            true,
        ),
        &reviewer,
    );
    assert_anchor_error(env.send(&[vote], &[]).await, AnchorError::AccountNotSigner);
}

async fn funder_signature_required(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let p = &setup.parties;
    let creator = p.creator.pubkey();
    let fund = unsigned(
        creator_funds(p, &setup.bounty, &p.mint, &p.token_program),
        &creator,
    );
    assert_anchor_error(env.send(&[fund], &[]).await, AnchorError::AccountNotSigner);
}

// --- Account identity: owner, type, seeds, relations ---

/// A submission account passed where a bounty belongs.
async fn type_cosplay_is_refused(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let creator = setup.creator();
    let cancel = ix::bounty_cancel(&creator.pubkey(), &submitted.address);
    assert_anchor_error(
        env.send(&[cancel], &[&creator]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// A byte-for-byte copy of a bounty, owned by another program or at another address.
async fn look_alike_accounts_are_refused(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let creator = setup.creator();
    let real = env.raw_account(&setup.bounty).await.expect("bounty");

    let foreign = Pubkey::new_unique();
    let copy = Account {
        owner: Pubkey::new_unique(),
        ..real.clone()
    };
    env.set_raw_account(&foreign, copy);
    let cancel = ix::bounty_cancel(&creator.pubkey(), &foreign);
    assert_anchor_error(
        env.send(&[cancel], &[&creator]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );

    // Even owned by our program (which only the program itself could do), a bounty at an
    // address its seeds do not derive is refused.
    let forged = Pubkey::new_unique();
    env.set_raw_account(&forged, real);
    let cancel = ix::bounty_cancel(&creator.pubkey(), &forged);
    assert_anchor_error(
        env.send(&[cancel], &[&creator]).await,
        AnchorError::ConstraintSeeds,
    );
}

/// Stored bumps are the canonical ones; no instruction takes a bump from its caller.
async fn bumps_are_canonical(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    let bounty = env.bounty_state(&setup.bounty).await;
    let id = databounty::ID;
    let nonce = bounty.nonce.to_le_bytes();
    let seeds: &[&[u8]] = &[
        b"bounty",
        bounty.creator.as_ref(),
        &bounty.dataset_id,
        &nonce,
    ];
    assert_eq!(
        Pubkey::find_program_address(seeds, &id),
        (setup.bounty, bounty.bump)
    );
    let vault = Pubkey::find_program_address(&[b"vault", setup.bounty.as_ref()], &id);
    assert_eq!(vault, (bounty.vault, bounty.vault_bump));
    let submission = env.submission_state(&submitted.address).await;
    let expected = Pubkey::find_program_address(
        &[
            b"submission",
            setup.bounty.as_ref(),
            contributor.key.pubkey().as_ref(),
            &submitted.hash,
        ],
        &id,
    );
    assert_eq!(expected, (submitted.address, submission.bump));
}

/// Two bounties on one mint: accounts of one passed with the other.
async fn accounts_of_another_bounty_are_refused(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let a = env.bounty(kind).await;
    let now = env.now().await;
    let args_b = a.parties.args(now, &BountyParams::default(), 1);
    let bounty_b = a.parties.bounty_address(&args_b);
    env.try_create(&a.parties, args_b)
        .await
        .expect("second bounty");
    let contributor = env.contributor(&a).await;
    let submitted = env.submit(&a, &contributor.key, b"labels").await;
    env.votes(&a, &submitted, 2, true).await;
    let p = &a.parties;

    // A's submission released from B's vault: its seeds name bounty A.
    let release = ix::submission_release(
        &env.payer().pubkey(),
        &bounty_b,
        &submitted.address,
        &submitted.contributor,
        &p.mint,
        &p.token_program,
        None,
    );
    assert_anchor_error(
        env.send(&[release], &[]).await,
        AnchorError::ConstraintSeeds,
    );

    // B's vault passed with A.
    let mut fund = creator_funds(p, &a.bounty, &p.mint, &p.token_program);
    fund.accounts[2].pubkey = pda::vault(&bounty_b);
    assert_anchor_error(
        env.send(&[fund], &[&p.creator]).await,
        AnchorError::ConstraintHasOne,
    );
}

/// The bounty's own vault passed as the other side of a transfer: Anchor refuses the
/// same writable typed account twice before any rule runs; a payout destination (checked
/// by hand, since it may not exist yet) is refused as not the payee's.
async fn the_vault_cannot_be_its_own_counterparty(kind: MintKind) {
    let (mut env, setup, _, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    let vault = pda::vault(&setup.bounty);
    let creator = setup.creator();
    assert_bounty_error(
        env.try_release(&setup, &submitted, &vault).await,
        BountyError::WrongPayoutAccount,
    );
    assert_anchor_error(
        env.try_fund(&setup, &creator, &vault, 10).await,
        AnchorError::ConstraintDuplicateMutableAccount,
    );
    env.past_submission_deadline(&setup).await;
    assert_bounty_error(
        env.try_refund(&setup, &vault).await,
        BountyError::WrongRefundAccount,
    );
}

/// A token program that is not SPL Token or Token-2022, or the other one of the two.
async fn fake_token_programs_are_refused(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let p = &setup.parties;
    let fake = creator_funds(p, &setup.bounty, &p.mint, &Pubkey::new_unique());
    assert_anchor_error(
        env.send(&[fake], &[&p.creator]).await,
        AnchorError::InvalidProgramId,
    );
    let other = if p.token_program == spl_token_2022::ID {
        anchor_spl::token::ID
    } else {
        spl_token_2022::ID
    };
    let swapped = creator_funds(p, &setup.bounty, &p.mint, &other);
    assert_anchor_error(
        env.send(&[swapped], &[&p.creator]).await,
        AnchorError::ConstraintHasOne,
    );
}

/// Another mint of the same token program passed in place of the bounty's.
async fn another_mint_is_refused(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let other = env.create_mint(kind).await;
    let p = &setup.parties;
    let fund = creator_funds(p, &setup.bounty, &other, &p.token_program);
    assert_anchor_error(
        env.send(&[fund], &[&p.creator]).await,
        AnchorError::ConstraintHasOne,
    );
}

// --- Closed accounts ---

/// Closing a submission and using it again in the same transaction.
async fn closed_submissions_stay_closed(kind: MintKind) {
    let (mut env, setup, contributor, submitted) = TestEnv::with_submission(kind, b"labels").await;
    env.votes(&setup, &submitted, 2, true).await;
    env.release(&setup, &submitted, &contributor.ata).await;
    env.past_submission_deadline(&setup).await;
    let p = &setup.parties;
    let who = contributor.key.pubkey();
    let close = ix::submission_close(&setup.bounty, &submitted.address, &who);
    let revive =
        solana_system_interface::instruction::transfer(&who, &submitted.address, 10_000_000);
    let release = ix::submission_release(
        &env.payer().pubkey(),
        &setup.bounty,
        &submitted.address,
        &who,
        &p.mint,
        &p.token_program,
        None,
    );
    let result = env
        .send(&[close.clone(), revive, release], &[&contributor.key])
        .await;
    assert_anchor_error(result, AnchorError::AccountOwnedByWrongProgram);
    // Nor can the same hash be registered again to be paid twice.
    let again = ix::submission_create(
        &who,
        &setup.bounty,
        submitted.hash,
        None,
        env.terms(&setup).await,
    );
    let result = env.send(&[close, again], &[&contributor.key]).await;
    assert_bounty_error(result, BountyError::SubmissionDeadlinePassed);
    assert_eq!(
        env.token_balance(&contributor.ata).await,
        setup.args.reward_per_submission
    );
}

/// Closing a bounty and funding it again in the same transaction.
async fn closed_bounties_stay_closed(kind: MintKind) {
    let (mut env, setup) = TestEnv::with_bounty(kind).await;
    let p = &setup.parties;
    let creator = p.creator.insecure_clone();
    env.cancel(&setup).await;
    env.try_refund(&setup, &p.creator_ata)
        .await
        .expect("refund");
    let close = ix::bounty_close(&creator.pubkey(), &setup.bounty, &p.mint, &p.token_program);
    let fund = creator_funds(p, &setup.bounty, &p.mint, &p.token_program);
    let result = env.send(&[close, fund], &[&creator]).await;
    assert_anchor_error(result, AnchorError::AccountNotInitialized);
}

on_both_token_programs! {
    the_creator_must_sign => creator_signature_required;
    the_reviewer_must_sign => reviewer_signature_required;
    the_funder_must_sign => funder_signature_required;
    an_account_of_another_type_is_refused => type_cosplay_is_refused;
    look_alike_accounts_are_refused => look_alike_accounts_are_refused;
    stored_bumps_are_canonical => bumps_are_canonical;
    accounts_of_another_bounty_are_refused => accounts_of_another_bounty_are_refused;
    the_vault_cannot_be_its_own_counterparty => the_vault_cannot_be_its_own_counterparty;
    fake_token_programs_are_refused => fake_token_programs_are_refused;
    another_mint_is_refused => another_mint_is_refused;
    a_closed_submission_cannot_be_revived => closed_submissions_stay_closed;
    a_closed_bounty_cannot_be_revived => closed_bounties_stay_closed;
}

// --- Amounts ---

/// The whole u64 range: a bounty funded with u64::MAX pays and refunds to the unit.
#[tokio::test]
async fn amounts_near_u64_max_are_exact() {
    let mut env = TestEnv::new().await;
    let mut parties = env.parties(MintKind::Spl, 3).await;
    // A fresh mint whose whole supply, u64::MAX, belongs to the creator.
    parties.mint = env.create_mint(MintKind::Spl).await;
    let program = parties.token_program;
    parties.creator_ata = env
        .token_account(&parties.creator.pubkey(), &parties.mint, &program)
        .await;
    env.mint_to(&parties.mint, &program, &parties.creator_ata, u64::MAX)
        .await;
    let now = env.now().await;
    let reward = u64::MAX / 2; // two rewards fit, with 1 unit to spare
    let params = BountyParams {
        reward,
        max_winners: 2,
        initial_funding: u64::MAX,
        ..Default::default()
    };
    let args = parties.args(now, &params, 0);
    let bounty = parties.bounty_address(&args);
    env.try_create(&parties, args.clone())
        .await
        .expect("create with u64::MAX");
    let setup = BountySetup {
        parties,
        args,
        bounty,
        created: vec![],
    };

    let mut winners = Vec::new();
    for content in [&b"one"[..], b"two"] {
        let contributor = env.contributor(&setup).await;
        let submitted = env.submit(&setup, &contributor.key, content).await;
        env.votes(&setup, &submitted, 2, true).await;
        env.release(&setup, &submitted, &contributor.ata).await;
        winners.push(contributor);
    }
    env.past_submission_deadline(&setup).await;
    let events = env
        .try_refund(&setup, &setup.parties.creator_ata)
        .await
        .expect("refund");
    let DatabountyEvent::BountyRefunded(refund) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(refund.amount, 1);
    let state = env.bounty_state(&setup.bounty).await;
    assert_eq!(
        (state.funded, state.released, state.refunded),
        (u64::MAX, u64::MAX - 1, 1)
    );
    for winner in &winners {
        assert_eq!(env.token_balance(&winner.ata).await, reward);
    }
}

/// The fee is read at each transfer: raising it between deposit and payout makes the
/// payee bear the new fee while the books stay exact.
#[tokio::test]
async fn a_fee_change_between_deposit_and_payout() {
    let mut env = TestEnv::new().await;
    let kind = MintKind::TransferFee {
        bps: 100,
        max: u64::MAX,
    };
    let parties = env.parties(kind, 3).await;
    let now = env.now().await;
    let mut args = parties.args(now, &BountyParams::default(), 0);
    // Long enough to outlast the two epochs a fee change takes to apply.
    args.submission_deadline = now + 400 * 24 * 3_600;
    args.review_deadline = args.submission_deadline;
    let bounty = parties.bounty_address(&args);
    env.try_create(&parties, args.clone())
        .await
        .expect("create");
    let setup = BountySetup {
        parties,
        args,
        bounty,
        created: vec![],
    };
    assert_eq!(
        env.bounty_state(&bounty).await.funded,
        1_980_000,
        "1% of 2_000_000 withheld"
    );

    let (contributor, submitted) = env.contribute(&setup, b"labels").await;
    let payer = env.payer();
    let raise = spl_token_2022::extension::transfer_fee::instruction::set_transfer_fee(
        &spl_token_2022::ID,
        &setup.parties.mint,
        &payer.pubkey(),
        &[],
        500,
        u64::MAX,
    )
    .unwrap();
    env.send(&[raise], &[]).await.expect("raise the fee to 5%");
    let epoch = env.clock().await.epoch;
    env.warp_epochs(2, epoch);

    env.votes(&setup, &submitted, 2, true).await;
    let events = env.release(&setup, &submitted, &contributor.ata).await;
    let DatabountyEvent::SubmissionPaid(paid) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!((paid.amount, paid.received), (1_000_000, 950_000));
    env.assert_books_balance(&setup).await;
}

/// A reviewer's own key cannot submit; a second key of theirs is a Sybil the chain cannot
/// see (SECURITY.md: reviewers are trusted), but it still needs a quorum of others.
#[tokio::test]
async fn a_reviewer_cannot_approve_their_own_work() {
    let mut env = TestEnv::new().await;
    let setup = env.bounty(MintKind::Spl).await;
    let reviewer = setup.reviewer(0);
    assert_bounty_error(
        env.try_submit(&setup, &reviewer, b"mine").await,
        BountyError::ReviewerCannotSubmit,
    );
    let sybil = Keypair::new();
    let payer = env.payer();
    let fund = solana_system_interface::instruction::transfer(
        &payer.pubkey(),
        &sybil.pubkey(),
        1_000_000_000,
    );
    env.send(&[fund], &[]).await.unwrap();
    let submitted = env.submit(&setup, &sybil, b"mine, via a second key").await;
    env.attest(&setup, &reviewer, &submitted, true).await; // one vote
    let state = env.submission_state(&submitted.address).await;
    assert_eq!(
        state.status,
        databounty::state::SubmissionStatus::Pending,
        "one vote is not a quorum of 2"
    );
}
