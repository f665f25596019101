//! Stateful property test: random sequences of every instruction, valid and invalid
//! mixed, across three bounties, several contributors and reviewers, on SPL Token,
//! Token-2022 and a transfer-fee mint, with and without review fees and submission
//! bonds. After every step the invariants of SPEC §1 and the conservation of tokens
//! (rewards, refunds, fees and bonds included) must hold.
//!
//! The generator keeps a model of live accounts (each submission's status, who voted)
//! and picks most targets from it, so that steps mostly succeed and runs reach the
//! states where bugs live: dozens of submissions, bounties filling every winner slot,
//! payouts interleaved with refunds, cancels with pending work, closes, fee claims,
//! extensions and reviewer replacements. A minority of steps stay deliberately invalid
//! (random targets, outsiders, wrong hashes, shortened deadlines).
//!
//! `PROPTEST_CASES` (default 6) and `PROPTEST_STEPS` (default 60) scale it up;
//! `PROPTEST_SEED` shifts the seeds. A failure names its seed.

use std::collections::{HashMap, HashSet};

use anchor_spl::token_2022::spl_token_2022;
use databounty_sdk::events::DatabountyEvent;
use databounty_sdk::instructions as ix;
use databounty_tests::*;
use solana_program_test::BanksClientError;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;
use spl_token_2022::extension::transfer_fee::{TransferFeeAmount, TransferFeeConfig};
use spl_token_2022::extension::{BaseStateWithExtensions, StateWithExtensions};

/// SplitMix64: small, seedable, good enough to pick actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Contributors per case.
const CONTRIBUTORS: usize = 6;
/// Bounties per case (same creator and mint).
const BOUNTIES: usize = 3;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the model knows of a submission, from the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Model {
    Pending,
    Accepted,
    Rejected,
    Paid,
    Closed,
}

/// Figures printed per case, to show what the run reached.
#[derive(Default, Debug)]
struct Reached {
    full_bounties: usize,
    refunds: usize,
    refunds_after_payouts: usize,
    cancels_with_pending: usize,
    submission_closes: usize,
    bounty_closes: usize,
    top_ups_after_cancel: usize,
    fees_reserved: u64,
    fee_claims: usize,
    bonds_posted: usize,
    bonds_returned: usize,
    bonds_forfeited: usize,
    rejections_with_reasons: usize,
    extensions: usize,
    replacements: usize,
}

