use anchor_lang::prelude::*;

use crate::constants::{MAX_REVIEWERS, MAX_URI_LEN};
use crate::errors::BountyError;

/// Where a submission stands in review.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum SubmissionStatus {
    /// Awaiting votes; past its review deadline it counts as expired.
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
    /// The bounty's review deadline when this was submitted (the terms the contributor
    /// signed name it). Votes are taken until then and pending work expires then, even
    /// if the bounty is extended later: an extension never holds a bond longer than its
    /// contributor agreed to.
    pub review_deadline: i64,
    /// Bit `i` set: reviewer `i` of the bounty approved.
    pub approvals: u32,
    /// Bit `i` set: reviewer `i` of the bounty rejected.
    pub rejections: u32,
    pub status: SubmissionStatus,
    /// When quorum was reached or became unreachable; 0 while pending.
    pub decided_at: i64,
    pub bump: u8,
    /// Bond held for this submission (as received after any transfer fee); 0 once it
    /// was returned or forfeited.
    pub bond: u64,
    /// Per reviewer slot, the slot's generation when the work was submitted. A slot's
    /// vote counts only while the bounty's `reviewer_generations` entry still equals it,
    /// and a slot replaced since cannot vote: a replaced reviewer's votes on pending work
    /// stop counting, and reviewers the creator names later decide only later work (see
    /// `record_vote`).
    #[max_len(MAX_REVIEWERS)]
    pub vote_generations: Vec<u32>,
    /// Per reviewer slot, the reason code given with a rejection (0: none). The reason
    /// URI travels only in the `SubmissionAttested` event.
    #[max_len(MAX_REVIEWERS)]
    pub rejection_reasons: Vec<u16>,
}

impl Submission {
    /// Approvals recorded (stale ones included until the next vote clears them).
    pub fn approval_count(&self) -> u8 {
        self.approvals.count_ones() as u8
    }

    /// Rejections recorded (stale ones included until the next vote clears them).
    pub fn rejection_count(&self) -> u8 {
        self.rejections.count_ones() as u8
    }

    /// Bitmap of the slots whose recorded vote was cast by the slot's current reviewer,
    /// given the bounty's `reviewer_generations`.
    pub fn current_votes(&self, generations: &[u32]) -> u32 {
        generations
            .iter()
            .enumerate()
            .filter(|&(slot, generation)| self.vote_generations.get(slot) == Some(generation))
            .fold(0u32, |mask, (slot, _)| {
                mask | u32::try_from(slot).map_or(0, |s| 1u32.checked_shl(s).unwrap_or(0))
            })
            & (self.approvals | self.rejections)
    }

    /// Approvals that count: cast by the slots' current reviewers.
    pub fn counted_approvals(&self, generations: &[u32]) -> u32 {
        self.approvals & self.current_votes(generations)
    }

    /// Rejections that count: cast by the slots' current reviewers.
    pub fn counted_rejections(&self, generations: &[u32]) -> u32 {
        self.rejections & self.current_votes(generations)
    }

    /// Records reviewer `index`'s vote (with a rejection's `reason_code`) under the
    /// bounty's `generations` and says whether it decided the submission. Votes of
    /// replaced reviewers are cleared first: they no longer count. A slot replaced since
    /// the work was submitted cannot vote on it: otherwise a creator could name its own
    /// reviewers to reject pending work and take its bonds. Such work is decided by the
    /// remaining original reviewers or expires with its bond returned. The caller applies
    /// the decision, so that a failed reservation undoes the vote.
    pub fn record_vote(
        &mut self,
        index: usize,
        approve: bool,
        reason_code: u16,
        quorum: u8,
        generations: &[u32],
    ) -> Result<VoteOutcome> {
        require!(
            self.status == SubmissionStatus::Pending,
            BountyError::SubmissionNotPending
        );
        let bit = 1u32
            .checked_shl(u32::try_from(index).map_err(|_| BountyError::NotAReviewer)?)
            .ok_or(BountyError::NotAReviewer)?;
        let generation = *generations.get(index).ok_or(BountyError::NotAReviewer)?;
        require!(
            self.vote_generations.get(index) == Some(&generation),
            BountyError::ReviewerJoinedAfterSubmission
        );
        let current = self.current_votes(generations);
        self.approvals &= current;
        self.rejections &= current;
        require!(
            (self.approvals | self.rejections) & bit == 0,
            BountyError::AlreadyAttested
        );
        if approve {
            self.approvals |= bit;
        } else {
            self.rejections |= bit;
        }
        self.rejection_reasons.resize(generations.len(), 0);
        self.rejection_reasons[index] = reason_code;
        let max_reachable = generations
            .len()
            .saturating_sub(usize::from(self.rejection_count()));
        Ok(if self.approval_count() >= quorum {
            VoteOutcome::ReachedQuorum
        } else if max_reachable < usize::from(quorum) {
            VoteOutcome::QuorumUnreachable
        } else {
            VoteOutcome::StillPending
        })
    }

