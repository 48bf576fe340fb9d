//! Ticket states and numbers. The status machine itself is `TicketStatus::can_become` (in
//! the entities, next to the column it guards): every change of status goes through it.
use std::fmt;

pub use entities::{Priority, TicketStatus as Status};

/// A ticket's number as people and mail subjects see it: `T-000123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TicketNumber(pub i32);

impl TicketNumber {
    /// The ticket a number names; plain digits are accepted too.
    pub fn parse(text: &str) -> Option<TicketNumber> {
        let text = text.trim();
        let digits = text.strip_prefix("T-").or_else(|| text.strip_prefix("t-")).unwrap_or(text);
        if digits.is_empty() || digits.len() > 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|id| *id > 0).map(TicketNumber)
    }

    pub fn id(self) -> i32 {
        self.0
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T-{:06}", self.0)
    }
}

/// `T-000123` for a ticket id.
pub fn number(id: i32) -> String {
    TicketNumber(id).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        assert_eq!(number(123), "T-000123");
        assert_eq!(TicketNumber::parse("T-000123"), Some(TicketNumber(123)));
        assert_eq!(TicketNumber::parse("123"), Some(TicketNumber(123)));
        for bad in ["", "T-", "T-abc", "T-0", "-5", "T-9999999999", "1 2"] {
            assert_eq!(TicketNumber::parse(bad), None, "{bad}");
        }
    }
}