struct World {
    env: TestEnv,
    rng: Rng,
    bounties: Vec<BountySetup>,
    closed_bounties: HashSet<Pubkey>,
    contributors: Vec<Contributor>,
    /// (bounty index, submission, contributor index)
    submissions: Vec<(usize, Submitted, usize)>,
    outsider: Keypair,
    minted: u64,
    paid: HashSet<Pubkey>,
    votes: HashSet<(Pubkey, Pubkey)>,
    /// What each contributor's token account must hold: bonds minted, less bonds
    /// posted, plus rewards and bonds received.
    expected: HashMap<Pubkey, u64>,
    /// Every key that was ever a reviewer (their fee accounts hold tokens too).
    reviewer_keys: HashSet<Pubkey>,
    /// Keys named by a replacement in flight, until its event installs them.
    new_reviewers: HashMap<Pubkey, Keypair>,
    steps_ok: usize,
    model: HashMap<Pubkey, Model>,
    reached: Reached,
    cancelled: HashSet<Pubkey>,
    full: HashSet<Pubkey>,
    next_content: u32,
    /// How often each action was refused, by error code: shows what the run exercised.
    refusals: HashMap<(&'static str, u32), usize>,
}

impl World {
    async fn new(kind: MintKind, seed: u64) -> Self {
        let mut env = TestEnv::new().await;
        let mut rng = Rng(seed);
        let reward = [1, 1_000, 1_000_000][rng.below(3)];
        let review_fee = if rng.chance(60) {
            (reward / 50).max(1)
        } else {
            0
        };
        let submission_bond = if rng.chance(60) {
            (reward / 4).max(1)
        } else {
            0
        };
        let params = BountyParams {
            reviewers: 3,
            quorum: 2,
            reward,
            max_winners: 2 + rng.below(3) as u32,
            initial_funding: reward * (1 + rng.below(5) as u64),
            allow_permanent_delegate: false,
            review_fee,
            submission_bond,
        };
        let first = env.bounty_with(kind, params.clone()).await;
        // More bounties of the same creator and mint, so cross-bounty mixes happen.
        let mut bounties = vec![first];
        for nonce in 1..BOUNTIES as u64 {
            let first = &bounties[0];
            let now = env.now().await;
            let args = first.parties.args(now, &params, nonce);
            let bounty = first.parties.bounty_address(&args);
            env.try_create(&first.parties, args.clone())
                .await
                .expect("another bounty");
            let parties = Parties {
                kind,
                mint: first.parties.mint,
                token_program: first.parties.token_program,
                creator: first.parties.creator.insecure_clone(),
                creator_ata: first.parties.creator_ata,
                reviewers: first
                    .parties
                    .reviewers
                    .iter()
                    .map(|r| r.insecure_clone())
                    .collect(),
            };
            bounties.push(BountySetup {
                parties,
                args,
                bounty,
                created: vec![],
            });
        }
        let mut contributors = Vec::new();
        let mut expected = HashMap::new();
        for _ in 0..CONTRIBUTORS {
            let contributor = env.contributor(&bounties[0]).await;
            expected.insert(contributor.ata, submission_bond * CONTRIBUTOR_BONDS);
            contributors.push(contributor);
        }
        let reviewer_keys = bounties[0]
            .parties
            .reviewers
            .iter()
            .map(|r| r.pubkey())
            .collect();
        let outsider = env.funded_keypair(1).await;
        Self {
            env,
            rng,
            bounties,
            closed_bounties: HashSet::new(),
            contributors,
            submissions: Vec::new(),
            outsider,
            minted: CREATOR_TOKENS + CONTRIBUTORS as u64 * submission_bond * CONTRIBUTOR_BONDS,
            paid: HashSet::new(),
            votes: HashSet::new(),
            expected,
            reviewer_keys,
            new_reviewers: HashMap::new(),
            steps_ok: 0,
            model: HashMap::new(),
            reached: Reached::default(),
            cancelled: HashSet::new(),
            full: HashSet::new(),
            next_content: 0,
            refusals: HashMap::new(),
        }
    }

    fn pick_bounty(&mut self) -> usize {
        self.rng.below(self.bounties.len())
    }

