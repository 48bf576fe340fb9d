//! SeaORM entities: one module per table, and the states their columns hold (`states`).
//! No web types here.
pub mod api_token;
pub mod attachment;
pub mod attachment_share;
pub mod audit_event;
pub mod business_hours;
pub mod canned_response;
pub mod chat;
pub mod chat_channel;
pub mod chat_member;
pub mod chat_message;
pub mod chat_participant;
pub mod chat_presence;
pub mod chat_presence_session;
pub mod chat_unanswered;
pub mod forward;
pub mod forward_link;
pub mod holiday;
pub mod kb_article;
pub mod kb_draft_source;
pub mod kb_revision;
pub mod kb_search_miss;
pub mod kb_vote;
pub mod login_attempt;
pub mod mail_outbox;
pub mod password_reset;
pub mod provider;
pub mod provider_contact;
pub mod provider_service;
pub mod report;
pub mod saved_filter;
pub mod school;
pub mod service;
pub mod session;
pub mod sla_target;
pub mod states;
pub mod ticket;
pub mod ticket_event;
pub mod ticket_read;
pub mod user;
pub mod widget_nonce;
pub mod xmpp_link;

pub use states::{
    ArticleOrigin, ArticleStatus, ChatKind, ChatStatus, EventKind, ForwardStatus, MailStatus, MessageKind,
    PresenceState, Priority, ReportStatus, Role, TicketStatus,
};

pub mod prelude {
    pub use super::api_token::Entity as ApiToken;
    pub use super::attachment::Entity as Attachment;
    pub use super::attachment_share::Entity as AttachmentShare;
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::business_hours::Entity as BusinessHours;
    pub use super::forward::Entity as Forward;
    pub use super::forward_link::Entity as ForwardLink;
    pub use super::holiday::Entity as Holiday;
    pub use super::kb_article::Entity as KbArticle;
    pub use super::kb_draft_source::Entity as KbDraftSource;
    pub use super::kb_revision::Entity as KbRevision;
    pub use super::kb_search_miss::Entity as KbSearchMiss;
    pub use super::login_attempt::Entity as LoginAttempt;
    pub use super::mail_outbox::Entity as MailOutbox;
    pub use super::password_reset::Entity as PasswordReset;
    pub use super::provider::Entity as Provider;
    pub use super::provider_contact::Entity as ProviderContact;
    pub use super::provider_service::Entity as ProviderService;
    pub use super::report::Entity as Report;
    pub use super::school::Entity as School;
    pub use super::service::Entity as Service;
    pub use super::session::Entity as Session;
    pub use super::sla_target::Entity as SlaTarget;
    pub use super::ticket::Entity as Ticket;
    pub use super::ticket_event::Entity as TicketEvent;
    pub use super::ticket_read::Entity as TicketRead;
    pub use super::user::Entity as User;
}
