//! Role guards, layered on `CurrentUser`: a handler names the role it serves and the
//! guard answers 401 (not signed in) or 403 (signed in, wrong role) before it runs.
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::{session, Actor, CurrentUser, Role};
use crate::error::AppError;

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $($role:pat_param)|+) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Actor);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = AppError;

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
                match CurrentUser::from_request(req).await {
                    Outcome::Success(CurrentUser(actor)) => {
                        if matches!(actor.role, $($role)|+) {
                            Outcome::Success($name(actor))
                        } else {
                            Outcome::Error((Status::Forbidden, AppError::Forbidden))
                        }
                    }
                    Outcome::Error(e) => Outcome::Error(e),
                    Outcome::Forward(s) => Outcome::Forward(s),
                }
            }
        }
    };
}

role_guard!(
    /// Anyone signed in.
    AnyUser,
    Role::Pupil | Role::Teacher | Role::SchoolAdmin | Role::Agent | Role::DeskLead | Role::Operator
);
role_guard!(
    /// Teachers: they file problem reports to their school admins.
    Teacher,
    Role::Teacher
);
role_guard!(
    /// School admins: first level, the helpdesk tile.
    SchoolAdmin,
    Role::SchoolAdmin
);
role_guard!(
    /// Who writes FAQ articles: school admins (for their school, or as proposals) and the desk.
    Author,
    Role::SchoolAdmin | Role::Agent | Role::DeskLead
);
role_guard!(
    /// The service desk: agents and desk leads.
    Agent,
    Role::Agent | Role::DeskLead
);
role_guard!(
    /// Desk leads: the desk plus its configuration.
    DeskLead,
    Role::DeskLead
);
role_guard!(
    /// Operators: platform administration.
    Operator,
    Role::Operator
);

/// Anyone, signed in or not: anonymous readers are pupils (SPEC §2).
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<Actor>);

impl Viewer {
    pub fn role(&self) -> Role {
        self.0.as_ref().map(|a| a.role).unwrap_or(Role::Pupil)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Viewer {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Viewer(session::actor_of(req).await))
    }
}
