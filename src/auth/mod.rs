//! Who is asking: roles, the acting user, sessions, tokens, CSRF, passwords, throttling.
pub mod csrf;
pub mod guards;
pub mod password;
pub mod session;
pub mod throttle;
pub mod tokens;

use serde::Serialize;

pub use guards::{Agent, AnyUser, Author, DeskLead, Operator, SchoolAdmin, Teacher, Viewer};
pub use session::CurrentUser;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Pupil,
    Teacher,
    SchoolAdmin,
    Agent,
    DeskLead,
    Operator,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Pupil, Role::Teacher, Role::SchoolAdmin, Role::Agent, Role::DeskLead, Role::Operator];

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s.trim() {
            "pupil" => Role::Pupil,
            "teacher" => Role::Teacher,
            "school_admin" => Role::SchoolAdmin,
            "agent" => Role::Agent,
            "desk_lead" => Role::DeskLead,
            "operator" => Role::Operator,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pupil => "pupil",
            Role::Teacher => "teacher",
            Role::SchoolAdmin => "school_admin",
            Role::Agent => "agent",
            Role::DeskLead => "desk_lead",
            Role::Operator => "operator",
        }
    }

    /// Pupils, teachers and school admins belong to exactly one school; the desk and the
    /// operators belong to none.
    pub fn needs_school(self) -> bool {
        matches!(self, Role::Pupil | Role::Teacher | Role::SchoolAdmin)
    }

    /// The service desk: agents and desk leads (a desk lead is an agent plus configuration).
    pub fn is_desk(self) -> bool {
        matches!(self, Role::Agent | Role::DeskLead)
    }

    /// Where this role lands after login.
    pub fn start_page(self) -> &'static str {
        match self {
            Role::Pupil | Role::Teacher => "/faq",
            Role::SchoolAdmin => "/helpdesk",
            Role::Agent | Role::DeskLead => "/desk",
            Role::Operator => "/admin",
        }
    }
}

/// The acting user, as every service function receives it so that scoping happens in the
/// query. Built from the session or the API token, never from request input.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub school_id: Option<i32>,
    pub school_slug: Option<String>,
    pub school_name: Option<String>,
    pub language: String,
}

impl Actor {
    /// A label for the audit log that survives the user's later deletion.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}