    /// Runs one random action; returns its name and result.
    async fn step(&mut self) -> (&'static str, Result<Vec<DatabountyEvent>, BanksClientError>) {
        let b = self.pick_bounty();
        let setup = &self.bounties[b];
        let p = &setup.parties;
        let reward = setup.args.reward_per_submission;
        // Weighted actions: mostly work and votes, rarely a cancel (which ends submissions).
        let roll = self.rng.below(100);
        let action = [
            (8, 0),
            (22, 1),
            (33, 3),
            (10, 5),
            (2, 6),
            (6, 7),
            (7, 8),
            (5, 10),
            (2, 11),
            (2, 12),
            (3, 9),
        ]
        .iter()
        .scan(0, |acc, &(weight, action)| {
            *acc += weight;
            Some((*acc, action))
        })
        .find(|&(limit, _)| roll < limit)
        .map_or(9, |(_, action)| action);
        match action {
            0 => {
                let amount = if self.rng.chance(10) {
                    0
                } else {
                    (1 + self.rng.below(3) as u64) * reward
                };
                let creator = p.creator.insecure_clone();
                let (bounty, mint, program, ata) =
                    (setup.bounty, p.mint, p.token_program, p.creator_ata);
                let fund =
                    ix::bounty_fund(&creator.pubkey(), &bounty, &mint, &program, &ata, amount);
                (
                    "fund",
                    self.env.send_with_events(&[fund], &[&creator]).await,
                )
            }
            1 | 2 => {
                // Mostly a bounty that still takes submissions.
                let open: Vec<usize> = (0..self.bounties.len())
                    .filter(|&i| {
                        let key = self.bounties[i].bounty;
                        !self.cancelled.contains(&key)
                            && !self.full.contains(&key)
                            && !self.closed_bounties.contains(&key)
                    })
                    .collect();
                let b = if !open.is_empty() && self.rng.chance(90) {
                    open[self.rng.below(open.len())]
                } else {
                    b
                };
                let p = &self.bounties[b].parties;
                // Contributors, or a reviewer trying; content from a small set, so duplicates occur.
                let who = if self.rng.chance(5) {
                    p.reviewers[self.rng.below(3)].insecure_clone()
                } else {
                    self.contributors[self.rng.below(CONTRIBUTORS)]
                        .key
                        .insecure_clone()
                };
                // Mostly new content; sometimes a repeat, so duplicates occur.
                let content = if self.rng.chance(90) {
                    self.next_content += 1;
                    self.next_content.to_le_bytes()
                } else {
                    (self.rng.below(4) as u32).to_le_bytes()
                };
                let result = self.env.try_submit(&self.bounties[b], &who, &content).await;
                if let Ok(submitted) = &result {
                    let index = self
                        .contributors
                        .iter()
                        .position(|c| c.key.pubkey() == who.pubkey());
                    let index = index.expect("only contributors succeed");
                    let events = submitted.events.clone();
                    self.submissions.push((
                        b,
                        Submitted {
                            address: submitted.address,
                            contributor: submitted.contributor,
                            hash: submitted.hash,
                            events: vec![],
                        },
                        index,
                    ));
                    return ("submit", Ok(events));
                }
                ("submit", result.map(|s| s.events))
            }
            3 | 4 => {
                // Mostly complete a quorum already begun, so that bounties fill up.
                let begun: Vec<usize> = (0..self.submissions.len())
                    .filter(|&i| {
                        let address = self.submissions[i].1.address;
                        self.model.get(&address) == Some(&Model::Pending)
                            && self.votes.iter().any(|(s, _)| *s == address)
                    })
                    .collect();
                let s = if !begun.is_empty() && self.rng.chance(60) {
                    Some(begun[self.rng.below(begun.len())])
                } else {
                    self.pick(|m| m == Model::Pending)
                };
                let Some(s) = s else {
                    return self.wait().await;
                };
                let (sb, submitted, _) = &self.submissions[s];
                let (sb, address) = (*sb, submitted.address);
                // A listed reviewer who has not voted yet, mostly.
                let fresh: Vec<usize> = (0..3)
                    .filter(|&r| {
                        let key = self.bounties[sb].parties.reviewers[r].pubkey();
                        !self.votes.contains(&(address, key))
                    })
                    .collect();
                let voter = if self.rng.chance(4) {
                    self.outsider.insecure_clone()
                } else if !fresh.is_empty() && self.rng.chance(95) {
                    let r = fresh[self.rng.below(fresh.len())];
                    self.bounties[sb].parties.reviewers[r].insecure_clone()
                } else {
                    self.bounties[sb].parties.reviewers[self.rng.below(3)].insecure_clone()
                };
                let (sb, submitted, _) = &self.submissions[s];
                let mut hash = submitted.hash;
                if self.rng.chance(4) {
                    hash[0] ^= 1;
                }
                let approve = self.rng.chance(75);
                // Sometimes with another bounty.
                let bounty = if self.rng.chance(4) {
                    self.bounties[(sb + 1) % BOUNTIES].bounty
                } else {
                    self.bounties[*sb].bounty
                };
                // Half the rejections give a reason; a few approvals try to, and fail.
                let (code, uri) = if (!approve && self.rng.chance(50)) || self.rng.chance(2) {
                    let uri = self.rng.chance(50).then(|| "ipfs://why".to_string());
                    (1 + self.rng.below(9) as u16, uri)
                } else {
                    (0, None)
                };
                let vote = ix::submission_attest_with_reason(
                    &voter.pubkey(),
                    &bounty,
                    &submitted.address,
                    hash,
                    approve,
                    code,
                    uri,
                );
                (
                    "attest",
                    self.env.send_with_events(&[vote], &[&voter]).await,
                )
            }
            5 => {
                let Some(s) = self.pick(|m| m == Model::Accepted) else {
                    return self.wait().await;
                };
                let (sb, submitted, c) = &self.submissions[s];
                let payout = if self.rng.chance(92) {
                    self.contributors[*c].ata
                } else {
                    self.contributors[self.rng.below(CONTRIBUTORS)].ata
                };
                let setup = &self.bounties[*sb];
                let p = &setup.parties;
                let release = ix::submission_release(
                    &self.env.payer().pubkey(),
                    &setup.bounty,
                    &submitted.address,
                    &submitted.contributor,
                    &p.mint,
                    &p.token_program,
                    Some(payout),
                );
                // A crank has no contributor's key: another account stays unsigned.
                let release = crank_only(release);
                ("release", self.env.send_with_events(&[release], &[]).await)
            }
            6 => {
                let signer = if self.rng.chance(80) {
                    p.creator.insecure_clone()
                } else {
                    self.outsider.insecure_clone()
                };
                let cancel = ix::bounty_cancel(&signer.pubkey(), &setup.bounty);
                (
                    "cancel",
                    self.env.send_with_events(&[cancel], &[&signer]).await,
                )
            }
            7 => {
                // Mostly a bounty whose refund point has come.
                let now = self.env.now().await;
                let due: Vec<usize> = (0..BOUNTIES)
                    .filter(|&i| {
                        let setup = &self.bounties[i];
                        !self.closed_bounties.contains(&setup.bounty)
                            && (self.cancelled.contains(&setup.bounty)
                                || now >= setup.args.submission_deadline)
                    })
                    .collect();
                let setup = if !due.is_empty() && self.rng.chance(80) {
                    &self.bounties[due[self.rng.below(due.len())]]
                } else {
                    setup
                };
                let p = &setup.parties;
                let refund = ix::bounty_refund(
                    &self.env.payer().pubkey(),
                    &setup.bounty,
                    &p.creator.pubkey(),
                    &p.mint,
                    &p.token_program,
                    Some(p.creator_ata),
                );
                ("refund", self.env.send_with_events(&[refund], &[]).await)
            }
            8 => {
                if self.rng.chance(75) {
                    let Some(s) =
                        self.pick(|m| matches!(m, Model::Paid | Model::Rejected | Model::Pending))
                    else {
                        return ("close submission", Ok(vec![]));
                    };
                    let (sb, submitted, c) = &self.submissions[s];
                    let to = if self.rng.chance(92) {
                        self.contributors[*c].key.pubkey()
                    } else {
                        self.outsider.pubkey()
                    };
                    let setup = &self.bounties[*sb];
                    let close = if setup.args.submission_bond > 0 && self.rng.chance(95) {
                        crank_only(ix::submission_close_returning_bond(
                            &self.env.payer().pubkey(),
                            &setup.bounty,
                            &submitted.address,
                            &to,
                            &setup.parties.mint,
                            &setup.parties.token_program,
                            None,
                        ))
                    } else {
                        ix::submission_close(&setup.bounty, &submitted.address, &to)
                    };
                    (
                        "close submission",
                        self.env.send_with_events(&[close], &[]).await,
                    )
                } else {
                    let creator = p.creator.insecure_clone();
                    let close = ix::bounty_close(
                        &creator.pubkey(),
                        &setup.bounty,
                        &p.mint,
                        &p.token_program,
                    );
                    (
                        "close bounty",
                        self.env.send_with_events(&[close], &[&creator]).await,
                    )
                }
            }
            10 => {
                // Mostly a reviewer who is owed fees.
                let owed = self
                    .env
                    .anchor_account::<databounty::state::Bounty>(&setup.bounty)
                    .await
                    .map(|bounty| bounty.fees_owed)
                    .unwrap_or_default();
                let owed: Vec<usize> = (0..owed.len()).filter(|&i| owed[i] > 0).collect();
                let reviewer = if !owed.is_empty() && self.rng.chance(90) {
                    p.reviewers[owed[self.rng.below(owed.len())]].pubkey()
                } else if self.rng.chance(80) {
                    p.reviewers[self.rng.below(3)].pubkey()
                } else {
                    self.outsider.pubkey()
                };
                let claim = ix::review_fee_claim(
                    &self.env.payer().pubkey(),
                    &setup.bounty,
                    &reviewer,
                    &p.mint,
                    &p.token_program,
                    None,
                );
                ("claim fees", self.env.send_with_events(&[claim], &[]).await)
            }
            11 => {
                let signer = if self.rng.chance(90) {
                    p.creator.insecure_clone()
                } else {
                    self.outsider.insecure_clone()
                };
                let (s, r, w) = (
                    setup.args.submission_deadline,
                    setup.args.review_deadline,
                    setup.args.max_winners,
                );
                // Mostly later; sometimes an attempt to shorten.
                let (s, r, w) = if self.rng.chance(85) {
                    let later = self.rng.below(900) as i64;
                    (
                        s + later,
                        r + later + self.rng.below(900) as i64,
                        w + self.rng.below(3) as u32,
                    )
                } else {
                    (s - 1, r, w)
                };
                let extend = ix::bounty_extend(
                    &signer.pubkey(),
                    &setup.bounty,
                    databounty::instructions::BountyExtendArgs {
                        submission_deadline: s,
                        review_deadline: r,
                        max_winners: w,
                    },
                );
                (
                    "extend",
                    self.env.send_with_events(&[extend], &[&signer]).await,
                )
            }
            12 => {
                // The creator replaces a reviewer, claiming their fees first in the same
                // transaction; sometimes with a listed key, which is refused.
                let slot = self.rng.below(3);
                let old = p.reviewers[slot].pubkey();
                let new = if self.rng.chance(90) {
                    Keypair::new()
                } else {
                    p.reviewers[(slot + 1) % 3].insecure_clone()
                };
                let owed = self
                    .env
                    .anchor_account::<databounty::state::Bounty>(&setup.bounty)
                    .await
                    .is_some_and(|bounty| bounty.fees_owed.get(slot).is_some_and(|f| *f > 0));
                let mut ixs = Vec::new();
                if owed {
                    ixs.push(ix::review_fee_claim(
                        &self.env.payer().pubkey(),
                        &setup.bounty,
                        &old,
                        &p.mint,
                        &p.token_program,
                        None,
                    ));
                }
                let creator = p.creator.insecure_clone();
                ixs.push(ix::bounty_reviewer_replace(
                    &creator.pubkey(),
                    &setup.bounty,
                    &old,
                    &new.pubkey(),
                ));
                let result = self.env.send_with_events(&ixs, &[&creator]).await;
                self.new_reviewers.insert(new.pubkey(), new);
                ("replace reviewer", result)
            }
            _ => self.wait().await,
        }
    }

