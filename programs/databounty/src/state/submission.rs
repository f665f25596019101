use anchor_lang::prelude::*;

use crate::constants::MAX_URI_LEN;
use crate::errors::BountyError;

/// Where a submission stands in review.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum SubmissionStatus {
    /// Awaiting votes; past the review deadline it counts as expired.
    Pending,
    /// Reached quorum; its reward is reserved in the vault.
    Accepted,
    /// Quorum became unreachable.
    Rejected,
    /// Its reward was paid to the contributor.
    Paid,
}

/// What a vote did to the submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteOutcome {
    StillPending,
    ReachedQuorum,
    QuorumUnreachable,
}

/// A contributor's claim on a bounty. PDA `["submission", bounty, contributor, hash]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Submission {
    pub bounty: Pubkey,
    /// Receives the reward and the rent.
    pub contributor: Pubkey,
    /// SHA-256 binding bounty, contributor and content (see the SDK's `submission_hash`).
    pub hash: [u8; 32],
    /// Where reviewers fetch the data, if the contributor publishes it.
    #[max_len(MAX_URI_LEN)]
    pub uri: Option<String>,
    pub created_at: i64,
    /// Bit `i` set: reviewer `i` of the bounty approved.
    pub approvals: u32,
    /// Bit `i` set: reviewer `i` of the bounty rejected.
    pub rejections: u32,
    pub status: SubmissionStatus,
    /// When quorum was reached or became unreachable; 0 while pending.
    pub decided_at: i64,
    pub bump: u8,
}

impl Submission {
    pub fn approval_count(&self) -> u8 {
        self.approvals.count_ones() as u8
    }

    pub fn rejection_count(&self) -> u8 {
        self.rejections.count_ones() as u8
    }

    /// Records reviewer `index`'s vote and says whether it decided the submission.
    /// The caller applies the decision, so that a failed reservation undoes the vote.
    pub fn record_vote(
        &mut self,
        index: usize,
        approve: bool,
        quorum: u8,
        reviewer_count: usize,
    ) -> Result<VoteOutcome> {
        require!(
            self.status == SubmissionStatus::Pending,
            BountyError::SubmissionNotPending
        );
        let bit = 1u32
            .checked_shl(u32::try_from(index).map_err(|_| BountyError::NotAReviewer)?)
            .ok_or(BountyError::NotAReviewer)?;
        require!(
            (self.approvals | self.rejections) & bit == 0,
            BountyError::AlreadyAttested
        );
        if approve {
            self.approvals |= bit;
        } else {
            self.rejections |= bit;
        }
        let max_reachable = reviewer_count.saturating_sub(usize::from(self.rejection_count()));
        Ok(if self.approval_count() >= quorum {
            VoteOutcome::ReachedQuorum
        } else if max_reachable < usize::from(quorum) {
            VoteOutcome::QuorumUnreachable
        } else {
            VoteOutcome::StillPending
        })
    }

    /// Paid, rejected, or pending when it can no longer win (review deadline passed, or
    /// every winner slot taken): its account may close.
    pub fn is_final(&self, pending_can_win: bool) -> bool {
        match self.status {
            SubmissionStatus::Paid | SubmissionStatus::Rejected => true,
            SubmissionStatus::Pending => !pending_can_win,
            SubmissionStatus::Accepted => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Submission {
        Submission {
            bounty: Pubkey::new_unique(),
            contributor: Pubkey::new_unique(),
            hash: [0; 32],
            uri: None,
            created_at: 0,
            approvals: 0,
            rejections: 0,
            status: SubmissionStatus::Pending,
            decided_at: 0,
            bump: 255,
        }
    }

    #[test]
    fn quorum_of_three_among_five() {
        let mut s = pending();
        assert_eq!(
            s.record_vote(0, true, 3, 5).unwrap(),
            VoteOutcome::StillPending
        );
        assert_eq!(
            s.record_vote(1, false, 3, 5).unwrap(),
            VoteOutcome::StillPending
        );
        assert_eq!(
            s.record_vote(2, false, 3, 5).unwrap(),
            VoteOutcome::StillPending
        );
        // Two rejections leave 5 − 2 = 3 possible approvals: quorum is still reachable.
        assert_eq!(
            s.record_vote(3, true, 3, 5).unwrap(),
            VoteOutcome::StillPending
        );
        assert_eq!(
            s.record_vote(4, true, 3, 5).unwrap(),
            VoteOutcome::ReachedQuorum
        );
    }

    #[test]
    fn rejects_once_quorum_is_out_of_reach() {
        let mut s = pending();
        for i in 0..2 {
            assert_eq!(
                s.record_vote(i, false, 3, 5).unwrap(),
                VoteOutcome::StillPending
            );
        }
        assert_eq!(
            s.record_vote(2, false, 3, 5).unwrap(),
            VoteOutcome::QuorumUnreachable
        );
    }

    #[test]
    fn one_vote_per_reviewer_and_index_bounds() {
        let mut s = pending();
        s.record_vote(31, true, 2, 32).unwrap();
        assert!(s.record_vote(31, false, 2, 32).is_err());
        assert!(
            s.record_vote(32, true, 2, 32).is_err(),
            "no bit 32 in a u32"
        );
        assert_eq!(s.approvals, 1 << 31);
    }

    #[test]
    fn finality() {
        let mut s = pending();
        assert!(!s.is_final(true));
        assert!(s.is_final(false), "expired, or no winner slot left");
        s.status = SubmissionStatus::Accepted;
        assert!(!s.is_final(false), "owed a payout");
        s.status = SubmissionStatus::Paid;
        assert!(s.is_final(false));
    }
}
