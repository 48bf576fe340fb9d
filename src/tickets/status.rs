//! The ticket status machine of SPEC §5, and priorities. Every change of status goes
//! through `Status::can_become`, so an invalid transition is refused in one place.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    WaitingOnSchool,
    AtProvider,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::New, Status::Open, Status::WaitingOnSchool, Status::AtProvider, Status::Resolved, Status::Closed];

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "new" => Status::New,
            "open" => Status::Open,
            "waiting_on_school" => Status::WaitingOnSchool,
            "at_provider" => Status::AtProvider,
            "resolved" => Status::Resolved,
            "closed" => Status::Closed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::WaitingOnSchool => "waiting_on_school",
            Status::AtProvider => "at_provider",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    /// Still being worked on (counts towards queues and SLA).
    pub fn is_active(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// new → open → (waiting_on_school | at_provider) → resolved → closed, with the way
    /// back to open from waiting, provider, resolved and closed (reopen).
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (New, Open)
                | (New | Open, WaitingOnSchool)
                | (New | Open, AtProvider)
                | (WaitingOnSchool | AtProvider | Resolved | Closed, Open)
                | (New | Open | WaitingOnSchool | AtProvider, Resolved)
                | (Resolved, Closed)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "P1" => Priority::P1,
            "P2" => Priority::P2,
            "P3" => Priority::P3,
            "P4" => Priority::P4,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }
}

/// `T-000123`: short, human, and what mail subjects carry.
pub fn number(id: i32) -> String {
    format!("T-{id:06}")
}

/// The id behind a ticket number; plain digits are accepted too.
pub fn parse_number(text: &str) -> Option<i32> {
    let digits = text.trim().strip_prefix("T-").or_else(|| text.trim().strip_prefix("t-")).unwrap_or(text.trim());
    if digits.is_empty() || digits.len() > 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

/// The ticket a path names; anything that is not a ticket number is a page that does
/// not exist.
pub fn id_of(text: &str) -> crate::error::AppResult<i32> {
    parse_number(text).ok_or(crate::error::AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_allows_exactly_the_ladder() {
        use Status::*;
        let allowed = [
            (New, Open),
            (New, WaitingOnSchool),
            (Open, WaitingOnSchool),
            (New, AtProvider),
            (Open, AtProvider),
            (WaitingOnSchool, Open),
            (AtProvider, Open),
            (Resolved, Open),
            (Closed, Open),
            (New, Resolved),
            (Open, Resolved),
            (WaitingOnSchool, Resolved),
            (AtProvider, Resolved),
            (Resolved, Closed),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn numbers_round_trip() {
        assert_eq!(number(123), "T-000123");
        assert_eq!(parse_number("T-000123"), Some(123));
        assert_eq!(parse_number("123"), Some(123));
        for bad in ["", "T-", "T-abc", "T-0", "-5", "T-9999999999", "1 2"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