    /// Lets time pass: mostly short waits, so that work gets done before the deadlines.
    async fn wait(&mut self) -> (&'static str, Result<Vec<DatabountyEvent>, BanksClientError>) {
        let now = self.env.now().await;
        let jump = self.rng.below(REVIEW_WINDOW as usize / 6) as i64;
        self.env.set_time(now + jump).await;
        ("wait", Ok(vec![]))
    }

    /// Mostly a submission whose modelled status fits the action (the newest such most
    /// often, so votes gather to a quorum); sometimes any submission, to keep invalid
    /// targets in the mix.
    fn pick(&mut self, fits: impl Fn(Model) -> bool) -> Option<usize> {
        let targeted = self.rng.chance(90);
        if targeted {
            let live: Vec<usize> = (0..self.submissions.len())
                .filter(|&i| {
                    let address = self.submissions[i].1.address;
                    fits(self.model.get(&address).copied().unwrap_or(Model::Closed))
                })
                .collect();
            if !live.is_empty() {
                return Some(if self.rng.chance(50) {
                    live[live.len() - 1]
                } else {
                    live[self.rng.below(live.len())]
                });
            }
            // Nothing fits: mostly let time pass instead of a step bound to fail.
            if self.rng.chance(80) {
                return None;
            }
        }
        self.random_submission()
    }

