//! A cluster refuses any transaction over 1,232 bytes (`PACKET_DATA_SIZE`); the local
//! bank does not. These tests sign, with real keys, the largest transaction the SDK (and
//! so the CLI) builds for each instruction, in its worst shape — every optional signer
//! distinct from the fee payer, every length at its maximum, a priority fee (two
//! compute-budget instructions) as wallets add — and assert that it fits.

use databounty::constants::{MAX_REVIEWERS, MAX_URI_LEN};
use databounty::instructions::{BountyCreateArgs, BountyExtendArgs};
use databounty_sdk::instructions as ix;
use databounty_sdk::pda;
use databounty_tests::calls::ContributorPayout;
use databounty_tests::*;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;

/// The most a cluster accepts: an IPv6 MTU less its headers (`solana_packet::PACKET_DATA_SIZE`).
const PACKET_DATA_SIZE: usize = 1280 - 40 - 8;

/// The wire size of `ixs` behind a priority fee, paid by `payer` and signed by `signers`.
fn signed_size(ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> usize {
    let mut all = vec![
        ComputeBudgetInstruction::set_compute_unit_limit(400_000),
        ComputeBudgetInstruction::set_compute_unit_price(1_000),
    ];
    all.extend_from_slice(ixs);
    let mut keys = vec![payer];
    keys.extend_from_slice(signers);
    let tx =
        Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, Hash::new_unique());
    let size = bincode::serialize(&tx).expect("serializes").len();
    assert_eq!(tx.signatures.len(), keys.len(), "one signature per signer");
    size
}

/// `bounty_create` at every maximum: MAX_REVIEWERS reviewers, a MAX_URI_LEN-byte URI,
/// initial funding (the optional source account), payer ≠ creator.
pub fn largest_bounty_create(
    payer: &Keypair,
    creator: &Keypair,
    mint: &Pubkey,
    token_program: &Pubkey,
    source: Pubkey,
) -> Instruction {
    let args = BountyCreateArgs {
        dataset_id: [7; 32],
        nonce: u64::MAX,
        metadata_uri: "x".repeat(MAX_URI_LEN),
        reward_per_submission: 1,
        max_winners: 1,
        reviewers: (0..MAX_REVIEWERS).map(|_| Pubkey::new_unique()).collect(),
        quorum: MAX_REVIEWERS as u8,
        submission_deadline: i64::MAX - 1,
        review_deadline: i64::MAX,
        allow_permanent_delegate: true,
        initial_funding: u64::MAX,
        review_fee: u64::MAX,
        submission_bond: u64::MAX,
    };
    ix::bounty_create(
        &payer.pubkey(),
        &creator.pubkey(),
        mint,
        token_program,
        Some(source),
        args,
    )
}

