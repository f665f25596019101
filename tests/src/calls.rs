//! One call per instruction: `try_*` sends it and returns the program's events, or the
//! error for the test to assert.

use databounty_sdk::instructions as ix;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::{BountySetup, Sent, Submitted, TestEnv};

/// An SDK builder of a payout out of a bounty's vault to a party of the bounty
/// (`bounty_refund`, `review_fee_claim`): crank, bounty, payee, mint, token program,
/// destination.
pub type BountyPayout =
    fn(&Pubkey, &Pubkey, &Pubkey, &Pubkey, &Pubkey, Option<Pubkey>) -> Instruction;

/// An SDK builder of a payout to a submission's contributor (`submission_release`,
/// `submission_close_returning_bond`): crank, bounty, submission, contributor, mint,
/// token program, destination.
pub type ContributorPayout =
    fn(&Pubkey, &Pubkey, &Pubkey, &Pubkey, &Pubkey, &Pubkey, Option<Pubkey>) -> Instruction;

impl TestEnv {
    pub async fn try_attest(
        &mut self,
        setup: &BountySetup,
        reviewer: &Keypair,
        submission: &Submitted,
        approve: bool,
    ) -> Sent {
        let attest = ix::submission_attest(
            &reviewer.pubkey(),
            &setup.bounty,
            &submission.address,
            submission.hash,
            approve,
        );
        self.send_with_events(&[attest], &[reviewer]).await
    }

    /// A vote with a rejection's reason (code and URI).
    pub async fn try_attest_with_reason(
        &mut self,
        setup: &BountySetup,
        reviewer: &Keypair,
        submission: &Submitted,
        approve: bool,
        reason_code: u16,
        reason_uri: Option<String>,
    ) -> Sent {
        let attest = ix::submission_attest_with_reason(
            &reviewer.pubkey(),
            &setup.bounty,
            &submission.address,
            submission.hash,
            approve,
            reason_code,
            reason_uri,
        );
        self.send_with_events(&[attest], &[reviewer]).await
    }

    /// `review_fee_claim` for `reviewer` to `to` (`None`: their associated token account),
    /// cranked by the env's payer and signed by `signers` too.
    pub async fn try_claim_fees(
        &mut self,
        setup: &BountySetup,
        reviewer: &Pubkey,
        to: Option<Pubkey>,
        signers: &[&Keypair],
    ) -> Sent {
        let claim = ix::review_fee_claim;
        self.try_pay(claim, setup, reviewer, to, signers).await
    }

    /// `bounty_extend` to the given deadlines and winner count, signed by `signer`.
    pub async fn try_extend(
        &mut self,
        setup: &BountySetup,
        signer: &Keypair,
        submission_deadline: i64,
        review_deadline: i64,
        max_winners: u32,
    ) -> Sent {
        let extend = ix::bounty_extend(
            &signer.pubkey(),
            &setup.bounty,
            databounty::instructions::BountyExtendArgs {
                submission_deadline,
                review_deadline,
                max_winners,
            },
        );
        self.send_with_events(&[extend], &[signer]).await
    }

    /// `bounty_reviewer_replace` of `old` by `new`, signed by `signer`.
    pub async fn try_replace_reviewer(
        &mut self,
        setup: &BountySetup,
        signer: &Keypair,
        old: &Pubkey,
        new: &Pubkey,
    ) -> Sent {
        let replace = ix::bounty_reviewer_replace(&signer.pubkey(), &setup.bounty, old, new);
        self.send_with_events(&[replace], &[signer]).await
    }

    /// Cranks `submission_release` to `payout` (unsigned by the contributor).
    pub async fn try_release(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
        payout: &Pubkey,
    ) -> Sent {
        self.try_release_to(setup, submission, Some(*payout), &[])
            .await
    }

    /// `submission_release` to `to` (`None`: the contributor's associated token
    /// account), cranked by the env's payer and signed by `signers` too.
    pub async fn try_release_to(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
        to: Option<Pubkey>,
        signers: &[&Keypair],
    ) -> Sent {
        let release = ix::submission_release;
        self.try_pay_contributor(release, setup, submission, to, signers)
            .await
    }

    pub async fn try_fund(
        &mut self,
        setup: &BountySetup,
        funder: &Keypair,
        from: &Pubkey,
        amount: u64,
    ) -> Sent {
        let p = &setup.parties;
        let fund = ix::bounty_fund(
            &funder.pubkey(),
            &setup.bounty,
            &p.mint,
            &p.token_program,
            from,
            amount,
        );
        self.send_with_events(&[fund], &[funder]).await
    }

