//! SLA due times: a priority's first-response and resolution targets, counted in the desk's
//! business hours (week and holidays, `/desk/settings`).
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::status::Priority;
use crate::config::Settings;
use crate::desk;
use crate::error::AppResult;

/// The desk's business hours and a priority's targets: what due times are counted from.
pub struct SlaClock {
    calendar: desk::calendar::Calendar,
    target: Option<entities::sla_target::Model>,
}

impl SlaClock {
    pub async fn load<C: ConnectionTrait>(db: &C, settings: &Settings, priority: Priority) -> AppResult<SlaClock> {
        let calendar = desk::service::calendar(db, settings.tz()).await?;
        let target = desk::service::targets(db).await?.into_iter().find(|t| t.priority == priority.as_str());
        Ok(SlaClock { calendar, target })
    }

    /// Due times counted in business hours from `from`.
    pub fn due_times(&self, from: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        match &self.target {
            Some(t) => (
                Some(self.calendar.add_business_minutes(from, t.first_response_minutes as i64)),
                Some(self.calendar.add_business_minutes(from, t.resolution_minutes as i64)),
            ),
            None => (None, None),
        }
    }
}

/// Due times for a priority, counted in the desk's business hours from `from`.
pub async fn due_times<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    priority: Priority,
    from: DateTime<Utc>,
) -> AppResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    Ok(SlaClock::load(db, settings, priority).await?.due_times(from))
}
