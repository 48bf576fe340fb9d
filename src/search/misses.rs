//! Searches that found nothing, counted in memory and written to the database in batches
//! (`kb::service::flush_misses`, every few seconds and at shutdown): under load every miss
//! used to be a write of its own, and on SQLite every write waits for the one writer. The
//! counter is bounded, so that a flood of distinct queries cannot fill memory either.
use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entities::Role;

/// At most this many distinct queries wait for the next flush; further new ones are
/// dropped (and counted) until then, while the ones already waiting still count up.
pub const MAX_PENDING: usize = 10_000;

/// One query's misses since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMiss {
    pub count: i32,
    pub last_role: Role,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct MissCounter {
    pending: Mutex<HashMap<String, PendingMiss>>,
    dropped: std::sync::atomic::AtomicU64,
}

impl MissCounter {
    /// Counts a miss of this (already cleaned and lowercased) query.
    pub fn record(&self, query: String, role: Role, at: DateTime<Utc>) {
        let Ok(mut pending) = self.pending.lock() else { return };
        let full = pending.len() >= MAX_PENDING;
        match pending.get_mut(&query) {
            Some(miss) => {
                miss.count = miss.count.saturating_add(1);
                miss.last_role = role;
                miss.last_at = at;
            }
            None if full => {
                self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            None => {
                pending.insert(query, PendingMiss { count: 1, last_role: role, first_at: at, last_at: at });
            }
        }
    }

    /// Everything counted so far, leaving the counter empty.
    pub fn take(&self) -> HashMap<String, PendingMiss> {
        self.pending.lock().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default()
    }

    /// Puts back what a failed flush took, merged with what was counted meanwhile (within
    /// the bound).
    pub fn put_back(&self, taken: HashMap<String, PendingMiss>) {
        let Ok(mut pending) = self.pending.lock() else { return };
        for (query, miss) in taken {
            let full = pending.len() >= MAX_PENDING;
            match pending.get_mut(&query) {
                Some(newer) => {
                    newer.count = newer.count.saturating_add(miss.count);
                    newer.first_at = newer.first_at.min(miss.first_at);
                }
                None if full => {}
                None => {
                    pending.insert(query, miss);
                }
            }
        }
    }

    /// How many distinct queries wait for the next flush.
    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// New distinct queries dropped because the counter was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }
}
