//! A realistic mix of program activity, as decoded transactions ready for the sink:
//! bounties created and funded, submissions, votes that reach and miss quorum, payouts,
//! cancels with refunds, and closes. A few bounties take thousands of submissions, most a
//! handful; contributors and reviewers recur across bounties. Every event carries the
//! counters the program would put in it, and its raw bytes are what the program emits,
//! so the rows are exactly what the decoder produces from a real chain.

#![allow(dead_code)]

use anchor_lang::prelude::Pubkey;
use databounty::events as ev;
use databounty::state::SubmissionStatus;
use databounty_indexer::decoder::{EventRow, Position};
use databounty_indexer::pipeline::TxRecord;
use databounty_sdk::events::DatabountyEvent;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const REWARD: u64 = 1_000_000;
const TXS_PER_SLOT: u64 = 4;

/// One bounty's progress through its life.
struct Life {
    bounty: Pubkey,
    creator: Pubkey,
    mint: Pubkey,
    reviewers: [Pubkey; 3],
    review_deadline: i64,
    /// Submissions still to be made.
    to_submit: u32,
    funded: u64,
    reserved: u64,
    released: u64,
    refunded: u64,
    submissions: u32,
    pending: u32,
    accepted: u32,
    paid: u32,
    open: u32,
    /// Work queued for later transactions of this bounty.
    queue: std::collections::VecDeque<Step>,
    cancelled: bool,
    closed: bool,
    decided: Vec<(Pubkey, Pubkey, SubmissionStatus)>,
}

#[derive(Clone, Copy)]
enum Step {
    Vote {
        submission: Pubkey,
        contributor: Pubkey,
        reviewer: usize,
        approve: bool,
        approvals: u8,
        rejections: u8,
    },
    Pay {
        submission: Pubkey,
        contributor: Pubkey,
    },
}

pub struct Generator {
    rng: StdRng,
    contributors: Vec<Pubkey>,
    reviewers: Vec<Pubkey>,
    mints: Vec<Pubkey>,
    slot_tx: u64,
    clock: i64,
}

fn row(signature: &str, position: Position, event: DatabountyEvent) -> EventRow {
    let mut raw = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    raw.extend(event_data(&event));
    EventRow {
        signature: signature.to_string(),
        position,
        block_time: None,
        raw,
        event: Ok(event),
    }
}

