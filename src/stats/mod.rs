//! Reports with charts (issue #14): what the desk did per week, how the SLA held, how old
//! the open backlog is, how providers answered, what the FAQ missed and how chat waited.
//! The desk lead sees every school; a school admin the same figures of their own school,
//! scoped in every query (`Scope`). The ticket figures are summed from the kernel's day
//! tallies (`tickets::tally`), never counted from all tickets of the range.
//! Weeks are the desk's weeks: Monday 00:00 in Staffel's time zone, so a ticket opened on
//! Monday 00:30 in Berlin counts in that week in summer and in winter alike.
pub mod chart;
pub mod csv;
pub mod feedback;
pub mod figures;
pub mod groups;
pub mod range;
mod sql;
pub mod tables;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use sea_orm::DatabaseConnection;

pub use range::{Breakdown, Range, Week};

/// Whose numbers a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every school (the desk lead).
    Desk,
    /// One school (its admins).
    School(i32),
}

impl Scope {
    /// The scope of the acting user; everybody else has no report.
    pub fn of(actor: &Actor) -> AppResult<Scope> {
        match (actor.role, actor.school_id) {
            (Role::DeskLead, _) => Ok(Scope::Desk),
            (Role::SchoolAdmin, Some(school)) => Ok(Scope::School(school)),
            _ => Err(AppError::Forbidden),
        }
    }

    pub fn school(self) -> Option<i32> {
        match self {
            Scope::Desk => None,
            Scope::School(id) => Some(id),
        }
    }
}

/// Everything the reports page shows, for one scope and range.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub breakdown: Breakdown,
    pub weeks: Vec<figures::WeekFigures>,
    pub groups: Vec<groups::GroupFigures>,
    /// The largest groups week by week (the rest as one "others" series).
    pub group_weeks: Vec<groups::GroupWeeks>,
    pub backlog: Vec<figures::BacklogBucket>,
    pub providers: Vec<feedback::ProviderFigures>,
    pub chat: Vec<feedback::ChatWeek>,
    /// The FAQ's figures are not a school's: searches and ratings come from every reader.
    pub searches: Option<Vec<feedback::MissedSearch>>,
    pub ratings: Option<Vec<feedback::ArticleRating>>,
}

/// The report of `actor`'s scope over `range`, its groups named in `lang`.
pub async fn report(
    db: &DatabaseConnection,
    actor: &Actor,
    tz: chrono_tz::Tz,
    range: &Range,
    breakdown: Breakdown,
    lang: Lang,
    now: DateTime<Utc>,
) -> AppResult<Report> {
    let scope = Scope::of(actor)?;
    let weeks = range.weeks(tz);
    let window = range.window(tz);
    // Independent reads run side by side (SQLite's WAL readers and PostgreSQL's pool both
    // answer them in parallel).
    let (week_figures, (groups, group_weeks), backlog, providers, chat, faq) = tokio::try_join!(
        figures::weeks(db, scope, &weeks, tz, now),
        groups::groups(db, scope, &weeks, tz, breakdown, lang),
        figures::backlog(db, scope, now),
        feedback::providers(db, scope, window, now),
        feedback::chat(db, scope, &weeks),
        feedback::faq(db, scope, window),
    )?;
    let (searches, ratings) = match faq {
        Some((s, r)) => (Some(s), Some(r)),
        None => (None, None),
    };
    Ok(Report {
        from: range.from.to_string(),
        to: range.to.to_string(),
        breakdown,
        weeks: week_figures,
        groups,
        group_weeks,
        backlog,
        providers,
        chat,
        searches,
        ratings,
    })
}
