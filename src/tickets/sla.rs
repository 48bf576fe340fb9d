//! SLA due times: a priority's first-response and resolution targets, counted in the desk's
//! business hours (week and holidays, `/desk/settings`).
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::status::Priority;
use super::Env;
use crate::error::AppResult;
use crate::sla::DeskClock;

/// The desk's business hours and a priority's targets: what due times are counted from.
pub struct SlaClock {
    clock: Arc<DeskClock>,
    priority: Priority,
}

impl SlaClock {
    pub async fn load(env: &impl Env, priority: Priority) -> AppResult<SlaClock> {
        Ok(SlaClock { clock: env.desk_clock().get(env.db().read(), env.settings().tz()).await?, priority })
    }

    /// Due times counted in business hours from `from`.
    pub fn due_times(&self, from: DateTime<Utc>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let calendar = &self.clock.calendar;
        match self.clock.targets.iter().find(|t| t.priority == self.priority) {
            Some(t) => (
                Some(calendar.add_business_minutes(from, t.first_response_minutes as i64)),
                Some(calendar.add_business_minutes(from, t.resolution_minutes as i64)),
            ),
            None => (None, None),
        }
    }
}

/// Due times for a priority, counted in the desk's business hours from `from`.
pub async fn due_times(
    env: &impl Env,
    priority: Priority,
    from: DateTime<Utc>,
) -> AppResult<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    Ok(SlaClock::load(env, priority).await?.due_times(from))
}
