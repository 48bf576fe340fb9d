//! The forms of the ticket pages, one per action. Every field defaults to empty, so a
//! missing field gets the same clear message as an empty one; `version` is the version
//! the page showed (a newer one means someone else changed the ticket).
use rocket::FromForm;

use crate::attachments::store::Upload;
use crate::csrf_form;

fn version_of(text: &str) -> Option<i32> {
    text.trim().parse().ok()
}

/// A form with the fields of a new ticket, and any of its own after them: the helpdesk's
/// (which adds the first-level questions) and the widget dialog's (which adds where it was
/// opened) are one list of fields, so they cannot drift apart. It gets `ticket()`, the
/// ticket as opening takes it (no first-level answers), and `typed()`, what was typed for
/// showing the form again.
macro_rules! new_ticket_form {
    ($(#[$meta:meta])* pub struct $name:ident<$r:lifetime> { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, rocket::FromForm)]
        pub struct $name<$r> {
            #[field(name = "_csrf", default = String::new())]
            pub csrf: String,
            #[field(default = String::new())]
            pub title: String,
            #[field(default = String::new())]
            pub description: String,
            #[field(default = String::new())]
            pub service: String,
            #[field(default = String::new())]
            pub priority: String,
            /// Attachments and the screenshot captured in the browser.
            #[field(default = Vec::new())]
            pub files: Vec<$crate::attachments::store::Upload<$r>>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $name<'_> {
            pub fn ticket(&self) -> $crate::tickets::NewTicket {
                $crate::tickets::NewTicket {
                    title: self.title.clone(),
                    description: self.description.clone(),
                    service: self.service.clone(),
                    priority: self.priority.clone(),
                    ..Default::default()
                }
            }

            pub fn typed(&self) -> serde_json::Value {
                serde_json::json!({
                    "title": self.title, "description": self.description, "service": self.service,
                    "priority": self.priority,
                })
            }
        }
    };
}
pub(crate) use new_ticket_form;

new_ticket_form! {
    /// The helpdesk's new ticket, with the first-level questions.
    pub struct NewTicketForm<'r> {
        #[field(default = String::new())]
        pub triage_scope: String,
        #[field(default = String::new())]
        pub triage_fault_type: String,
    }
}

impl NewTicketForm<'_> {
    pub fn input(&self) -> crate::tickets::NewTicket {
        crate::tickets::NewTicket {
            triage_scope: self.triage_scope.clone(),
            triage_fault_type: self.triage_fault_type.clone(),
            ..self.ticket()
        }
    }
}

/// A reply, the desk's internal note, or its question to the school; with files.
#[derive(Debug, FromForm)]
pub struct ReplyForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = false)]
    pub internal: bool,
    #[field(default = String::new())]
    pub version: String,
    /// The newest timeline event the page showed (see `BoxForm`).
    #[field(default = String::new())]
    pub seen: String,
    #[field(default = Vec::new())]
    pub files: Vec<Upload<'r>>,
}

impl ReplyForm<'_> {
    pub fn reply(&self) -> crate::ladder::tickets::Reply {
        crate::ladder::tickets::Reply {
            body: self.body.clone(),
            internal: self.internal,
            version: version_of(&self.version),
        }
    }
}

#[derive(Debug, FromForm)]
pub struct AssignForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub agent: String,
    #[field(default = String::new())]
    pub version: String,
    /// The newest timeline event the page showed (see `BoxForm`).
    #[field(default = String::new())]
    pub seen: String,
}

#[derive(Debug, FromForm)]
pub struct ReclassifyForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub priority: String,
    #[field(default = String::new())]
    pub service: String,
    #[field(default = String::new())]
    pub version: String,
    /// The newest timeline event the page showed (see `BoxForm`).
    #[field(default = String::new())]
    pub seen: String,
}

/// Resolve (the solution), reopen (the reason) and close (nothing): a text and a version.
#[derive(Debug, FromForm)]
pub struct TextForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub version: String,
    /// The newest timeline event the page showed (see `BoxForm`).
    #[field(default = String::new())]
    pub seen: String,
}