    /// Any submission, but the newest most often, so that votes gather to a quorum.
    fn random_submission(&mut self) -> Option<usize> {
        let count = self.submissions.len();
        if count == 0 {
            return None;
        }
        Some(if self.rng.chance(60) {
            count - 1
        } else {
            self.rng.below(count)
        })
    }

    /// Events may only say what the rules allow.
    fn record(&mut self, events: &[DatabountyEvent]) {
        for event in events {
            match event {
                DatabountyEvent::SubmissionCreated(e) => {
                    self.model.insert(e.submission, Model::Pending);
                }
                DatabountyEvent::SubmissionAccepted(e) => {
                    self.model.insert(e.submission, Model::Accepted);
                    let setup = self.bounties.iter().find(|s| s.bounty == e.bounty);
                    if setup.is_some_and(|s| e.accepted == s.args.max_winners) {
                        self.reached.full_bounties += 1;
                        self.full.insert(e.bounty);
                    }
                }
                DatabountyEvent::SubmissionRejected(e) => {
                    self.model.insert(e.submission, Model::Rejected);
                }
                DatabountyEvent::SubmissionClosed(e) => {
                    self.model.insert(e.submission, Model::Closed);
                    self.reached.submission_closes += 1;
                }
                DatabountyEvent::BountyCancelled(e) => {
                    self.cancelled.insert(e.bounty);
                    if e.pending > 0 {
                        self.reached.cancels_with_pending += 1;
                    }
                }
                DatabountyEvent::BountyFunded(e) if self.cancelled.contains(&e.bounty) => {
                    self.reached.top_ups_after_cancel += 1;
                }
                DatabountyEvent::BountyRefunded(_) => {
                    self.reached.refunds += 1;
                    if !self.paid.is_empty() {
                        self.reached.refunds_after_payouts += 1;
                    }
                }
                DatabountyEvent::SubmissionPaid(e) => {
                    self.model.insert(e.submission, Model::Paid);
                    assert!(self.paid.insert(e.submission), "paid twice: {e:?}");
                    *self
                        .expected
                        .entry(e.contributor_token_account)
                        .or_default() += e.received;
                }
                DatabountyEvent::SubmissionBondPosted(e) => {
                    self.reached.bonds_posted += 1;
                    let contributor = self
                        .contributors
                        .iter()
                        .find(|c| c.key.pubkey() == e.contributor)
                        .expect("a contributor posted it");
                    let balance = self.expected.entry(contributor.ata).or_default();
                    *balance = balance
                        .checked_sub(e.requested)
                        .expect("a contributor posts only bonds it holds");
                }
                DatabountyEvent::SubmissionBondReturned(e) => {
                    self.reached.bonds_returned += 1;
                    *self
                        .expected
                        .entry(e.contributor_token_account)
                        .or_default() += e.received;
                }
                DatabountyEvent::SubmissionBondForfeited(_) => {
                    self.reached.bonds_forfeited += 1;
                }
                DatabountyEvent::ReviewFeesReserved(e) => {
                    self.reached.fees_reserved += e.amount;
                    let setup = self
                        .bounties
                        .iter()
                        .find(|s| s.bounty == e.bounty)
                        .expect("known bounty");
                    for reviewer in &e.reviewers {
                        assert!(
                            setup
                                .parties
                                .reviewers
                                .iter()
                                .any(|r| r.pubkey() == *reviewer),
                            "only current reviewers earn: {e:?}"
                        );
                        assert!(
                            self.votes.contains(&(e.submission, *reviewer)),
                            "only voters earn: {e:?}"
                        );
                    }
                }
                DatabountyEvent::ReviewFeeClaimed(_) => self.reached.fee_claims += 1,
                DatabountyEvent::BountyExtended(e) => {
                    self.reached.extensions += 1;
                    let setup = self
                        .bounties
                        .iter_mut()
                        .find(|s| s.bounty == e.bounty)
                        .expect("known bounty");
                    assert!(
                        e.submission_deadline_after >= e.submission_deadline_before
                            && e.review_deadline_after >= e.review_deadline_before
                            && e.max_winners_after >= e.max_winners_before,
                        "only forward: {e:?}"
                    );
                    setup.args.submission_deadline = e.submission_deadline_after;
                    setup.args.review_deadline = e.review_deadline_after;
                    setup.args.max_winners = e.max_winners_after;
                }
                DatabountyEvent::ReviewerReplaced(e) => {
                    self.reached.replacements += 1;
                    let new = self
                        .new_reviewers
                        .remove(&e.new_reviewer)
                        .expect("the replacement's key");
                    self.reviewer_keys.insert(e.new_reviewer);
                    let setup = self
                        .bounties
                        .iter_mut()
                        .find(|s| s.bounty == e.bounty)
                        .expect("known bounty");
                    setup.parties.reviewers[usize::from(e.reviewer_index)] = new;
                }
                DatabountyEvent::SubmissionAttested(e) => {
                    assert!(
                        self.votes.insert((e.submission, e.reviewer)),
                        "voted twice: {e:?}"
                    );
                    let setup = self
                        .bounties
                        .iter()
                        .find(|s| s.bounty == e.bounty)
                        .expect("known bounty");
                    assert!(
                        setup
                            .parties
                            .reviewers
                            .iter()
                            .any(|r| r.pubkey() == e.reviewer),
                        "outsider voted: {e:?}"
                    );
                    assert!(!e.approve || e.reason_code == 0, "reason on an approval");
                    if e.reason_code > 0 {
                        self.reached.rejections_with_reasons += 1;
                    }
                }
                DatabountyEvent::BountyClosed(e) => {
                    self.closed_bounties.insert(e.bounty);
                    self.reached.bounty_closes += 1;
                }
                _ => {}
            }
        }
    }

