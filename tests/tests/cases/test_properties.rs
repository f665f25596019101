//! Stateful property test: random sequences of every instruction, valid and invalid
//! mixed, across several bounties (closed and re-created as the case runs), several
//! contributors and reviewers, on SPL Token, Token-2022 and a transfer-fee mint, with
//! and without review fees and submission bonds. After every step the books'
//! invariants (SECURITY.md, "Invariants") and the conservation of tokens (rewards,
//! refunds, fees and bonds included) must hold.
//!
//! Most steps are planned: the generator reads the live bounties and keeps a model of
//! every submission (its status, who voted), and picks among the actions that state
//! allows, so that a case reaches the states where bugs live: dozens of submissions,
//! bounties filling every winner slot, payouts interleaved with refunds, cancels with
//! pending work, and whole lifecycles ending in closes before a new bounty takes the
//! slot. Each bounty is given at creation a number of submissions to collect and an
//! ending (filled, cancelled, or left to expire), so that every ending is reached; the
//! clock moves in short waits, jumps only to a deadline a bounty is meant to pass, and
//! extensions keep the other bounties open across such a jump.
//!
//! A minority of steps (`INVALID_PERCENT`) are built to break a rule (random or decided
//! targets, outsiders, wrong hashes, shortened deadlines, reused keys and nonces); each
//! must be refused, so removing a guard fails the test even when the books still add up.
//!
//! `PROPTEST_CASES` (default 6) and `PROPTEST_STEPS` (default 60) scale it up;
//! `PROPTEST_SEED` shifts the seeds. A failure names its seed. Each run prints, per case
//! and in total, what it reached.

use std::collections::{HashMap, HashSet};

use anchor_spl::token_2022::spl_token_2022;
use databounty::state::{Bounty, BountyStatus};
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

    fn one_of<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }
}

/// Contributors per case.
const CONTRIBUTORS: usize = 6;
/// Bounties live at once (same creator and mint); a closed one is replaced by a new one.
const BOUNTIES: usize = 3;
/// Steps in a hundred built to break a rule.
const INVALID_PERCENT: u64 = 12;
/// How close to its submission deadline a bounty still collecting gets extended: more
/// than the longest short wait, so that waits never end a bounty by accident.
const EXTEND_MARGIN: i64 = SUBMISSION_WINDOW / 4;

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

/// How a bounty's life is meant to end, picked at its creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    /// Approvals until every winner slot is taken; the pending rest closes as moot.
    Fill,
    /// A cancel while work is pending, which is then decided.
    Cancel,
    /// The submission deadline passes (sometimes the review deadline too).
    Expire,
}

#[derive(Clone, Copy, Debug)]
struct Plan {
    /// Submissions to collect before the ending starts.
    submissions: u32,
    ending: Ending,
}

/// A step the state allows, so it is expected to succeed.
#[derive(Clone, Copy, Debug)]
enum Action {
    Create,
    Submit(usize),
    /// A submission, a reviewer slot, approve or reject.
    Vote(usize, usize, bool),
    Fund(usize),
    Release(usize),
    /// A bounty and a reviewer owed fees: in its slot, or parked when it was replaced.
    Claim(usize, Pubkey),
    Cancel(usize),
    Refund(usize),
    CloseSubmission(usize),
    CloseBounty(usize),
    /// Later deadlines: past the given time, or by a random amount.
    Extend(usize, Option<i64>),
    Replace(usize),
    /// Moves the clock to this time.
    Wait(i64),
}

/// A live bounty as read before planning a step.
struct Live {
    index: usize,
    state: Bounty,
    vault: u64,
}

impl Live {
    /// What `bounty_close` checks; when it holds, the bounty closes.
    fn closable(&self) -> bool {
        self.vault == 0
            && self.state.reserved == 0
            && self.state.fees_reserved == 0
            && self.state.bonds_held == 0
            && self.state.open_submission_accounts == 0
    }

    fn refund_allowed(&self, now: i64) -> bool {
        self.state.status == BountyStatus::Cancelled || now >= self.state.submission_deadline
    }
}