fn event_data(event: &DatabountyEvent) -> Vec<u8> {
    use anchor_lang::Event;
    use DatabountyEvent::*;
    match event {
        BountyCreated(e) => e.data(),
        BountyFunded(e) => e.data(),
        BountyCancelled(e) => e.data(),
        BountyRefunded(e) => e.data(),
        BountyClosed(e) => e.data(),
        SubmissionCreated(e) => e.data(),
        SubmissionAttested(e) => e.data(),
        SubmissionAccepted(e) => e.data(),
        SubmissionRejected(e) => e.data(),
        SubmissionPaid(e) => e.data(),
        SubmissionClosed(e) => e.data(),
        SubmissionBondPosted(e) => e.data(),
        SubmissionBondReturned(e) => e.data(),
        SubmissionBondForfeited(e) => e.data(),
        ReviewFeesReserved(e) => e.data(),
        ReviewFeeClaimed(e) => e.data(),
        BountyExtended(e) => e.data(),
        ReviewerReplaced(e) => e.data(),
    }
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let key = |rng: &mut StdRng| Pubkey::new_from_array(rng.gen());
        let contributors = (0..20_000).map(|_| key(&mut rng)).collect();
        let reviewers = (0..300).map(|_| key(&mut rng)).collect();
        let mints = (0..5).map(|_| key(&mut rng)).collect();
        Self {
            rng,
            contributors,
            reviewers,
            mints,
            slot_tx: 0,
            clock: 1_790_000_000,
        }
    }

    /// A contributor: a few are very active, most appear a few times.
    fn contributor(&mut self) -> Pubkey {
        let n = self.contributors.len();
        let pick = if self.rng.gen_bool(0.3) {
            self.rng.gen_range(0..n / 100)
        } else {
            self.rng.gen_range(0..n)
        };
        self.contributors[pick]
    }

    fn tx(&mut self, events: Vec<DatabountyEvent>) -> TxRecord {
        let slot = 1_000 + self.slot_tx / TXS_PER_SLOT;
        let tx_index = u32::try_from(self.slot_tx % TXS_PER_SLOT).unwrap_or(0);
        self.slot_tx += 1;
        self.clock += i64::from(self.rng.gen_range(0..2u8));
        let bytes: [u8; 64] = std::array::from_fn(|_| self.rng.gen());
        let signature = bs58::encode(bytes).into_string();
        let rows = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let position = Position {
                    slot,
                    tx_index,
                    instruction_index: 0,
                    inner_index: i16::try_from(i).unwrap_or(i16::MAX),
                };
                row(&signature, position, e)
            })
            .collect();
        TxRecord {
            signature,
            slot,
            tx_index,
            failed: false,
            block_time: Some(self.clock),
            rows,
            unreadable: None,
        }
    }

    fn new_life(&mut self) -> (Life, TxRecord) {
        let big = self.rng.gen_bool(0.01);
        let to_submit = if big {
            self.rng.gen_range(1_000..3_000)
        } else {
            self.rng.gen_range(1..8)
        };
        // Three different reviewers (a bounty's reviewer set has no repeats).
        let first = self.rng.gen_range(0..self.reviewers.len() - 2);
        let reviewers = [
            self.reviewers[first],
            self.reviewers[first + 1],
            self.reviewers[first + 2],
        ];
        let funding = REWARD * u64::from(to_submit) + REWARD;
        let life = Life {
            bounty: Pubkey::new_from_array(self.rng.gen()),
            creator: Pubkey::new_from_array(self.rng.gen()),
            mint: self.mints[self.rng.gen_range(0..self.mints.len())],
            reviewers,
            to_submit,
            funded: funding,
            reserved: 0,
            released: 0,
            refunded: 0,
            submissions: 0,
            pending: 0,
            accepted: 0,
            paid: 0,
            open: 0,
            queue: Default::default(),
            cancelled: false,
            closed: false,
            decided: Vec::new(),
            review_deadline: self.clock + 172_800,
        };
        let created = ev::BountyCreated {
            bounty: life.bounty,
            creator: life.creator,
            dataset_id: self.rng.gen(),
            nonce: 0,
            metadata_uri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
                .into(),
            mint: life.mint,
            token_program: anchor_spl_token_program(),
            vault: Pubkey::new_from_array(self.rng.gen()),
            reward_per_submission: REWARD,
            max_winners: to_submit,
            reviewers: reviewers.to_vec(),
            quorum: 2,
            submission_deadline: self.clock + 86_400,
            review_deadline: life.review_deadline,
            permanent_delegate_allowed: false,
            created_at: self.clock,
            review_fee: 0,
            submission_bond: 0,
        };
        let funded = ev::BountyFunded {
            bounty: life.bounty,
            funder: life.creator,
            mint: life.mint,
            requested: funding,
            received: funding,
            funded: funding,
            vault_balance: funding,
            funded_at: self.clock,
        };
        let tx = self.tx(vec![
            DatabountyEvent::BountyCreated(created),
            DatabountyEvent::BountyFunded(funded),
        ]);
        (life, tx)
    }

    /// The next transaction of `life`, or `None` when its story is over.
    fn step(&mut self, life: &mut Life) -> Option<TxRecord> {
        if let Some(step) = life.queue.pop_front() {
            return Some(self.do_step(life, step));
        }
        if life.to_submit > 0 {
            life.to_submit -= 1;
            let contributor = self.contributor();
            let submission = Pubkey::new_from_array(self.rng.gen());
            life.submissions += 1;
            life.pending += 1;
            life.open += 1;
            let event = ev::SubmissionCreated {
                bounty: life.bounty,
                submission,
                contributor,
                hash: self.rng.gen(),
                uri: Some(
                    "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku".into(),
                ),
                submissions: life.submissions,
                pending: life.pending,
                open_submission_accounts: life.open,
                created_at: self.clock,
                review_deadline: life.review_deadline,
            };
            // Half are accepted, a third rejected, the rest stay pending with one vote.
            let fate = self.rng.gen_range(0..6);
            let (first, second) = match fate {
                0..=2 => (true, Some(true)),
                3 | 4 => (false, Some(false)),
                _ => (true, None),
            };
            life.queue.push_back(Step::Vote {
                submission,
                contributor,
                reviewer: 0,
                approve: first,
                approvals: u8::from(first),
                rejections: u8::from(!first),
            });
            if let Some(second) = second {
                life.queue.push_back(Step::Vote {
                    submission,
                    contributor,
                    reviewer: 1,
                    approve: second,
                    approvals: u8::from(first) + u8::from(second),
                    rejections: u8::from(!first) + u8::from(!second),
                });
                if second {
                    life.queue.push_back(Step::Pay {
                        submission,
                        contributor,
                    });
                }
            }
            return Some(self.tx(vec![DatabountyEvent::SubmissionCreated(event)]));
        }
        if !life.cancelled && self.rng.gen_bool(0.4) {
            life.cancelled = true;
            let cancelled = ev::BountyCancelled {
                bounty: life.bounty,
                creator: life.creator,
                pending: life.pending,
                cancelled_at: self.clock,
            };
            let amount = life
                .funded
                .saturating_sub(life.released + life.refunded + life.reserved)
                .saturating_sub(REWARD * u64::from(life.pending));
            life.refunded += amount;
            let refunded = ev::BountyRefunded {
                bounty: life.bounty,
                creator: life.creator,
                creator_token_account: life.creator,
                amount,
                received: amount,
                untracked_swept: 0,
                funded: life.funded,
                refunded: life.refunded,
                reserved: life.reserved,
                vault_balance: life.funded - life.released - life.refunded,
                refunded_at: self.clock,
            };
            return Some(self.tx(vec![
                DatabountyEvent::BountyCancelled(cancelled),
                DatabountyEvent::BountyRefunded(refunded),
            ]));
        }
        if life.cancelled && !life.closed && life.pending == 0 && life.reserved == 0 {
            if let Some((submission, contributor, status)) = life.decided.pop() {
                life.open -= 1;
                let closed = ev::SubmissionClosed {
                    bounty: life.bounty,
                    submission,
                    contributor,
                    final_status: status,
                    rent_returned: 1_500_000,
                    pending: life.pending,
                    open_submission_accounts: life.open,
                    closed_at: self.clock,
                };
                return Some(self.tx(vec![DatabountyEvent::SubmissionClosed(closed)]));
            }
            if life.open == 0 && life.funded == life.released + life.refunded {
                life.closed = true;
                let closed = ev::BountyClosed {
                    bounty: life.bounty,
                    creator: life.creator,
                    funded: life.funded,
                    released: life.released,
                    refunded: life.refunded,
                    submissions: life.submissions,
                    paid: life.paid,
                    closed_at: self.clock,
                };
                return Some(self.tx(vec![DatabountyEvent::BountyClosed(closed)]));
            }
        }
        None
    }

    fn do_step(&mut self, life: &mut Life, step: Step) -> TxRecord {
        match step {
            Step::Vote {
                submission,
                contributor,
                reviewer,
                approve,
                approvals,
                rejections,
            } => {
                let decided = approvals >= 2 || rejections >= 2;
                let status = match (approvals >= 2, rejections >= 2) {
                    (true, _) => SubmissionStatus::Accepted,
                    (_, true) => SubmissionStatus::Rejected,
                    _ => SubmissionStatus::Pending,
                };
                let mut events = vec![DatabountyEvent::SubmissionAttested(
                    ev::SubmissionAttested {
                        bounty: life.bounty,
                        submission,
                        reviewer: life.reviewers[reviewer],
                        reviewer_index: u8::try_from(reviewer).unwrap_or(0),
                        approve,
                        approvals,
                        rejections,
                        status,
                        attested_at: self.clock,
                        reviewer_generation: 0,
                        reason_code: 0,
                        reason_uri: None,
                    },
                )];
                if decided {
                    life.pending -= 1;
                    if status == SubmissionStatus::Accepted {
                        life.accepted += 1;
                        life.reserved += REWARD;
                        events.push(DatabountyEvent::SubmissionAccepted(
                            ev::SubmissionAccepted {
                                bounty: life.bounty,
                                submission,
                                contributor,
                                reward: REWARD,
                                approvals,
                                rejections,
                                accepted: life.accepted,
                                pending: life.pending,
                                reserved: life.reserved,
                                decided_at: self.clock,
                            },
                        ));
                    } else {
                        life.decided.push((submission, contributor, status));
                        events.push(DatabountyEvent::SubmissionRejected(
                            ev::SubmissionRejected {
                                bounty: life.bounty,
                                submission,
                                contributor,
                                approvals,
                                rejections,
                                pending: life.pending,
                                decided_at: self.clock,
                            },
                        ));
                    }
                }
                self.tx(events)
            }
            Step::Pay {
                submission,
                contributor,
            } => {
                life.reserved -= REWARD;
                life.released += REWARD;
                life.paid += 1;
                life.decided
                    .push((submission, contributor, SubmissionStatus::Paid));
                self.tx(vec![DatabountyEvent::SubmissionPaid(ev::SubmissionPaid {
                    bounty: life.bounty,
                    submission,
                    contributor,
                    contributor_token_account: contributor,
                    amount: REWARD,
                    received: REWARD,
                    released: life.released,
                    reserved: life.reserved,
                    paid: life.paid,
                    paid_at: self.clock,
                })])
            }
        }
    }

    /// Transactions in chain order holding `events` events (or one transaction more).
    /// Up to 64 bounties are in progress at once, so their transactions interleave as on
    /// a real chain; those still in progress at the end stay open, as on a live chain.
    pub fn transactions(&mut self, events: usize) -> Vec<TxRecord> {
        let mut out = Vec::new();
        let mut produced = 0;
        let mut active: Vec<Life> = Vec::new();
        while produced < events {
            if active.len() < 64 || self.rng.gen_bool(0.02) {
                let (life, tx) = self.new_life();
                produced += tx.rows.len();
                out.push(tx);
                active.push(life);
                continue;
            }
            let i = self.rng.gen_range(0..active.len());
            match self.step(&mut active[i]) {
                Some(tx) => {
                    produced += tx.rows.len();
                    out.push(tx);
                }
                None => {
                    active.swap_remove(i);
                }
            }
        }
        out
    }
}

fn anchor_spl_token_program() -> Pubkey {
    // The SPL Token program id; the bench needs no dependency for one constant.
    "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        .parse()
        .unwrap_or_default()
}
