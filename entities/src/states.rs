//! The states and kinds that columns hold, as types. Each is stored as the same short text
//! it always was (no migration changes a column for them), and an unknown text read from the
//! database is an error that names it (SeaORM's "unexpected value for … enum: …"), never a
//! silent default.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a text-backed state: the enum with its stored strings, `as_str`, `parse` and
/// `ALL` in declaration order.
macro_rules! text_state {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $($(#[$vdoc])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and shown, and serialised) text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The state a text names; None for anything else.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_state!(
    /// Who someone is in Staffel. Provider contacts are not users.
    Role {
        Pupil = "pupil",
        Teacher = "teacher",
        SchoolAdmin = "school_admin",
        Agent = "agent",
        DeskLead = "desk_lead",
        Operator = "operator",
    }
);

impl Role {
    /// Pupils, teachers and school admins belong to exactly one school; the desk and the
    /// operators belong to none.
    pub fn needs_school(self) -> bool {
        matches!(self, Role::Pupil | Role::Teacher | Role::SchoolAdmin)
    }

    /// The service desk: agents and desk leads (a desk lead is an agent plus configuration).
    pub fn is_desk(self) -> bool {
        matches!(self, Role::Agent | Role::DeskLead)
    }
}

text_state!(
    /// Where a ticket stands on the ladder.
    TicketStatus {
        New = "new",
        Open = "open",
        WaitingOnSchool = "waiting_on_school",
        AtProvider = "at_provider",
        Resolved = "resolved",
        Closed = "closed",
    }
);

impl TicketStatus {
    /// Still being worked on (counts towards queues and SLA).
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }

    /// new → open → (waiting_on_school | at_provider) → resolved → closed, with the way
    /// back to open from waiting, provider, resolved and closed (reopen). Every change of a
    /// ticket's status is checked here, so an invalid transition is refused in one place.
    pub fn can_become(self, next: TicketStatus) -> bool {
        use TicketStatus::*;
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

text_state!(
    /// P1 (critical: a service is down for a school) to P4 (low); ordered by urgency.
    Priority {
        P1 = "P1",
        P2 = "P2",
        P3 = "P3",
        P4 = "P4",
    }
);

impl Priority {
    /// A priority as people type it: `p2`, ` P2 `.
    pub fn from_input(text: &str) -> Option<Priority> {
        Priority::parse(&text.trim().to_ascii_uppercase())
    }
}

text_state!(
    /// What one timeline entry of a ticket records.
    EventKind {
        Created = "created",
        Comment = "comment",
        Note = "note",
        Assign = "assign",
        Reclassify = "reclassify",
        AskSchool = "ask_school",
        Resolved = "resolved",
        Closed = "closed",
        Reopened = "reopened",
        Forward = "forward",
        Recall = "recall",
        ProviderReply = "provider_reply",
        ProviderAck = "provider_ack",
        ProviderComment = "provider_comment",
        ProviderResolved = "provider_resolved",
        ProviderOverdue = "provider_overdue",
        Attachments = "attachments",
        SlaFirstNear = "sla_first_near",
        SlaFirstOverdue = "sla_first_overdue",
        SlaResolutionNear = "sla_resolution_near",
        SlaResolutionOverdue = "sla_resolution_overdue",
        ChatTranscript = "chat_transcript",
    }
);

impl EventKind {
    /// What the provider does through their link (and the desk's answers to them): the
    /// conversation a provider's page shows of its own forward.
    pub fn is_provider_conversation(self) -> bool {
        matches!(
            self,
            EventKind::ProviderAck
                | EventKind::ProviderComment
                | EventKind::ProviderResolved
                | EventKind::ProviderReply
        )
    }
}

text_state!(
    /// A forward's life: working at the provider, then ended one way or another.
    ForwardStatus {
        Active = "active",
        Recalled = "recalled",
        Solved = "solved",
        Closed = "closed",
    }
);

text_state!(
    /// Whether readers see an article.
    ArticleStatus {
        Draft = "draft",
        Published = "published",
    }
);

text_state!(
    /// Where an article's text comes from: a file of the shipped `kb/` (imports may update
    /// it) or written in Staffel (imports leave it alone).
    ArticleOrigin {
        Shipped = "shipped",
        Authored = "authored",
    }
);

text_state!(
    /// A teacher's report: waiting for the school admins, or handled.
    ReportStatus {
        New = "new",
        Answered = "answered",
        Escalated = "escalated",
    }
);

text_state!(
    /// A mail in the outbox.
    MailStatus {
        Pending = "pending",
        Sent = "sent",
        /// Gave up after the retry limit.
        Failed = "failed",
    }
);

text_state!(
    /// A chat: a school admin's request to the desk, or agents talking among themselves.
    ChatKind {
        Request = "request",
        Direct = "direct",
    }
);

text_state!(
    /// Where a chat stands: waiting for an agent, under way, or over.
    ChatStatus {
        Waiting = "waiting",
        Active = "active",
        Closed = "closed",
    }
);

text_state!(
    /// How reachable someone at the desk is for chat, most available first.
    PresenceState {
        Online = "online",
        Away = "away",
        /// Extended away.
        Xa = "xa",
        /// Do not disturb.
        Dnd = "dnd",
        Offline = "offline",
    }
);

text_state!(
    /// What one line of a chat is: something a person wrote or sent, or what Staffel
    /// records about the chat.
    MessageKind {
        Message = "message",
        File = "file",
        Joined = "joined",
        Left = "left",
        Closed = "closed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_allows_exactly_the_ladder() {
        use TicketStatus::*;
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
        for &from in TicketStatus::ALL {
            for &to in TicketStatus::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn texts_round_trip_and_unknown_texts_are_refused() {
        for &status in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(status.as_str()), Some(status));
            assert_eq!(status.to_value(), status.as_str());
        }
        assert_eq!(TicketStatus::parse("Open"), None);
        let refused = TicketStatus::try_from_value(&"reopened_by_magic".to_string()).unwrap_err();
        assert!(refused.to_string().contains("reopened_by_magic"), "{refused}");
        assert_eq!(Priority::from_input(" p2 "), Some(Priority::P2));
        assert!(Priority::P1 < Priority::P4, "ordered by urgency");
        assert_eq!(serde_json::to_string(&Role::SchoolAdmin).unwrap(), "\"school_admin\"");
    }
}