type Outcome = (&'static str, Sent);

/// Figures printed per case, to show what the run reached.
#[derive(Default, Debug, Clone)]
struct Reached {
    bounties_created: usize,
    full_bounties: usize,
    payouts: usize,
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
    replacements_with_fees_parked: usize,
}

impl Reached {
    fn add(&mut self, other: &Reached) {
        self.bounties_created += other.bounties_created;
        self.full_bounties += other.full_bounties;
        self.payouts += other.payouts;
        self.refunds += other.refunds;
        self.refunds_after_payouts += other.refunds_after_payouts;
        self.cancels_with_pending += other.cancels_with_pending;
        self.submission_closes += other.submission_closes;
        self.bounty_closes += other.bounty_closes;
        self.top_ups_after_cancel += other.top_ups_after_cancel;
        self.fees_reserved += other.fees_reserved;
        self.fee_claims += other.fee_claims;
        self.bonds_posted += other.bonds_posted;
        self.bonds_returned += other.bonds_returned;
        self.bonds_forfeited += other.bonds_forfeited;
        self.rejections_with_reasons += other.rejections_with_reasons;
        self.extensions += other.extensions;
        self.replacements += other.replacements;
        self.replacements_with_fees_parked += other.replacements_with_fees_parked;
    }
}

struct World {
    env: TestEnv,
    rng: Rng,
    /// Every bounty of the case, closed ones included (their addresses stay checked).
    bounties: Vec<BountySetup>,
    /// Parallel to `bounties`.
    plans: Vec<Plan>,
    closed_bounties: HashSet<Pubkey>,
    /// The terms new bounties are created with (reward, fee and bond stay the case's).
    params: BountyParams,
    /// The case's reviewers, named by every new bounty.
    reviewers: Vec<Keypair>,
    next_nonce: u64,
    /// Steps in the case: a bounty's plan is sized to them.
    steps: u64,
    contributors: Vec<Contributor>,
    /// (bounty index, submission, contributor index)
    submissions: Vec<(usize, Submitted, usize)>,
    /// The content each submission hashed, to send it again.
    contents: HashMap<Pubkey, [u8; 4]>,
    /// The reviewer keys listed when each submission was made: a slot given a new key
    /// since cannot vote on it.
    panels: HashMap<Pubkey, Vec<Pubkey>>,
    /// Per submission, the review deadline it was made under (an extension of its
    /// bounty does not move it).
    deadlines: HashMap<Pubkey, i64>,
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
    /// Per (bounty, reviewer key): fees earned and not claimed yet, by the events; the
    /// bounty must owe exactly that, in the key's slot or parked for it.
    fees_unclaimed: HashMap<(Pubkey, Pubkey), u64>,
    steps_ok: usize,
    invalid_steps: usize,
    model: HashMap<Pubkey, Model>,
    reached: Reached,
    cancelled: HashSet<Pubkey>,
    next_content: u32,
    /// How often each action was refused, by error code: shows what the run exercised.
    refusals: HashMap<(&'static str, u32), usize>,
}

impl World {
    async fn new(kind: MintKind, seed: u64, steps: u64) -> Self {
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
        let reviewers: Vec<Keypair> = first.reviewers();
        let mut contributors = Vec::new();
        let mut expected = HashMap::new();
        for _ in 0..CONTRIBUTORS {
            let contributor = env.contributor(&first).await;
            expected.insert(contributor.ata, submission_bond * CONTRIBUTOR_BONDS);
            contributors.push(contributor);
        }
        let reviewer_keys = reviewers.iter().map(|r| r.pubkey()).collect();
        let outsider = env.funded_keypair(1).await;
        let mut world = Self {
            env,
            rng,
            bounties: vec![first],
            plans: vec![],
            closed_bounties: HashSet::new(),
            params,
            reviewers,
            next_nonce: 1,
            steps,
            contributors,
            submissions: Vec::new(),
            contents: HashMap::new(),
            panels: HashMap::new(),
            deadlines: HashMap::new(),
            outsider,
            minted: CREATOR_TOKENS + CONTRIBUTORS as u64 * submission_bond * CONTRIBUTOR_BONDS,
            paid: HashSet::new(),
            votes: HashSet::new(),
            expected,
            reviewer_keys,
            new_reviewers: HashMap::new(),
            fees_unclaimed: HashMap::new(),
            steps_ok: 0,
            invalid_steps: 0,
            model: HashMap::new(),
            reached: Reached {
                bounties_created: 1,
                ..Reached::default()
            },
            cancelled: HashSet::new(),
            next_content: 0,
            refusals: HashMap::new(),
        };
        // The first bounties collect less, so that they end one after the other and a
        // new lifecycle starts early in the case, not all at its end.
        let plan = world.new_plan(1, BOUNTIES as u64);
        world.plans.push(plan);
        // More bounties of the same creator and mint, so cross-bounty mixes happen.
        for n in 1..BOUNTIES as u64 {
            let (name, result) = world.create(n + 1).await;
            let events = result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            world.record(&events);
        }
        world
    }

    /// A plan collecting about `share` of a full share of submissions, sized to the
    /// steps: 6 to 13 in a case of 120 steps.
    fn new_plan(&mut self, share: u64, of: u64) -> Plan {
        let ending = match self.rng.below(100) {
            0..=44 => Ending::Fill,
            45..=79 => Ending::Cancel,
            _ => Ending::Expire,
        };
        Plan {
            submissions: ((6 + self.rng.below(8) as u64) * self.steps * share / (120 * of)).max(2)
                as u32,
            ending,
        }
    }

    /// Creates another bounty of the case's creator and mint under a new nonce, with
    /// its own winner count, funding and (staggered) deadlines.
    async fn create(&mut self, share: u64) -> Outcome {
        let nonce = self.next_nonce;
        self.next_nonce += 1;
        let mut params = self.params.clone();
        params.max_winners = 2 + self.rng.below(3) as u32;
        params.initial_funding = params.reward * (1 + self.rng.below(4) as u64);
        let now = self.env.now().await;
        let first = &self.bounties[0].parties;
        let parties = Parties {
            kind: first.kind,
            mint: first.mint,
            token_program: first.token_program,
            creator: first.creator.insecure_clone(),
            creator_ata: first.creator_ata,
            reviewers: self.reviewers.iter().map(|r| r.insecure_clone()).collect(),
        };
        let mut args = parties.args(now, &params, nonce);
        // Staggered, so that one bounty's deadline is not every bounty's.
        let stagger = self.rng.below(SUBMISSION_WINDOW as usize / 3) as i64;
        args.submission_deadline += stagger;
        args.review_deadline += stagger;
        let bounty = parties.bounty_address(&args);
        let result = self.env.try_create(&parties, args.clone()).await;
        if result.is_ok() {
            self.reached.bounties_created += 1;
            self.bounties.push(BountySetup {
                parties,
                args,
                bounty,
                created: vec![],
            });
            let plan = self.new_plan(share, BOUNTIES as u64);
            self.plans.push(plan);
        }
        ("create", result)
    }

    fn live(&self) -> Vec<usize> {
        (0..self.bounties.len())
            .filter(|&i| !self.closed_bounties.contains(&self.bounties[i].bounty))
            .collect()
    }

    async fn read_live(&mut self) -> Vec<Live> {
        let mut live = Vec::new();
        for index in self.live() {
            let state = self.env.bounty_state(&self.bounties[index].bounty).await;
            let vault = self.env.token_balance(&state.vault).await;
            live.push(Live {
                index,
                state,
                vault,
            });
        }
        live
    }

    /// Submissions of bounty `b` whose modelled status fits.
    fn of_bounty(&self, b: usize, fits: impl Fn(Model) -> bool) -> Vec<usize> {
        (0..self.submissions.len())
            .filter(|&i| {
                let (sb, submitted, _) = &self.submissions[i];
                *sb == b
                    && fits(
                        self.model
                            .get(&submitted.address)
                            .copied()
                            .unwrap_or(Model::Closed),
                    )
            })
            .collect()
    }

    fn status(&self, s: usize) -> Model {
        let address = self.submissions[s].1.address;
        self.model.get(&address).copied().unwrap_or(Model::Closed)
    }

    /// Runs one step: mostly one the state allows, sometimes one built to be refused.
    /// Returns its name, whether it was built to be refused, and its result.
    async fn step(&mut self) -> (&'static str, bool, Sent) {
        if self.rng.chance(INVALID_PERCENT) {
            self.invalid_steps += 1;
            let (name, result) = self.invalid_step().await;
            return (name, true, result);
        }
        let now = self.env.now().await;
        let live = self.read_live().await;
        let candidates = self.plan(now, &live);
        let total: u32 = candidates.iter().map(|(w, _)| w).sum();
        let mut roll = self.rng.below(total as usize) as u32;
        let mut chosen = candidates[0].1;
        for (weight, action) in &candidates {
            if roll < *weight {
                chosen = *action;
                break;
            }
            roll -= weight;
        }
        let (name, result) = self.act(chosen, &live).await;
        (name, false, result)
    }

    /// The actions the state allows, weighted: a bounty collects work until its plan's
    /// count, then heads for its ending, then winds down (payouts, fee claims, refunds,
    /// closes) until it closes and a new bounty takes its place.
    fn plan(&mut self, now: i64, live: &[Live]) -> Vec<(u32, Action)> {
        let mut out = vec![(
            3,
            Action::Wait(now + 1 + self.rng.below(EXTEND_MARGIN as usize / 2) as i64),
        )];
        if live.len() < BOUNTIES {
            out.push((40, Action::Create));
        }
        for l in live {
            let b = l.index;
            let state = &l.state;
            let plan = self.plans[b];
            let open = state.takes_submissions(now);
            let can_win = state.pending_can_win(now);
            let collecting = open && state.submissions < plan.submissions;
            let unreserved = state.unreserved().expect("books");
            // A bounty that has ended is wound down first: finishing lifecycles, not
            // starting work everywhere, is what brings closes and new bounties.
            let ending = if open { 1 } else { 2 };
            let accepted = self.of_bounty(b, |m| m == Model::Accepted);
            if let Some(s) = self.rng.one_of(&accepted) {
                out.push((10 * ending, Action::Release(s)));
            }
            let reviewers = &self.bounties[b].parties.reviewers;
            let owed: Vec<Pubkey> = (0..state.fees_owed.len())
                .filter(|&i| state.fees_owed[i] > 0)
                .map(|i| reviewers[i].pubkey())
                .chain(state.parked_fees.iter().map(|p| p.reviewer))
                .collect();
            if let Some(reviewer) = self.rng.one_of(&owed) {
                // Fees add up while work is decided: claimed mostly once it has ended.
                let weight = if collecting { 1 } else { 12 };
                out.push((weight, Action::Claim(b, reviewer)));
            }
            // Pending work past its own review deadline has expired, whatever the
            // bounty's deadline now says: it takes no vote and may close.
            let (pending, expired): (Vec<usize>, Vec<usize>) = self
                .of_bounty(b, |m| m == Model::Pending)
                .into_iter()
                .partition(|&s| now < self.deadlines[&self.submissions[s].1.address]);
            let mut undecidable = false;
            if can_win && !pending.is_empty() {
                // Approvals fill the winner slots, after which the pending rest is moot
                // and closes without votes; rejections stay common enough to forfeit
                // bonds and give reasons.
                let approve_percent = match (collecting, plan.ending) {
                    (true, _) => 70,
                    (false, Ending::Fill) => 90,
                    _ => 75,
                };
                let weight = if collecting { 24 } else { 30 * ending };
                let ballot = self.ballot(b, &pending);
                undecidable = ballot.is_none();
                if let Some((s, slot)) = ballot {
                    let approve = self.rng.chance(approve_percent);
                    // A deciding vote fails when the vault cannot pay what it reserves:
                    // top the bounty up first.
                    let needed = if approve {
                        state.acceptance_cost().expect("cost")
                    } else {
                        state.rejection_fees().expect("fees")
                    };
                    if unreserved < needed {
                        out.push((weight, Action::Fund(b)));
                    } else {
                        out.push((weight, Action::Vote(s, slot, approve)));
                    }
                }
            }
            if open {
                if collecting {
                    out.push((40, Action::Submit(b)));
                } else {
                    match plan.ending {
                        Ending::Fill if pending.is_empty() || undecidable => {
                            out.push((15, Action::Submit(b)))
                        }
                        Ending::Cancel if pending.is_empty() => out.push((15, Action::Submit(b))),
                        Ending::Fill => {}
                        Ending::Cancel => out.push((25, Action::Cancel(b))),
                        Ending::Expire => {
                            let jump = self.jump(now, b, state.submission_deadline, live);
                            out.push((15, jump));
                        }
                    }
                }
                // Work that expired before an extension closes while the bounty still
                // takes submissions, its bond returned.
                if let Some(s) = self.rng.one_of(&expired) {
                    out.push((30, Action::CloseSubmission(s)));
                }
                let expiring = plan.ending == Ending::Expire && !collecting;
                if !expiring && state.submission_deadline - now < EXTEND_MARGIN {
                    out.push((20, Action::Extend(b, Some(now + SUBMISSION_WINDOW))));
                } else {
                    out.push((1, Action::Extend(b, None)));
                }
                out.push((2, Action::Fund(b)));
            } else {
                if state.status == BountyStatus::Open && now < state.submission_deadline {
                    // Full before its deadline: a cancel lets the refund come now.
                    out.push((20, Action::Cancel(b)));
                }
                if can_win && !pending.is_empty() && (plan.ending == Ending::Expire || undecidable)
                {
                    // Expiring by plan, or work nobody left may vote on.
                    let jump = self.jump(now, b, state.review_deadline, live);
                    out.push((if undecidable { 20 } else { 4 }, jump));
                }
                if state.status == BountyStatus::Cancelled && can_win && !pending.is_empty() {
                    out.push((2, Action::Fund(b)));
                }
                let mut done = self.of_bounty(b, |m| {
                    matches!(m, Model::Paid | Model::Rejected) || (m == Model::Pending && !can_win)
                });
                if can_win {
                    done.extend(&expired);
                }
                if let Some(s) = self.rng.one_of(&done) {
                    out.push((50, Action::CloseSubmission(s)));
                }
                if l.refund_allowed(now) && state.refundable(l.vault, now).expect("refundable") > 0
                {
                    out.push((30, Action::Refund(b)));
                }
                if l.closable() {
                    out.push((80, Action::CloseBounty(b)));
                }
            }
            out.push((1, Action::Replace(b)));
        }
        out
    }

    /// Reviewer slots of bounty `b` that may still vote on submission `s`: listed when it
    /// was made and not voted yet.
    fn voters(&self, b: usize, s: usize) -> Vec<usize> {
        let address = self.submissions[s].1.address;
        let panel = &self.panels[&address];
        let reviewers = &self.bounties[b].parties.reviewers;
        (0..reviewers.len())
            .filter(|&r| {
                let key = reviewers[r].pubkey();
                panel.get(r) == Some(&key) && !self.votes.contains(&(address, key))
            })
            .collect()
    }

    /// A pending submission of bounty `b` and a reviewer slot that may vote on it: mostly
    /// one whose quorum has begun, so that decisions come. None when no pending work
    /// can be voted on (its reviewers were replaced): it waits for its review deadline.
    fn ballot(&mut self, b: usize, pending: &[usize]) -> Option<(usize, usize)> {
        let open: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&s| !self.voters(b, s).is_empty())
            .collect();
        let begun: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&s| {
                let address = self.submissions[s].1.address;
                self.votes.iter().any(|(voted, _)| *voted == address)
            })
            .collect();
        let s = if !begun.is_empty() && self.rng.chance(70) {
            self.rng.one_of(&begun)?
        } else {
            self.rng.one_of(&open)?
        };
        let voters = self.voters(b, s);
        self.rng.one_of(&voters).map(|slot| (s, slot))
    }

    /// Moves the clock to `to`, a deadline bounty `b` is meant to pass; but first extends
    /// any other bounty still taking submissions that the jump would end, so that one
    /// bounty's ending is not every bounty's.
    fn jump(&self, now: i64, b: usize, to: i64, live: &[Live]) -> Action {
        for l in live {
            let plan = self.plans[l.index];
            let expiring = plan.ending == Ending::Expire && l.state.submissions >= plan.submissions;
            if l.index != b
                && !expiring
                && l.state.takes_submissions(now)
                && l.state.submission_deadline <= to + EXTEND_MARGIN
            {
                return Action::Extend(l.index, Some(to + SUBMISSION_WINDOW));
            }
        }
        Action::Wait(to)
    }

    /// Sends a planned action.
    async fn act(&mut self, action: Action, live: &[Live]) -> Outcome {
        let state_of = |b: usize| &live.iter().find(|l| l.index == b).expect("live").state;
        match action {
            Action::Create => self.create(BOUNTIES as u64).await,
            Action::Wait(to) => {
                self.env.set_time(to).await;
                ("wait", Ok(vec![]))
            }
            Action::Submit(b) => {
                // A contributor who still holds a bond, if the bounty asks one.
                let bond = state_of(b).submission_bond;
                let able: Vec<usize> = (0..CONTRIBUTORS)
                    .filter(|&c| {
                        self.expected
                            .get(&self.contributors[c].ata)
                            .is_some_and(|held| *held >= bond)
                    })
                    .collect();
                let c = self.rng.one_of(&able).unwrap_or(0);
                self.next_content += 1;
                let content = self.next_content.to_le_bytes();
                self.submit(b, c, content).await
            }
            Action::Vote(s, slot, approve) => {
                let (sb, submitted, _) = &self.submissions[s];
                let setup = &self.bounties[*sb];
                let voter = setup.reviewer(slot);
                // Half the rejections give a reason, half of those with a URI.
                let (code, uri) = if !approve && self.rng.chance(50) {
                    let uri = self.rng.chance(50).then(|| "ipfs://why".to_string());
                    (1 + self.rng.below(9) as u16, uri)
                } else {
                    (0, None)
                };
                let vote = ix::submission_attest_with_reason(
                    &voter.pubkey(),
                    &setup.bounty,
                    &submitted.address,
                    submitted.hash,
                    approve,
                    code,
                    uri,
                );
                (
                    "attest",
                    self.env.send_with_events(&[vote], &[&voter]).await,
                )
            }
            Action::Fund(b) => {
                let state = state_of(b);
                let cost = state.acceptance_cost().expect("cost");
                let amount = cost * (1 + self.rng.below(3) as u64);
                self.fund(b, amount).await
            }
            Action::Release(s) => {
                let c = self.submissions[s].2;
                let to = self.contributors[c].ata;
                self.release(s, to).await
            }
            Action::Claim(b, reviewer) => self.claim(b, reviewer).await,
            Action::Cancel(b) => {
                let creator = self.bounties[b].creator();
                self.cancel(b, &creator).await
            }
            Action::Refund(b) => self.refund(b).await,
            Action::CloseSubmission(s) => {
                let c = self.submissions[s].2;
                let to = self.contributors[c].key.pubkey();
                // The bond-returning form whenever the bounty asks bonds (an undecided
                // submission needs it); sometimes the short form for a decided one.
                let returning = state_of(self.submissions[s].0).submission_bond > 0
                    && (self.status(s) == Model::Pending || self.rng.chance(70));
                self.close_submission(s, to, returning).await
            }
            Action::CloseBounty(b) => {
                let creator = self.bounties[b].creator();
                self.close_bounty(b, &creator).await
            }
            Action::Extend(b, past) => {
                let args = &self.bounties[b].args;
                let (s, r, w) = (
                    args.submission_deadline,
                    args.review_deadline,
                    args.max_winners,
                );
                let (s, r, w) = match past {
                    Some(time) => {
                        let s = s.max(time);
                        (s, r.max(s + REVIEW_WINDOW), w)
                    }
                    None => {
                        let later = self.rng.below(900) as i64;
                        (
                            s + later,
                            r + later + self.rng.below(900) as i64,
                            w + self.rng.below(3) as u32,
                        )
                    }
                };
                let creator = self.bounties[b].creator();
                self.extend(b, &creator, s, r, w).await
            }
            Action::Replace(b) => {
                // Mostly a slot owed fees, which are paid first or else parked.
                let owed = state_of(b).fees_owed.clone();
                let owing: Vec<usize> = (0..owed.len()).filter(|&i| owed[i] > 0).collect();
                let slot = match self.rng.one_of(&owing) {
                    Some(slot) if self.rng.chance(70) => slot,
                    _ => self.rng.below(3),
                };
                let claim_first = owed[slot] > 0 && self.rng.chance(40);
                let creator = self.bounties[b].creator();
                self.replace(b, &creator, slot, Keypair::new(), claim_first)
                    .await
            }
        }
    }

    /// A step built to break one rule (a random target may break several); it must be
    /// refused.
    async fn invalid_step(&mut self) -> Outcome {
        let now = self.env.now().await;
        let live = self.live();
        // Mostly a live bounty; sometimes any, closed ones included.
        let b = match self.rng.one_of(&live) {
            Some(b) if self.rng.chance(85) => b,
            _ => self.rng.below(self.bounties.len()),
        };
        let state = self
            .env
            .anchor_account::<Bounty>(&self.bounties[b].bounty)
            .await;
        let any_submission = self
            .rng
            .one_of(&(0..self.submissions.len()).collect::<Vec<_>>());
        let outsider = self.outsider.insecure_clone();
        let creator = self.bounties[b].creator();
        match (self.rng.below(19), any_submission) {
            (0, _) | (1..=9, None) => {
                // A reviewer submitting to their own bounty.
                let slot = self.rng.below(3);
                let reviewer = self.bounties[b].parties.reviewers[slot].insecure_clone();
                self.next_content += 1;
                let content = self.next_content.to_le_bytes();
                let result = self
                    .env
                    .try_submit(&self.bounties[b], &reviewer, &content)
                    .await;
                ("submit", result.map(|s| s.events))
            }
            (1, Some(s)) => {
                // The same content again: its address is taken (or, if it closed, its
                // bounty takes no submissions any more).
                let (sb, _, c) = self.submissions[s];
                let content = self.contents[&self.submissions[s].1.address];
                self.submit(sb, c, content).await
            }
            (2, Some(s)) => {
                let (sb, submitted, _) = &self.submissions[s];
                let setup = &self.bounties[*sb];
                let result = self.env.try_attest(setup, &outsider, submitted, true).await;
                ("attest", result)
            }
            (3, Some(s)) => {
                // A listed reviewer, on another hash, or with a reason on an approval.
                let (sb, submitted, _) = &self.submissions[s];
                let setup = &self.bounties[*sb];
                let voter = setup.parties.reviewers[self.rng.below(3)].insecure_clone();
                let mut hash = submitted.hash;
                let (code, uri) = if self.rng.chance(50) {
                    hash[0] ^= 1;
                    (0, None)
                } else {
                    (1 + self.rng.below(9) as u16, Some("ipfs://why".to_string()))
                };
                let vote = ix::submission_attest_with_reason(
                    &voter.pubkey(),
                    &setup.bounty,
                    &submitted.address,
                    hash,
                    true,
                    code,
                    uri,
                );
                (
                    "attest",
                    self.env.send_with_events(&[vote], &[&voter]).await,
                )
            }
            (4, Some(s)) => {
                // A second vote by the same key, or any vote on a decided submission.
                let address = self.submissions[s].1.address;
                let sb = self.submissions[s].0;
                let reviewers = &self.bounties[sb].parties.reviewers;
                let voted: Vec<usize> = (0..reviewers.len())
                    .filter(|&r| self.votes.contains(&(address, reviewers[r].pubkey())))
                    .collect();
                let slot = match self.rng.one_of(&voted) {
                    Some(slot) => slot,
                    None if self.status(s) != Model::Pending => self.rng.below(3),
                    None => {
                        let creator = creator.insecure_clone();
                        return self
                            .cancel_twice_or_outsider(b, state.as_ref(), &creator)
                            .await;
                    }
                };
                let (sb, submitted, _) = &self.submissions[s];
                let setup = &self.bounties[*sb];
                let voter = setup.reviewer(slot);
                let approve = self.rng.chance(50);
                let result = self.env.try_attest(setup, &voter, submitted, approve).await;
                ("attest", result)
            }
            (5, Some(s)) => {
                // A release of work that is not accepted, or to another contributor.
                let c = self.submissions[s].2;
                let other = (c + 1 + self.rng.below(CONTRIBUTORS - 1)) % CONTRIBUTORS;
                let to = if self.status(s) == Model::Accepted {
                    self.contributors[other].ata
                } else {
                    self.contributors[c].ata
                };
                self.release(s, to).await
            }
            (6, Some(s)) => {
                // A close paying the rent to an outsider.
                let (sb, submitted, _) = &self.submissions[s];
                let close = ix::submission_close(
                    &self.bounties[*sb].bounty,
                    &submitted.address,
                    &outsider.pubkey(),
                );
                (
                    "close submission",
                    self.env.send_with_events(&[close], &[]).await,
                )
            }
            (7, Some(_)) => {
                // A close of accepted work, or while the bounty still takes submissions.
                let taking = state.as_ref().is_some_and(|st| st.takes_submissions(now));
                let targets: Vec<usize> = (0..self.submissions.len())
                    .filter(|&i| {
                        let status = self.status(i);
                        status == Model::Accepted
                            || (taking && self.submissions[i].0 == b && status != Model::Closed)
                    })
                    .collect();
                let Some(s) = self.rng.one_of(&targets) else {
                    return self
                        .cancel_twice_or_outsider(b, state.as_ref(), &creator)
                        .await;
                };
                let c = self.submissions[s].2;
                let to = self.contributors[c].key.pubkey();
                let returning = self.bounties[self.submissions[s].0].args.submission_bond > 0;
                self.close_submission(s, to, returning).await
            }
            (8 | 9, Some(_)) => {
                self.cancel_twice_or_outsider(b, state.as_ref(), &creator)
                    .await
            }
            (10, _) => {
                // A refund before the refund point (or of a closed bounty).
                match &state {
                    Some(st)
                        if st.status == BountyStatus::Cancelled
                            || now >= st.submission_deadline =>
                    {
                        self.close_bounty(b, &outsider).await
                    }
                    _ => self.refund(b).await,
                }
            }
            (11, _) => {
                // A close by a stranger, or by the creator while anything is left.
                let left = match &state {
                    Some(st) => {
                        let vault = self.env.token_balance(&st.vault).await;
                        vault > 0 || st.open_submission_accounts > 0
                    }
                    None => true,
                };
                let signer = if left { &creator } else { &outsider };
                let signer = signer.insecure_clone();
                self.close_bounty(b, &signer).await
            }
            (12, _) => {
                // Fees claimed by an outsider, or by a reviewer owed nothing.
                let owed = state
                    .as_ref()
                    .map(|st| st.fees_owed.clone())
                    .unwrap_or_default();
                let unowed: Vec<usize> = (0..owed.len()).filter(|&i| owed[i] == 0).collect();
                let reviewer = match self.rng.one_of(&unowed) {
                    Some(slot) if self.rng.chance(70) => {
                        self.bounties[b].parties.reviewers[slot].pubkey()
                    }
                    _ => outsider.pubkey(),
                };
                self.claim(b, reviewer).await
            }
            (13, _) => {
                // A shortened deadline, or an extension by a stranger.
                let args = &self.bounties[b].args;
                let (s, r, w) = (
                    args.submission_deadline,
                    args.review_deadline,
                    args.max_winners,
                );
                if self.rng.chance(50) {
                    self.extend(b, &creator, s - 1, r, w).await
                } else {
                    self.extend(b, &outsider, s + 60, r + 60, w).await
                }
            }
            (14, _) => {
                // A replacement by a stranger, or naming a key already listed.
                let slot = self.rng.below(3);
                if self.rng.chance(50) {
                    self.replace(b, &outsider, slot, Keypair::new(), false)
                        .await
                } else {
                    let listed =
                        self.bounties[b].parties.reviewers[(slot + 1) % 3].insecure_clone();
                    self.replace(b, &creator, slot, listed, false).await
                }
            }
            (15, _) => {
                // Nothing, or to a bounty that takes no funding.
                let takes = state.as_ref().is_some_and(|st| st.takes_funding(now));
                let amount = if takes {
                    0
                } else {
                    self.bounties[b].args.reward_per_submission
                };
                self.fund(b, amount).await
            }
            (16, _) => {
                // A bounty under a nonce still in use (a closed bounty's address is free).
                let Some(taken) = self.rng.one_of(&live) else {
                    return self
                        .cancel_twice_or_outsider(b, state.as_ref(), &creator)
                        .await;
                };
                let setup = &self.bounties[taken];
                let mut args = setup.args.clone();
                args.submission_deadline = now + SUBMISSION_WINDOW;
                args.review_deadline = now + SUBMISSION_WINDOW + REVIEW_WINDOW;
                ("create", self.env.try_create(&setup.parties, args).await)
            }
            _ => {
                // Work sent to a bounty that takes none (closed, cancelled, full, late), or
                // else by a reviewer.
                let count = self.bounties.len();
                let start = self.rng.below(count);
                let mut target = None;
                for i in (0..count).map(|k| (start + k) % count) {
                    let taking = self
                        .env
                        .anchor_account::<Bounty>(&self.bounties[i].bounty)
                        .await
                        .is_some_and(|st| st.takes_submissions(now));
                    if !taking {
                        target = Some(i);
                        break;
                    }
                }
                let contributor = self.rng.below(CONTRIBUTORS);
                self.next_content += 1;
                let content = self.next_content.to_le_bytes();
                match target {
                    Some(i) => self.submit(i, contributor, content).await,
                    None => {
                        let reviewer = self.bounties[b].parties.reviewers[0].insecure_clone();
                        let result = self
                            .env
                            .try_submit(&self.bounties[b], &reviewer, &content)
                            .await;
                        ("submit", result.map(|s| s.events))
                    }
                }
            }
        }
    }

    /// A cancel by a stranger, or a second cancel by the creator.
    async fn cancel_twice_or_outsider(
        &mut self,
        b: usize,
        state: Option<&Bounty>,
        creator: &Keypair,
    ) -> Outcome {
        let signer = match state {
            Some(st) if st.status == BountyStatus::Cancelled => creator.insecure_clone(),
            _ => self.outsider.insecure_clone(),
        };
        self.cancel(b, &signer).await
    }

    async fn submit(&mut self, b: usize, c: usize, content: [u8; 4]) -> Outcome {
        let who = self.contributors[c].key.insecure_clone();
        let result = self.env.try_submit(&self.bounties[b], &who, &content).await;
        match result {
            Ok(submitted) => {
                let events = submitted.events;
                self.contents.insert(submitted.address, content);
                let panel = self.bounties[b]
                    .parties
                    .reviewers
                    .iter()
                    .map(|r| r.pubkey())
                    .collect();
                self.panels.insert(submitted.address, panel);
                let deadline = self.bounties[b].args.review_deadline;
                self.deadlines.insert(submitted.address, deadline);
                self.submissions.push((
                    b,
                    Submitted {
                        address: submitted.address,
                        contributor: submitted.contributor,
                        hash: submitted.hash,
                        events: vec![],
                    },
                    c,
                ));
                ("submit", Ok(events))
            }
            Err(e) => ("submit", Err(e)),
        }
    }

    async fn fund(&mut self, b: usize, amount: u64) -> Outcome {
        let setup = &self.bounties[b];
        let p = &setup.parties;
        let creator = p.creator.insecure_clone();
        let fund = ix::bounty_fund(
            &creator.pubkey(),
            &setup.bounty,
            &p.mint,
            &p.token_program,
            &p.creator_ata,
            amount,
        );
        (
            "fund",
            self.env.send_with_events(&[fund], &[&creator]).await,
        )
    }

    /// A crank pays submission `s`'s reward into `to`.
    async fn release(&mut self, s: usize, to: Pubkey) -> Outcome {
        let (sb, submitted, _) = &self.submissions[s];
        let setup = &self.bounties[*sb];
        let p = &setup.parties;
        let release = ix::submission_release(
            &self.env.payer().pubkey(),
            &setup.bounty,
            &submitted.address,
            &submitted.contributor,
            &p.mint,
            &p.token_program,
            Some(to),
        );
        // A crank has no contributor's key: another account stays unsigned.
        let release = crank_only(release);
        ("release", self.env.send_with_events(&[release], &[]).await)
    }

    async fn claim(&mut self, b: usize, reviewer: Pubkey) -> Outcome {
        let setup = &self.bounties[b];
        let p = &setup.parties;
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

    async fn cancel(&mut self, b: usize, signer: &Keypair) -> Outcome {
        let cancel = ix::bounty_cancel(&signer.pubkey(), &self.bounties[b].bounty);
        (
            "cancel",
            self.env.send_with_events(&[cancel], &[signer]).await,
        )
    }

    async fn refund(&mut self, b: usize) -> Outcome {
        let setup = &self.bounties[b];
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

    /// A crank closes submission `s`, its rent to `to`.
    async fn close_submission(&mut self, s: usize, to: Pubkey, returning: bool) -> Outcome {
        let (sb, submitted, _) = &self.submissions[s];
        let setup = &self.bounties[*sb];
        let close = if returning {
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
    }

    async fn close_bounty(&mut self, b: usize, signer: &Keypair) -> Outcome {
        let p = &self.bounties[b].parties;
        let close = ix::bounty_close(
            &signer.pubkey(),
            &self.bounties[b].bounty,
            &p.mint,
            &p.token_program,
        );
        (
            "close bounty",
            self.env.send_with_events(&[close], &[signer]).await,
        )
    }

    async fn extend(&mut self, b: usize, signer: &Keypair, s: i64, r: i64, w: u32) -> Outcome {
        let extend = ix::bounty_extend(
            &signer.pubkey(),
            &self.bounties[b].bounty,
            databounty::instructions::BountyExtendArgs {
                submission_deadline: s,
                review_deadline: r,
                max_winners: w,
            },
        );
        (
            "extend",
            self.env.send_with_events(&[extend], &[signer]).await,
        )
    }

    /// `signer` gives reviewer slot `slot` to `new`; fees owed to the old key are claimed
    /// first in the same transaction when `claim_first`.
    async fn replace(
        &mut self,
        b: usize,
        signer: &Keypair,
        slot: usize,
        new: Keypair,
        claim_first: bool,
    ) -> Outcome {
        let setup = &self.bounties[b];
        let p = &setup.parties;
        let old = p.reviewers[slot].pubkey();
        let mut ixs = Vec::new();
        if claim_first {
            ixs.push(ix::review_fee_claim(
                &self.env.payer().pubkey(),
                &setup.bounty,
                &old,
                &p.mint,
                &p.token_program,
                None,
            ));
        }
        ixs.push(ix::bounty_reviewer_replace(
            &signer.pubkey(),
            &setup.bounty,
            &old,
            &new.pubkey(),
        ));
        let result = self.env.send_with_events(&ixs, &[signer]).await;
        if result.is_ok() {
            self.new_reviewers.insert(new.pubkey(), new);
        }
        ("replace reviewer", result)
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
                    self.reached.payouts += 1;
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
                    let setup = known_bounty(&mut self.bounties, &e.bounty);
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
                        *self
                            .fees_unclaimed
                            .entry((e.bounty, *reviewer))
                            .or_default() += e.fee;
                    }
                }
                DatabountyEvent::ReviewFeeClaimed(e) => {
                    self.reached.fee_claims += 1;
                    let unclaimed = self
                        .fees_unclaimed
                        .entry((e.bounty, e.reviewer))
                        .or_default();
                    *unclaimed = unclaimed
                        .checked_sub(e.amount)
                        .expect("a claim pays no more than the key earned");
                }
                DatabountyEvent::BountyExtended(e) => {
                    self.reached.extensions += 1;
                    let setup = known_bounty(&mut self.bounties, &e.bounty);
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
                    if e.fees_parked > 0 {
                        self.reached.replacements_with_fees_parked += 1;
                    }
                    let new = self
                        .new_reviewers
                        .remove(&e.new_reviewer)
                        .expect("the replacement's key");
                    self.reviewer_keys.insert(e.new_reviewer);
                    let setup = known_bounty(&mut self.bounties, &e.bounty);
                    setup.parties.reviewers[usize::from(e.reviewer_index)] = new;
                }
                DatabountyEvent::SubmissionAttested(e) => {
                    assert!(
                        self.votes.insert((e.submission, e.reviewer)),
                        "voted twice: {e:?}"
                    );
                    let setup = known_bounty(&mut self.bounties, &e.bounty);
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

    /// The books' invariants per bounty, and every minted token accounted for.
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
            for ((_, key), unclaimed) in self
                .fees_unclaimed
                .iter()
                .filter(|((b, _), _)| *b == address)
            {
                let in_slot = bounty
                    .reviewer_index(key)
                    .map_or(0, |slot| bounty.fees_owed[slot]);
                let parked = bounty
                    .parked_fees
                    .iter()
                    .find(|p| p.reviewer == *key)
                    .map_or(0, |p| p.amount);
                assert_eq!(
                    in_slot + parked,
                    *unclaimed,
                    "every fee a key earned is still its own"
                );
            }
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

/// The bounty of `bounties` at address `bounty`, which an event names.
fn known_bounty<'a>(bounties: &'a mut [BountySetup], bounty: &Pubkey) -> &'a mut BountySetup {
    bounties
        .iter_mut()
        .find(|s| s.bounty == *bounty)
        .expect("known bounty")
}

/// What one case reached, for the run's totals.
struct CaseFigures {
    steps: usize,
    succeeded: usize,
    invalid: usize,
    submissions: usize,
    reached: Reached,
}

async fn run_case(kind: MintKind, seed: u64, steps: u64) -> CaseFigures {
    let mut world = World::new(kind, seed, steps).await;
    world.check().await;
    for step in 0..steps {
        let (action, invalid, result) = world.step().await;
        match result {
            Ok(events) => {
                assert!(
                    !invalid,
                    "seed {seed} step {step}: {action} built to break a rule succeeded: {events:?}"
                );
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
        "seed {seed} ({kind:?}, fee {}, bond {}): {steps} steps, {} succeeded, {} built to fail, {} submissions, {} paid, {} votes",
        first.review_fee,
        first.submission_bond,
        world.steps_ok,
        world.invalid_steps,
        world.submissions.len(),
        world.paid.len(),
        world.votes.len()
    );
    let mut refusals: Vec<_> = world.refusals.iter().collect();
    refusals.sort();
    println!("  refused: {refusals:?}");
    println!("  reached: {:?}", world.reached);
    CaseFigures {
        steps: steps as usize,
        succeeded: world.steps_ok,
        invalid: world.invalid_steps,
        submissions: world.submissions.len(),
        reached: world.reached,
    }
}

/// The middle value (the lower one of an even count).
fn median<T: Copy + PartialOrd>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    sorted[(sorted.len() - 1) / 2]
}

/// The run's totals: how much of it succeeded and which states it reached.
fn print_run(figures: &[CaseFigures]) {
    let cases = figures.len();
    let steps: usize = figures.iter().map(|f| f.steps).sum();
    let succeeded: usize = figures.iter().map(|f| f.succeeded).sum();
    let invalid: usize = figures.iter().map(|f| f.invalid).sum();
    let rates: Vec<f64> = figures
        .iter()
        .map(|f| 100.0 * f.succeeded as f64 / f.steps.max(1) as f64)
        .collect();
    let lowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let submissions: Vec<usize> = figures.iter().map(|f| f.submissions).collect();
    let mut total = Reached::default();
    for f in figures {
        total.add(&f.reached);
    }
    let cases_with =
        |pick: fn(&Reached) -> usize| figures.iter().filter(|f| pick(&f.reached) > 0).count();
    let percent = |part: usize, whole: usize| 100.0 * part as f64 / whole.max(1) as f64;
    println!("run: {cases} cases, {steps} steps");
    println!(
        "  steps succeeded: {succeeded}/{steps} ({:.1}%), median case {:.1}%, lowest case {lowest:.1}%; built to fail: {invalid} ({:.1}%), all refused",
        percent(succeeded, steps),
        median(&rates),
        percent(invalid, steps)
    );
    println!(
        "  submissions per case: mean {:.1}, median {}, min {}",
        submissions.iter().sum::<usize>() as f64 / cases.max(1) as f64,
        median(&submissions),
        submissions.iter().min().copied().unwrap_or(0)
    );
    println!(
        "  bounties created {}, reaching max_winners {} (in {} cases); payouts {}; refunds {}, after payouts {}; cancels with pending work {} (in {} cases)",
        total.bounties_created,
        total.full_bounties,
        cases_with(|r| r.full_bounties),
        total.payouts,
        total.refunds,
        total.refunds_after_payouts,
        total.cancels_with_pending,
        cases_with(|r| r.cancels_with_pending)
    );
    println!(
        "  submission closes {}; bounty closes {} (in {} cases)",
        total.submission_closes,
        total.bounty_closes,
        cases_with(|r| r.bounty_closes)
    );
    println!(
        "  fair work: fees reserved {}, fee claims {}, bonds posted {} / returned {} / forfeited {}, rejections with reasons {}, extensions {}, replacements {} ({} parking fees), top-ups after cancel {}",
        total.fees_reserved,
        total.fee_claims,
        total.bonds_posted,
        total.bonds_returned,
        total.bonds_forfeited,
        total.rejections_with_reasons,
        total.extensions,
        total.replacements,
        total.replacements_with_fees_parked,
        total.top_ups_after_cancel
    );
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
    let mut figures = Vec::new();
    for case in 0..cases {
        let kind = kinds[(case % 3) as usize];
        figures.push(run_case(kind, base + case, steps).await);
    }
    print_run(&figures);
}

/// The instruction as a crank sends it: signed by the fee payer (its first account) only.
fn crank_only(mut ix: Instruction) -> Instruction {
    for meta in ix.accounts.iter_mut().skip(1) {
        meta.is_signer = false;
    }
    ix
}
