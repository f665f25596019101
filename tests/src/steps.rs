//! Steps many tests take on the way to what they try to break: each one must succeed.

use databounty::events::BountyRefunded;
use databounty_sdk::events::DatabountyEvent;
use solana_sdk::pubkey::Pubkey;

use crate::{BountySetup, Contributor, MintKind, Submitted, TestEnv};

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
        let mut env = TestEnv::new().await;
        let setup = env.bounty(kind).await;
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