    /// SPEC §1 invariants per bounty, and every minted token accounted for.
    async fn check(&mut self) {
        let mut accounts = vec![self.bounties[0].parties.creator_ata];
        accounts.extend(self.contributors.iter().map(|c| c.ata));
        let (mint, program) = (
            self.bounties[0].parties.mint,
            self.bounties[0].parties.token_program,
        );
        for reviewer in &self.reviewer_keys {
            let fee_account = databounty_sdk::accounts::ata(reviewer, &mint, &program);
            if self.env.exists(&fee_account).await {
                accounts.push(fee_account);
            }
        }
        for i in 0..self.bounties.len() {
            let address = self.bounties[i].bounty;
            if self.closed_bounties.contains(&address) {
                assert!(!self.env.exists(&address).await);
                continue;
            }
            self.env.assert_books_balance(&self.bounties[i]).await;
            let bounty = self.env.bounty_state(&address).await;
            assert!(bounty.paid <= bounty.accepted && bounty.accepted <= bounty.max_winners);
            accounts.push(bounty.vault);
        }
        let mut total = 0u128;
        for account in &accounts {
            let raw = self.env.raw_account(account).await.expect("token account");
            let state =
                StateWithExtensions::<spl_token_2022::state::Account>::unpack(&raw.data).unwrap();
            total += u128::from(state.base.amount);
            if let Ok(fee) = state.get_extension::<TransferFeeAmount>() {
                total += u128::from(u64::from(fee.withheld_amount));
            }
        }
        let mint = self.bounties[0].parties.mint;
        let raw = self.env.raw_account(&mint).await.expect("mint");
        let mint_state =
            StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&raw.data).unwrap();
        if let Ok(config) = mint_state.get_extension::<TransferFeeConfig>() {
            total += u128::from(u64::from(config.withheld_amount));
        }
        assert_eq!(total, u128::from(self.minted), "tokens are conserved");
        for contributor in &self.contributors {
            let balance = self.env.token_balance(&contributor.ata).await;
            assert_eq!(
                balance,
                self.expected.get(&contributor.ata).copied().unwrap_or(0),
                "contributors hold exactly their bonds and what they were paid"
            );
        }
    }
}

