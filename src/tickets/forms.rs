//! Forms of the ticket pages. Every field defaults to empty so that a missing field gets
//! the same clear message as an empty one.
use rocket::FromForm;

use crate::attachments::store::Upload;
use crate::csrf_form;

#[derive(Debug, FromForm)]
pub struct NewTicketForm<'r> {
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
    #[field(default = String::new())]
    pub triage_scope: String,
    #[field(default = String::new())]
    pub triage_fault_type: String,
    /// Attachments and the screenshot captured in the browser.
    #[field(default = Vec::new())]
    pub files: Vec<Upload<'r>>,
}

/// One form for every ticket action: each uses the fields it needs.
#[derive(Debug, FromForm)]
pub struct ActionForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = false)]
    pub internal: bool,
    #[field(default = String::new())]
    pub agent: String,
    #[field(default = String::new())]
    pub priority: String,
    #[field(default = String::new())]
    pub service: String,
    /// The version the page showed; a newer one means someone else changed the ticket.
    #[field(default = String::new())]
    pub version: String,
    /// Forwarding: the provider, whether the description goes along, which entries.
    #[field(default = String::new())]
    pub provider: String,
    #[field(default = false)]
    pub share_description: bool,
    #[field(default = Vec::new())]
    pub shared_events: Vec<i32>,
    /// Forwarding: which of the ticket's files the provider may download.
    #[field(default = Vec::new())]
    pub shared_attachments: Vec<i32>,
    /// Replies and notes: files that go with them.
    #[field(default = Vec::new())]
    pub files: Vec<Upload<'r>>,
    /// Recall and reply: which forward.
    #[field(default = 0)]
    pub forward: i32,
}

csrf_form!(NewTicketForm<'_>, ActionForm<'_>);

impl NewTicketForm<'_> {
    pub fn input(&self) -> super::service::NewTicket {
        super::service::NewTicket {
            title: self.title.clone(),
            description: self.description.clone(),
            service: self.service.clone(),
            priority: self.priority.clone(),
            triage_scope: self.triage_scope.clone(),
            triage_fault_type: self.triage_fault_type.clone(),
        }
    }
}

impl ActionForm<'_> {
    pub fn version(&self) -> Option<i32> {
        self.version.trim().parse().ok()
    }
}
