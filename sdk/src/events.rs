//! Decoding the program's events from its self-CPI inner instructions. Pure bytes to
//! typed event: no I/O, so the indexer, the CLI and the tests share it.

use anchor_lang::event::EVENT_IX_TAG_LE;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use databounty::events::*;

/// Every event the program emits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabountyEvent {
    BountyCreated(BountyCreated),
    BountyFunded(BountyFunded),
    BountyCancelled(BountyCancelled),
    BountyRefunded(BountyRefunded),
    BountyClosed(BountyClosed),
    SubmissionCreated(SubmissionCreated),
    SubmissionAttested(SubmissionAttested),
    SubmissionAccepted(SubmissionAccepted),
    SubmissionRejected(SubmissionRejected),
    SubmissionPaid(SubmissionPaid),
    SubmissionClosed(SubmissionClosed),
    SubmissionBondPosted(SubmissionBondPosted),
    SubmissionBondReturned(SubmissionBondReturned),
    SubmissionBondForfeited(SubmissionBondForfeited),
    ReviewFeesReserved(ReviewFeesReserved),
    ReviewFeeClaimed(ReviewFeeClaimed),
    BountyExtended(BountyExtended),
    ReviewerReplaced(ReviewerReplaced),
}

/// Why bytes that looked like an event did not decode.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("event data is shorter than the 16-byte tag and discriminator")]
    TooShort,
    #[error("unknown event discriminator {0:02x?}")]
    UnknownDiscriminator([u8; 8]),
    #[error("{name} payload does not decode")]
    BadPayload {
        name: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{name} payload is followed by {count} trailing bytes")]
    TrailingBytes { name: &'static str, count: usize },
}

impl DatabountyEvent {
    /// The event's type name, as in the IDL.
    pub fn name(&self) -> &'static str {
        match self {
            Self::BountyCreated(_) => "BountyCreated",
            Self::BountyFunded(_) => "BountyFunded",
            Self::BountyCancelled(_) => "BountyCancelled",
            Self::BountyRefunded(_) => "BountyRefunded",
            Self::BountyClosed(_) => "BountyClosed",
            Self::SubmissionCreated(_) => "SubmissionCreated",
            Self::SubmissionAttested(_) => "SubmissionAttested",
            Self::SubmissionAccepted(_) => "SubmissionAccepted",
            Self::SubmissionRejected(_) => "SubmissionRejected",
            Self::SubmissionPaid(_) => "SubmissionPaid",
            Self::SubmissionClosed(_) => "SubmissionClosed",
            Self::SubmissionBondPosted(_) => "SubmissionBondPosted",
            Self::SubmissionBondReturned(_) => "SubmissionBondReturned",
            Self::SubmissionBondForfeited(_) => "SubmissionBondForfeited",
            Self::ReviewFeesReserved(_) => "ReviewFeesReserved",
            Self::ReviewFeeClaimed(_) => "ReviewFeeClaimed",
            Self::BountyExtended(_) => "BountyExtended",
            Self::ReviewerReplaced(_) => "ReviewerReplaced",
        }
    }

    /// The bounty every event is about.
    pub fn bounty(&self) -> Pubkey {
        match self {
            Self::BountyCreated(e) => e.bounty,
            Self::BountyFunded(e) => e.bounty,
            Self::BountyCancelled(e) => e.bounty,
            Self::BountyRefunded(e) => e.bounty,
            Self::BountyClosed(e) => e.bounty,
            Self::SubmissionCreated(e) => e.bounty,
            Self::SubmissionAttested(e) => e.bounty,
            Self::SubmissionAccepted(e) => e.bounty,
            Self::SubmissionRejected(e) => e.bounty,
            Self::SubmissionPaid(e) => e.bounty,
            Self::SubmissionClosed(e) => e.bounty,
            Self::SubmissionBondPosted(e) => e.bounty,
            Self::SubmissionBondReturned(e) => e.bounty,
            Self::SubmissionBondForfeited(e) => e.bounty,
            Self::ReviewFeesReserved(e) => e.bounty,
            Self::ReviewFeeClaimed(e) => e.bounty,
            Self::BountyExtended(e) => e.bounty,
            Self::ReviewerReplaced(e) => e.bounty,
        }
    }
}