    pub async fn try_cancel(&mut self, setup: &BountySetup, signer: &Keypair) -> Sent {
        let cancel = ix::bounty_cancel(&signer.pubkey(), &setup.bounty);
        self.send_with_events(&[cancel], &[signer]).await
    }

    /// Cranks `bounty_refund` to `to` (unsigned by the creator).
    pub async fn try_refund(&mut self, setup: &BountySetup, to: &Pubkey) -> Sent {
        self.try_refund_to(setup, Some(*to), &[]).await
    }

    /// `bounty_refund` to `to` (`None`: the creator's associated token account), cranked
    /// by the env's payer and signed by `signers` too.
    pub async fn try_refund_to(
        &mut self,
        setup: &BountySetup,
        to: Option<Pubkey>,
        signers: &[&Keypair],
    ) -> Sent {
        let creator = setup.parties.creator.pubkey();
        let refund = ix::bounty_refund;
        self.try_pay(refund, setup, &creator, to, signers).await
    }

    pub async fn try_close_submission(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
        contributor: &Pubkey,
    ) -> Sent {
        let close = ix::submission_close(&setup.bounty, &submission.address, contributor);
        self.send_with_events(&[close], &[]).await
    }

    /// `submission_close` with the accounts that return an undecided submission's bond
    /// to `to` (`None`: the contributor's associated token account), cranked by the env's
    /// payer and signed by `signers` too.
    pub async fn try_close_returning_bond(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
        to: Option<Pubkey>,
        signers: &[&Keypair],
    ) -> Sent {
        let close = ix::submission_close_returning_bond;
        self.try_pay_contributor(close, setup, submission, to, signers)
            .await
    }

    pub async fn try_close_bounty(&mut self, setup: &BountySetup, signer: &Keypair) -> Sent {
        let p = &setup.parties;
        let close = ix::bounty_close(&signer.pubkey(), &setup.bounty, &p.mint, &p.token_program);
        self.send_with_events(&[close], &[signer]).await
    }

    /// Cranks the payout to `payee` that `build` makes (a refund, or a reviewer's fees)
    /// to `to`, signed by `signers` too.
    async fn try_pay(
        &mut self,
        build: BountyPayout,
        setup: &BountySetup,
        payee: &Pubkey,
        to: Option<Pubkey>,
        signers: &[&Keypair],
    ) -> Sent {
        let p = &setup.parties;
        let payout =
            |crank: &Pubkey| build(crank, &setup.bounty, payee, &p.mint, &p.token_program, to);
        self.send_cranked(payout, signers).await
    }

    /// Cranks the payout to `submission`'s contributor that `build` makes (a release, or
    /// a close returning the bond) to `to`, signed by `signers` too.
    async fn try_pay_contributor(
        &mut self,
        build: ContributorPayout,
        setup: &BountySetup,
        submission: &Submitted,
        to: Option<Pubkey>,
        signers: &[&Keypair],
    ) -> Sent {
        let p = &setup.parties;
        let payout = |crank: &Pubkey| {
            build(
                crank,
                &setup.bounty,
                &submission.address,
                &submission.contributor,
                &p.mint,
                &p.token_program,
                to,
            )
        };
        self.send_cranked(payout, signers).await
    }

    /// Sends the instruction `build` makes for the crank (the env's payer), signed by
    /// `signers` too. A crank pays to a destination it names; only a signature from
    /// the payee turns a non-associated account into one the builder marks.
    async fn send_cranked(
        &mut self,
        build: impl FnOnce(&Pubkey) -> Instruction,
        signers: &[&Keypair],
    ) -> Sent {
        let crank = self.payer().pubkey();
        let mut ix = build(&crank);
        unsign_unless_signing(&mut ix, &crank, signers);
        self.send_with_events(&[ix], signers).await
    }
}

/// Clears the signer flag the SDK sets on a payee who names another destination, unless
/// that payee is among `signers`: tests send what a crank without the payee's key could.
fn unsign_unless_signing(ix: &mut Instruction, crank: &Pubkey, signers: &[&Keypair]) {
    for meta in ix.accounts.iter_mut() {
        let signs = meta.pubkey == *crank || signers.iter().any(|s| s.pubkey() == meta.pubkey);
        if meta.is_signer && !signs {
            meta.is_signer = false;
        }
    }
}