async fn run_case(kind: MintKind, seed: u64, steps: u64) {
    let mut world = World::new(kind, seed).await;
    world.check().await;
    for step in 0..steps {
        let (action, result) = world.step().await;
        match result {
            Ok(events) => {
                world.steps_ok += 1;
                world.record(&events);
            }
            // A refused call must be refused by a rule, never by a crash of the program.
            Err(BanksClientError::TransactionError(TransactionError::InstructionError(
                _,
                InstructionError::Custom(code),
            ))) => *world.refusals.entry((action, code)).or_default() += 1,
            Err(other) => panic!("seed {seed} step {step} {action}: unexpected failure {other:?}"),
        }
        world.check().await;
    }
    let first = &world.bounties[0].args;
    println!(
        "seed {seed} ({kind:?}, fee {}, bond {}): {steps} steps, {} succeeded, {} submissions, {} paid, {} votes",
        first.review_fee,
        first.submission_bond,
        world.steps_ok,
        world.submissions.len(),
        world.paid.len(),
        world.votes.len()
    );
    let mut refusals: Vec<_> = world.refusals.iter().collect();
    refusals.sort();
    println!("  refused: {refusals:?}");
    println!("  reached: {:?}", world.reached);
}

#[tokio::test]
async fn random_instruction_sequences_keep_the_invariants() {
    let cases = env_number("PROPTEST_CASES", 6);
    let steps = env_number("PROPTEST_STEPS", 60);
    let base = env_number("PROPTEST_SEED", 0);
    let kinds = [
        MintKind::Spl,
        MintKind::Token2022,
        MintKind::TransferFee {
            bps: 250,
            max: 40_000,
        },
    ];
    for case in 0..cases {
        let kind = kinds[(case % 3) as usize];
        run_case(kind, base + case, steps).await;
    }
}

/// The instruction as a crank sends it: signed by the fee payer (its first account) only.
fn crank_only(mut ix: Instruction) -> Instruction {
    for meta in ix.accounts.iter_mut().skip(1) {
        meta.is_signer = false;
    }
    ix
}