#[test]
fn every_largest_transaction_fits_a_packet() {
    let [payer, creator, contributor, reviewer, funder] =
        std::array::from_fn::<Keypair, 5, _>(|_| Keypair::new());
    let mint = Pubkey::new_unique();
    for token_program in [anchor_spl::token::ID, anchor_spl::token_2022::ID] {
        let bounty = pda::bounty(&creator.pubkey(), &[7; 32], u64::MAX);
        let hash = [9; 32];
        let submission = pda::submission(&bounty, &contributor.pubkey(), &hash);
        let other = Some(Pubkey::new_unique());
        // A payout to the contributor (cranked, to another account they sign for).
        let to_contributor = |build: ContributorPayout| {
            build(
                &payer.pubkey(),
                &bounty,
                &submission,
                &contributor.pubkey(),
                &mint,
                &token_program,
                other,
            )
        };
        let claim = ix::review_fee_claim(
            &payer.pubkey(),
            &bounty,
            &reviewer.pubkey(),
            &mint,
            &token_program,
            other,
        );
        let replace = ix::bounty_reviewer_replace(
            &creator.pubkey(),
            &bounty,
            &reviewer.pubkey(),
            &Pubkey::new_unique(),
        );
        let cases: Vec<(&str, Instruction, Vec<&Keypair>)> = vec![
            (
                "bounty_create",
                largest_bounty_create(
                    &payer,
                    &creator,
                    &mint,
                    &token_program,
                    Pubkey::new_unique(),
                ),
                vec![&creator],
            ),
            (
                "bounty_fund",
                ix::bounty_fund(
                    &funder.pubkey(),
                    &bounty,
                    &mint,
                    &token_program,
                    &Pubkey::new_unique(),
                    u64::MAX,
                ),
                vec![&funder],
            ),
            (
                "submission_create",
                ix::submission_create(
                    &contributor.pubkey(),
                    &bounty,
                    hash,
                    Some("x".repeat(MAX_URI_LEN)),
                    [1; 32],
                ),
                vec![&contributor],
            ),
            (
                "submission_attest",
                ix::submission_attest(&reviewer.pubkey(), &bounty, &submission, hash, true),
                vec![&reviewer],
            ),
            (
                "submission_release",
                to_contributor(ix::submission_release),
                vec![&contributor],
            ),
            (
                "bounty_cancel",
                ix::bounty_cancel(&creator.pubkey(), &bounty),
                vec![&creator],
            ),
            (
                "bounty_refund",
                ix::bounty_refund(
                    &payer.pubkey(),
                    &bounty,
                    &creator.pubkey(),
                    &mint,
                    &token_program,
                    other,
                ),
                vec![&creator],
            ),
            (
                "submission_close",
                ix::submission_close(&bounty, &submission, &contributor.pubkey()),
                vec![],
            ),
            (
                "bounty_close",
                ix::bounty_close(&creator.pubkey(), &bounty, &mint, &token_program),
                vec![&creator],
            ),
            (
                "submission_create with a bond",
                ix::submission_create_with_bond(
                    &contributor.pubkey(),
                    &bounty,
                    hash,
                    Some("x".repeat(MAX_URI_LEN)),
                    [1; 32],
                    ix::BondAccounts {
                        mint,
                        token_program,
                        token_account: other,
                    },
                ),
                vec![&contributor],
            ),
            (
                "submission_attest with a reason",
                ix::submission_attest_with_reason(
                    &reviewer.pubkey(),
                    &bounty,
                    &submission,
                    hash,
                    false,
                    u16::MAX,
                    Some("x".repeat(MAX_URI_LEN)),
                ),
                vec![&reviewer],
            ),
            (
                "submission_close returning a bond",
                to_contributor(ix::submission_close_returning_bond),
                vec![&contributor],
            ),
            ("review_fee_claim", claim.clone(), vec![&reviewer]),
            (
                "bounty_extend",
                ix::bounty_extend(
                    &creator.pubkey(),
                    &bounty,
                    BountyExtendArgs {
                        submission_deadline: i64::MAX,
                        review_deadline: i64::MAX,
                        max_winners: u32::MAX,
                    },
                ),
                vec![&creator],
            ),
            ("bounty_reviewer_replace", replace.clone(), vec![&creator]),
        ];
        for (name, instruction, signers) in cases {
            let size = signed_size(&[instruction], &payer, &signers);
            println!("{name}: {size} bytes with {} signatures", 1 + signers.len());
            assert!(
                size <= PACKET_DATA_SIZE,
                "{name}'s largest transaction is {size} bytes, over the {PACKET_DATA_SIZE}-byte packet"
            );
        }
        // A replacement whose old reviewer is owed fees goes with a claim for them.
        let claim_and_replace = [claim, replace];
        let size = signed_size(&claim_and_replace, &payer, &[&reviewer, &creator]);
        println!("review_fee_claim + bounty_reviewer_replace: {size} bytes with 3 signatures");
        assert!(size <= PACKET_DATA_SIZE, "claim and replace: {size} bytes");
    }
}

/// The largest bounty the program allows is created from a transaction that fits a
/// packet, on both token programs; one more reviewer would not fit (and is refused).
async fn the_largest_bounty_fits_a_packet(kind: MintKind) {
    let mut env = TestEnv::new().await;
    let parties = env.parties(kind, 0).await;
    let payer = env.payer();
    let create = largest_bounty_create(
        &payer,
        &parties.creator,
        &parties.mint,
        &parties.token_program,
        parties.creator_ata,
    );
    let size = signed_size(std::slice::from_ref(&create), &payer, &[&parties.creator]);
    assert!(size <= PACKET_DATA_SIZE, "{size} bytes");
    // It is also a valid bounty: with a real deadline and funding, the bank creates it.
    let mut args = parties.args(env.now().await, &BountyParams::default(), 1);
    args.metadata_uri = "x".repeat(MAX_URI_LEN);
    args.reviewers = (0..MAX_REVIEWERS).map(|_| Pubkey::new_unique()).collect();
    args.quorum = MAX_REVIEWERS as u8;
    let real = parties.create_ix(&payer.pubkey(), args);
    assert!(
        signed_size(std::slice::from_ref(&real), &payer, &[&parties.creator]) <= PACKET_DATA_SIZE
    );
    env.send(&[real], &[&parties.creator])
        .await
        .expect("the largest bounty is created");
    // MAX_REVIEWERS is the most that fit: one more reviewer is 32 bytes more.
    assert!(
        size + 32 > PACKET_DATA_SIZE,
        "MAX_REVIEWERS could be higher"
    );
}

on_both_token_programs! {
    the_largest_bounty_is_creatable_on_a_cluster => the_largest_bounty_fits_a_packet;
}