#[derive(Debug, FromForm)]
pub struct ForwardForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub provider: String,
    #[field(default = String::new())]
    pub priority: String,
    /// The message to the provider.
    #[field(default = String::new())]
    pub body: String,
    #[field(default = false)]
    pub share_description: bool,
    #[field(default = Vec::new())]
    pub shared_events: Vec<i32>,
    /// Which of the ticket's files the provider may download.
    #[field(default = Vec::new())]
    pub shared_attachments: Vec<i32>,
    #[field(default = String::new())]
    pub version: String,
    /// The newest timeline event the page showed (see `BoxForm`).
    #[field(default = String::new())]
    pub seen: String,
}

impl ForwardForm {
    pub fn input(&self) -> crate::forwards::service::ForwardInput {
        crate::forwards::service::ForwardInput {
            provider: self.provider.clone(),
            priority: self.priority.clone(),
            message: self.body.clone(),
            share_description: self.share_description,
            shared_events: self.shared_events.clone(),
            shared_attachments: self.shared_attachments.clone(),
        }
    }
}

/// The desk's answer to a provider (with files), or the recall of that forward.
#[derive(Debug, FromForm)]
pub struct OnForwardForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = 0)]
    pub forward: i32,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub version: String,
    /// The newest timeline event the page showed (see `BoxForm`).
    #[field(default = String::new())]
    pub seen: String,
    #[field(default = Vec::new())]
    pub files: Vec<Upload<'r>>,
}

/// The desk's reply box: the text, its mode, the forward it answers (provider mode) and
/// the version the page showed; also a forward's recall button (`mode=recall`). `seen` is
/// the newest timeline event the page showed, so a refused post can mark what came since;
/// `close=1` is "reply and resolve"; `confirm=1` confirms a resolve or recall.
#[derive(Debug, FromForm)]
pub struct BoxForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub mode: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub forward: String,
    #[field(default = String::new())]
    pub version: String,
    #[field(default = String::new())]
    pub seen: String,
    #[field(default = String::new())]
    pub close: String,
    #[field(default = String::new())]
    pub confirm: String,
    #[field(default = Vec::new())]
    pub files: Vec<Upload<'r>>,
}

impl BoxForm<'_> {
    /// The post as the ladder takes it; an unknown mode is refused.
    pub fn input(&self) -> crate::error::AppResult<crate::ladder::reply::BoxInput> {
        Ok(crate::ladder::reply::BoxInput {
            mode: crate::ladder::reply::Mode::parse(&self.mode)?,
            body: self.body.clone(),
            forward: self.forward.trim().parse().ok(),
            version: version_of(&self.version),
            close: self.close.trim() == "1",
        })
    }

    pub fn confirmed(&self) -> bool {
        self.confirm.trim() == "1"
    }

    pub fn seen(&self) -> Option<i32> {
        version_of(&self.seen)
    }
}

csrf_form!(
    NewTicketForm<'_>,
    ReplyForm<'_>,
    AssignForm,
    ReclassifyForm,
    TextForm,
    ForwardForm,
    OnForwardForm<'_>,
    BoxForm<'_>
);

impl AssignForm {
    pub fn version(&self) -> Option<i32> {
        version_of(&self.version)
    }
}

impl ReclassifyForm {
    pub fn version(&self) -> Option<i32> {
        version_of(&self.version)
    }
}

impl TextForm {
    pub fn version(&self) -> Option<i32> {
        version_of(&self.version)
    }
}

impl ForwardForm {
    pub fn version(&self) -> Option<i32> {
        version_of(&self.version)
    }
}

impl OnForwardForm<'_> {
    pub fn version(&self) -> Option<i32> {
        version_of(&self.version)
    }
}

/// The newest timeline event the form's page showed.
macro_rules! seen {
    ($($form:ty),+) => {
        $(impl $form {
            pub fn seen(&self) -> Option<i32> {
                version_of(&self.seen)
            }
        })+
    };
}

seen!(ReplyForm<'_>, AssignForm, ReclassifyForm, TextForm, ForwardForm, OnForwardForm<'_>);
