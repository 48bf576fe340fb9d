//! Counters of this process for `/metrics`: HTTP responses by status class, a latency
//! histogram, mail delivery and the XMPP bridge. Shared by the request fairing and the mail worker.
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    pub by_class: [AtomicU64; 5],
    pub buckets: [AtomicU64; BUCKETS.len()],
    pub count: AtomicU64,
    pub micros_sum: AtomicU64,
    pub mails_sent: AtomicU64,
    pub mail_failures: AtomicU64,
    /// 1 while this instance's XMPP bridge is signed in to its server.
    pub xmpp_up: AtomicU64,
    /// Messages the XMPP bridge wrote to agents and read from them.
    pub xmpp_sent: AtomicU64,
    pub xmpp_received: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, status: u16, seconds: f64) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros_sum.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }
}
