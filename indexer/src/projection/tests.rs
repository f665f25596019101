//! The projection's rules, event by event, with no database.

use super::*;

fn at(slot: u64) -> Position {
    Position {
        slot,
        ..Position::default()
    }
}

fn created(bounty: Pubkey, nonce: u64) -> DatabountyEvent {
    DatabountyEvent::BountyCreated(ev::BountyCreated {
        bounty,
        creator: Pubkey::new_unique(),
        dataset_id: [1; 32],
        nonce,
        metadata_uri: "u".into(),
        mint: Pubkey::new_unique(),
        token_program: Pubkey::new_unique(),
        vault: Pubkey::new_unique(),
        reward_per_submission: 10,
        max_winners: 1,
        reviewers: vec![Pubkey::new_unique()],
        quorum: 1,
        submission_deadline: 1,
        review_deadline: i64::MAX,
        permanent_delegate_allowed: false,
        created_at: 0,
        review_fee: 0,
        submission_bond: 0,
    })
}

fn funded(bounty: Pubkey, funded: u64) -> DatabountyEvent {
    DatabountyEvent::BountyFunded(ev::BountyFunded {
        bounty,
        funder: Pubkey::new_unique(),
        mint: Pubkey::new_unique(),
        requested: funded,
        received: funded,
        funded,
        vault_balance: funded,
        funded_at: 0,
    })
}

fn closed(bounty: Pubkey) -> DatabountyEvent {
    DatabountyEvent::BountyClosed(ev::BountyClosed {
        bounty,
        creator: Pubkey::new_unique(),
        funded: 0,
        released: 0,
        refunded: 0,
        submissions: 0,
        paid: 0,
        closed_at: 9,
    })
}

fn run(known: Incarnations, events: &[(u64, DatabountyEvent)]) -> Changes {
    project(
        known,
        events.iter().map(|(slot, event)| Located {
            signature: "sig",
            position: at(*slot),
            event,
        }),
    )
}

#[test]
fn the_last_value_per_column_wins_and_the_newest_position_is_kept() {
    let b = Pubkey::new_unique();
    let changes = run(
        Incarnations::default(),
        &[(1, created(b, 0)), (2, funded(b, 5)), (3, funded(b, 7))],
    );
    let patch = &changes.bounties[&(b.to_string(), 1)];
    assert_eq!(patch.funded, Some(7));
    assert_eq!(patch.updated, at(3));
    assert_eq!(changes.fundings.len(), 2);
    assert!(changes.fundings.iter().all(|f| f.bounty_incarnation == 1));
}

#[test]
fn a_recreated_bounty_is_a_new_incarnation_with_its_own_rows() {
    let b = Pubkey::new_unique();
    let changes = run(
        Incarnations::default(),
        &[
            (1, created(b, 0)),
            (2, funded(b, 5)),
            (3, closed(b)),
            (4, created(b, 0)),
            (5, funded(b, 9)),
        ],
    );
    let incarnations: Vec<_> = changes.new_bounties.iter().map(|n| n.incarnation).collect();
    assert_eq!(incarnations, [1, 2]);
    assert_eq!(changes.bounties[&(b.to_string(), 1)].status, Some("Closed"));
    assert_eq!(changes.bounties[&(b.to_string(), 2)].funded, Some(9));
    assert_eq!(changes.bounties[&(b.to_string(), 2)].status, None);
    let by_incarnation: Vec<_> = changes
        .fundings
        .iter()
        .map(|f| (f.bounty_incarnation, f.event.funded))
        .collect();
    assert_eq!(by_incarnation, [(1, 5), (2, 9)]);
}

#[test]
fn fair_work_sets_counters_bond_fates_ledgers_and_replacements() {
    let b = Pubkey::new_unique();
    let sub = Pubkey::new_unique();
    let who = Pubkey::new_unique();
    let reviewer = Pubkey::new_unique();
    let events = [
        (1, created(b, 0)),
        (
            2,
            DatabountyEvent::SubmissionBondPosted(ev::SubmissionBondPosted {
                bounty: b,
                submission: sub,
                contributor: who,
                requested: 10,
                received: 9,
                bonds_held_before: 0,
                bonds_held_after: 9,
                posted_at: 2,
            }),
        ),
        (
            3,
            DatabountyEvent::SubmissionBondForfeited(ev::SubmissionBondForfeited {
                bounty: b,
                submission: sub,
                contributor: who,
                amount: 9,
                bonds_held_before: 9,
                bonds_held_after: 0,
                bonds_forfeited: 9,
                forfeited_at: 3,
            }),
        ),
        (
            3,
            DatabountyEvent::ReviewFeesReserved(ev::ReviewFeesReserved {
                bounty: b,
                submission: sub,
                accepted: false,
                reviewers: vec![reviewer],
                reviewer_indexes: vec![0],
                fee: 4,
                amount: 4,
                fees_reserved_before: 0,
                fees_reserved_after: 4,
                decided_at: 3,
            }),
        ),
        (
            4,
            DatabountyEvent::BountyExtended(ev::BountyExtended {
                bounty: b,
                creator: who,
                submission_deadline_before: 1,
                submission_deadline_after: 5,
                review_deadline_before: 6,
                review_deadline_after: 9,
                max_winners_before: 1,
                max_winners_after: 2,
                extended_at: 4,
            }),
        ),
        (
            5,
            DatabountyEvent::ReviewerReplaced(ev::ReviewerReplaced {
                bounty: b,
                creator: who,
                reviewer_index: 0,
                old_reviewer: reviewer,
                new_reviewer: Pubkey::new_unique(),
                generation_before: 0,
                generation_after: 1,
                fees_parked: 0,
                replaced_at: 5,
            }),
        ),
    ];
    let mut known = Incarnations::default();
    known.submissions.insert(sub.to_string(), 1);
    let changes = run(known, &events);
    let fair = &changes.bounties[&(b.to_string(), 1)].fair;
    assert_eq!(
        (fair.bonds_held, fair.bonds_forfeited, fair.fees_reserved),
        (Some(0), Some(9), Some(4))
    );
    assert_eq!(
        (
            fair.submission_deadline,
            fair.review_deadline,
            fair.max_winners
        ),
        (Some(5), Some(9), Some(2))
    );
    assert_eq!(changes.bounties[&(b.to_string(), 1)].updated, at(5));
    let s = &changes.submissions[&(sub.to_string(), 1)];
    assert_eq!((s.bond, s.bond_status), (Some(9), Some("Forfeited")));
    let kinds: Vec<_> = changes
        .bond_movements
        .iter()
        .map(|m| m.event.kind)
        .collect();
    assert_eq!(kinds, ["posted", "forfeited"]);
    assert_eq!(changes.bond_movements[0].event.received, Some(9));
    assert_eq!(changes.fee_awards.len(), 1);
    assert_eq!(changes.replacements.len(), 1);
    assert!(changes
        .bond_movements
        .iter()
        .all(|m| m.submission_incarnation == 1));
}

#[test]
fn incarnations_continue_from_what_is_stored() {
    let b = Pubkey::new_unique();
    let mut known = Incarnations::default();
    known.bounties.insert(b.to_string(), 3);
    let changes = run(
        known,
        &[(7, funded(b, 1)), (8, closed(b)), (9, created(b, 1))],
    );
    assert_eq!(changes.bounties[&(b.to_string(), 3)].funded, Some(1));
    assert_eq!(changes.new_bounties[0].incarnation, 4);
}