/// Whether an inner instruction is one of the program's event self-CPIs: invoked on
/// `program_id`, with the event-authority PDA as its one account, and tagged. Anything
/// else (including a look-alike from another program) is not an event.
pub fn is_event_instruction(
    program_id: &Pubkey,
    invoked_program: &Pubkey,
    accounts: &[Pubkey],
    data: &[u8],
) -> bool {
    invoked_program == program_id
        && accounts == [crate::pda::event_authority_of(program_id)]
        && data.starts_with(EVENT_IX_TAG_LE)
}

fn payload<T: AnchorDeserialize>(name: &'static str, mut bytes: &[u8]) -> Result<T, DecodeError> {
    let value =
        T::deserialize(&mut bytes).map_err(|source| DecodeError::BadPayload { name, source })?;
    if !bytes.is_empty() {
        return Err(DecodeError::TrailingBytes {
            name,
            count: bytes.len(),
        });
    }
    Ok(value)
}

/// Decodes an event self-CPI's data: tag, 8-byte discriminator, Borsh payload.
pub fn decode_event(data: &[u8]) -> Result<DatabountyEvent, DecodeError> {
    let rest = data
        .strip_prefix(EVENT_IX_TAG_LE)
        .ok_or(DecodeError::TooShort)?;
    if rest.len() < 8 {
        return Err(DecodeError::TooShort);
    }
    let (disc, body) = rest.split_at(8);
    macro_rules! try_decode {
        ($($name:ident),*) => {
            $(if disc == $name::DISCRIMINATOR {
                return Ok(DatabountyEvent::$name(payload(stringify!($name), body)?));
            })*
        };
    }
    try_decode!(
        BountyCreated,
        BountyFunded,
        BountyCancelled,
        BountyRefunded,
        BountyClosed,
        SubmissionCreated,
        SubmissionAttested,
        SubmissionAccepted,
        SubmissionRejected,
        SubmissionPaid,
        SubmissionClosed,
        SubmissionBondPosted,
        SubmissionBondReturned,
        SubmissionBondForfeited,
        ReviewFeesReserved,
        ReviewFeeClaimed,
        BountyExtended,
        ReviewerReplaced
    );
    let mut unknown = [0u8; 8];
    unknown.copy_from_slice(disc);
    Err(DecodeError::UnknownDiscriminator(unknown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event;

    fn sample() -> BountyCancelled {
        BountyCancelled {
            bounty: Pubkey::new_unique(),
            creator: Pubkey::new_unique(),
            pending: 2,
            cancelled_at: 1_700_000_000,
        }
    }

    fn encoded(event: &impl Event) -> Vec<u8> {
        let mut data = EVENT_IX_TAG_LE.to_vec();
        data.extend(event.data());
        data
    }

    #[test]
    fn round_trips_an_event() {
        let event = sample();
        assert_eq!(
            decode_event(&encoded(&event)).unwrap(),
            DatabountyEvent::BountyCancelled(event)
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(matches!(decode_event(&[]), Err(DecodeError::TooShort)));
        assert!(matches!(
            decode_event(EVENT_IX_TAG_LE),
            Err(DecodeError::TooShort)
        ));
        let mut unknown = EVENT_IX_TAG_LE.to_vec();
        unknown.extend([9u8; 8]);
        assert!(matches!(
            decode_event(&unknown),
            Err(DecodeError::UnknownDiscriminator([9, 9, 9, 9, 9, 9, 9, 9]))
        ));
        let mut truncated = encoded(&sample());
        truncated.truncate(truncated.len() - 1);
        assert!(matches!(
            decode_event(&truncated),
            Err(DecodeError::BadPayload { .. })
        ));
        let mut trailing = encoded(&sample());
        trailing.push(0);
        assert!(matches!(
            decode_event(&trailing),
            Err(DecodeError::TrailingBytes { count: 1, .. })
        ));
    }

    #[test]
    fn only_the_programs_own_tagged_self_cpi_is_an_event() {
        let data = encoded(&sample());
        let authority = crate::pda::event_authority();
        let id = databounty::ID;
        assert!(is_event_instruction(&id, &id, &[authority], &data));
        assert!(!is_event_instruction(
            &id,
            &Pubkey::new_unique(),
            &[authority],
            &data
        ));
        assert!(!is_event_instruction(
            &id,
            &id,
            &[Pubkey::new_unique()],
            &data
        ));
        assert!(!is_event_instruction(&id, &id, &[authority], &data[8..]));
    }
}
