//! The desk's business hours, holidays and SLA targets as last read. Every new ticket's due
//! times are counted with them and they change only when a desk lead saves
//! `/desk/settings`, which empties this (`forget`); so opening a ticket costs no reads of them. Another
//! Staffel process on the same database changes them without telling this one: a copy is
//! therefore trusted for `FRESH_FOR` at most.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use super::calendar::Calendar;
use super::settings;
use crate::error::AppResult;
use entities::sla_target;

const FRESH_FOR: Duration = Duration::from_secs(10);

/// What due times are counted from.
pub struct DeskClock {
    pub calendar: Calendar,
    pub targets: Vec<sla_target::Model>,
}

#[derive(Default)]
pub struct ClockCache {
    last: RwLock<Option<(Instant, Arc<DeskClock>)>>,
    /// Bumped by `forget`: a read that began before a change must not store what it read.
    generation: AtomicU64,
}

impl ClockCache {
    pub async fn get<C: ConnectionTrait>(&self, db: &C, tz: chrono_tz::Tz) -> AppResult<Arc<DeskClock>> {
        if let Some((read_at, clock)) = self.last.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if read_at.elapsed() < FRESH_FOR {
                return Ok(clock.clone());
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        let clock =
            Arc::new(DeskClock { calendar: settings::calendar(db, tz).await?, targets: settings::targets(db).await? });
        let mut last = self.last.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            *last = Some((Instant::now(), clock.clone()));
        }
        Ok(clock)
    }

    /// After a change of the desk's settings: the next ticket reads them again.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        *self.last.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
