//! Steps many tests take on the way to what they try to break: each one must succeed.

use databounty::events::BountyRefunded;
use databounty_sdk::events::DatabountyEvent;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;

use crate::{BountyParams, BountySetup, Contributor, MintKind, Submitted, TestEnv};

/// The first event of `$variant` in `$events` (a slice of `DatabountyEvent`), if any.
#[macro_export]
macro_rules! find_event {
    ($events:expr, $variant:ident) => {
        $events.iter().find_map(|event| match event {
            databounty_sdk::events::DatabountyEvent::$variant(event) => Some(event),
            _ => None,
        })
    };
}

impl TestEnv {
    /// A new bank with a default bounty on a new mint of `kind`.
    pub async fn with_bounty(kind: MintKind) -> (TestEnv, BountySetup) {
        Self::with_bounty_params(kind, BountyParams::default()).await
    }

    /// A new bank with a bounty of `params` on a new mint of `kind`.
    pub async fn with_bounty_params(
        kind: MintKind,
        params: BountyParams,
    ) -> (TestEnv, BountySetup) {
        let mut env = TestEnv::new().await;
        let setup = env.bounty_with(kind, params).await;
        (env, setup)
    }

    /// [`Self::with_bounty`], and a new contributor's pending submission of `content`.
    pub async fn with_submission(
        kind: MintKind,
        content: &[u8],
    ) -> (TestEnv, BountySetup, Contributor, Submitted) {
        let (mut env, setup) = Self::with_bounty(kind).await;
        let (contributor, submitted) = env.contribute(&setup, content).await;
        (env, setup, contributor, submitted)
    }

    /// A new contributor, who submits `content`.
    pub async fn contribute(
        &mut self,
        setup: &BountySetup,
        content: &[u8],
    ) -> (Contributor, Submitted) {
        let contributor = self.contributor(setup).await;
        let submitted = self.submit(setup, &contributor.key, content).await;
        (contributor, submitted)
    }

    /// `reviewer`'s vote on `submission`, which the program must take; returns its events.
    pub async fn attest(
        &mut self,
        setup: &BountySetup,
        reviewer: &Keypair,
        submission: &Submitted,
        approve: bool,
    ) -> Vec<DatabountyEvent> {
        self.try_attest(setup, reviewer, submission, approve)
            .await
            .expect("submission_attest")
    }

    /// Approves (or rejects) with the first `count` reviewers.
    pub async fn votes(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
        count: usize,
        approve: bool,
    ) {
        for reviewer in &setup.reviewers()[..count] {
            self.attest(setup, reviewer, submission, approve).await;
        }
    }

    /// Closes a final `submission`, its rent back to its contributor; returns the events.
    pub async fn close_submission(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
    ) -> Vec<DatabountyEvent> {
        self.try_close_submission(setup, submission, &submission.contributor)
            .await
            .expect("submission_close")
    }

    /// Cranks `submission_release` of an accepted `submission` to `payout`.
    pub async fn release(
        &mut self,
        setup: &BountySetup,
        submission: &Submitted,
        payout: &Pubkey,
    ) -> Vec<DatabountyEvent> {
        self.try_release(setup, submission, payout)
            .await
            .expect("release")
    }

    /// The creator adds `amount` from their token account.
    pub async fn top_up(&mut self, setup: &BountySetup, amount: u64) -> Vec<DatabountyEvent> {
        let creator = setup.creator();
        self.try_fund(setup, &creator, &setup.parties.creator_ata, amount)
            .await
            .expect("top-up")
    }

    /// The creator gives `old`'s reviewer slot to `new`.
    pub async fn replace_reviewer(
        &mut self,
        setup: &BountySetup,
        old: &Pubkey,
        new: &Pubkey,
    ) -> Vec<DatabountyEvent> {
        let creator = setup.creator();
        self.try_replace_reviewer(setup, &creator, old, new)
            .await
            .expect("bounty_reviewer_replace")
    }

    /// The creator cancels the bounty.
    pub async fn cancel(&mut self, setup: &BountySetup) -> Vec<DatabountyEvent> {
        let creator = setup.creator();
        self.try_cancel(setup, &creator).await.expect("cancel")
    }

    /// Cranks `bounty_refund` to the creator's token account; returns its event.
    pub async fn refund_to_creator(&mut self, setup: &BountySetup) -> BountyRefunded {
        let events = self
            .try_refund(setup, &setup.parties.creator_ata)
            .await
            .expect("refund");
        let [DatabountyEvent::BountyRefunded(refunded)] = &events[..] else {
            panic!("one refund event: {events:?}");
        };
        refunded.clone()
    }
}