    /// Whether votes on it have closed: its own review deadline passed. (The bounty's
    /// may be later, after an extension; it is never earlier.)
    pub fn review_closed(&self, now: i64) -> bool {
        now >= self.review_deadline
    }

    /// Paid, rejected, or pending when it can no longer win (its review deadline passed,
    /// or every winner slot of its bounty taken): its account may close.
    pub fn is_final(&self, winner_slot_left: bool, now: i64) -> bool {
        match self.status {
            SubmissionStatus::Paid | SubmissionStatus::Rejected => true,
            SubmissionStatus::Pending => self.review_closed(now) || !winner_slot_left,
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
            review_deadline: 100,
            approvals: 0,
            rejections: 0,
            status: SubmissionStatus::Pending,
            decided_at: 0,
            bump: 255,
            bond: 0,
            vote_generations: vec![0; 5],
            rejection_reasons: vec![0; 5],
        }
    }

    fn vote(s: &mut Submission, index: usize, approve: bool, quorum: u8, n: usize) -> VoteOutcome {
        s.record_vote(index, approve, 0, quorum, &vec![0; n])
            .unwrap()
    }

    #[test]
    fn quorum_of_three_among_five() {
        let mut s = pending();
        assert_eq!(vote(&mut s, 0, true, 3, 5), VoteOutcome::StillPending);
        assert_eq!(vote(&mut s, 1, false, 3, 5), VoteOutcome::StillPending);
        assert_eq!(vote(&mut s, 2, false, 3, 5), VoteOutcome::StillPending);
        // Two rejections leave 5 − 2 = 3 possible approvals: quorum is still reachable.
        assert_eq!(vote(&mut s, 3, true, 3, 5), VoteOutcome::StillPending);
        assert_eq!(vote(&mut s, 4, true, 3, 5), VoteOutcome::ReachedQuorum);
    }

    #[test]
    fn rejects_once_quorum_is_out_of_reach() {
        let mut s = pending();
        for i in 0..2 {
            assert_eq!(vote(&mut s, i, false, 3, 5), VoteOutcome::StillPending);
        }
        assert_eq!(vote(&mut s, 2, false, 3, 5), VoteOutcome::QuorumUnreachable);
    }

    #[test]
    fn one_vote_per_reviewer_and_index_bounds() {
        let mut s = pending();
        let generations = vec![0; 32];
        s.vote_generations = generations.clone();
        s.record_vote(31, true, 0, 2, &generations).unwrap();
        assert!(s.record_vote(31, false, 0, 2, &generations).is_err());
        assert!(
            s.record_vote(32, true, 0, 2, &[0; 33]).is_err(),
            "no bit 32 in a u32"
        );
        assert_eq!(s.approvals, 1 << 31);
    }

    #[test]
    fn a_replaced_reviewers_vote_stops_counting() {
        let mut s = pending();
        let mut generations = vec![0; 3];
        s.record_vote(0, true, 0, 2, &generations).unwrap();
        generations[0] = 1;
        assert_eq!(s.counted_approvals(&generations), 0, "stale");
        assert_eq!(
            s.record_vote(1, true, 0, 2, &generations).unwrap(),
            VoteOutcome::StillPending,
            "the stale approval does not make a quorum"
        );
        assert_eq!(s.approvals, 0b10, "the stale bit was cleared");
        assert!(
            s.record_vote(0, false, 7, 2, &generations).is_err(),
            "slot 0 changed hands after the submission: its new reviewer does not vote on it"
        );
        // Work submitted after the replacement records slot 0's new generation.
        let mut later = pending();
        later.vote_generations = generations.clone();
        assert_eq!(
            later.record_vote(0, false, 7, 2, &generations).unwrap(),
            VoteOutcome::StillPending,
            "the new reviewer of slot 0 votes on later work"
        );
        assert_eq!(later.rejection_reasons[0], 7);
        assert_eq!(later.counted_rejections(&generations), 0b1);
    }

    #[test]
    fn finality() {
        let mut s = pending();
        assert!(!s.is_final(true, 99));
        assert!(s.is_final(true, 100), "expired at its own review deadline");
        assert!(s.is_final(false, 0), "no winner slot left");
        s.status = SubmissionStatus::Accepted;
        assert!(!s.is_final(false, 100), "owed a payout");
        s.status = SubmissionStatus::Paid;
        assert!(s.is_final(true, 0));
    }
}
