//! Who is asking: roles, the acting user, sessions and API tokens, CSRF, passwords, login
//! throttling. The request guards that hand the acting user to handlers are in `app::guards`
//! (they need the application's database).
pub mod csrf;
pub mod password;
pub mod session;
pub mod throttle;

use serde::Serialize;

pub use entities::Role;

/// Where a role lands after login.
pub fn start_page(role: Role) -> &'static str {
    match role {
        Role::Pupil | Role::Teacher => "/faq",
        Role::SchoolAdmin => "/helpdesk",
        Role::Agent | Role::DeskLead => "/desk",
        Role::Operator => "/admin",
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
