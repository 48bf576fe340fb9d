//! Live events for the pages and clients that follow a chat, the desk's requests and
//! presence, and the helpdesk tile's availability. Infrastructure: it knows topics and
//! events, not what they mean.
//!
//! The database stays the source of truth. A service publishes an event only after the
//! transaction that wrote it committed; a subscriber that missed events (it lagged behind,
//! or its connection dropped) reads what it missed from the database, so an event may be
//! lost here without anything being lost for its reader.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One chat: its messages, who types, who joined or left, the requester's place.
    Chat(i32),
    /// The desk: chat requests, presence, chats taken.
    Desk,
    /// Whether chat is available (the helpdesk tile, the widget).
    Availability,
}

/// One event: its kind (`message`, `typing`, `joined`, …) and what the kind says.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub payload: Value,
    /// Who the event is for, when not for every subscriber of its topic (a request for
    /// the agents of its channel): the subscriber's route filters, the event never says.
    #[serde(skip)]
    pub to: Option<Vec<i32>>,
}

impl Event {
    pub fn new(kind: &'static str, payload: Value) -> Event {
        Event { kind, payload, to: None }
    }

    /// The same event for these people only.
    pub fn to(mut self, users: Vec<i32>) -> Event {
        self.to = Some(users);
        self
    }

    /// Whether this person is to hear of it.
    pub fn is_for(&self, user_id: i32) -> bool {
        self.to.as_ref().is_none_or(|to| to.contains(&user_id))
    }

    /// The event as a frame or an event's data: JSON with its `type`.
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// How many events a subscriber may fall behind before it must catch up from the
/// database. A chat has a handful of readers who keep up; thousands of chats each hold
/// their ring, so it stays short there (a slot is ~40 bytes). The desk's and the tile's
/// topics are few and busier.
fn backlog(topic: Topic) -> usize {
    match topic {
        Topic::Chat(_) => 32,
        Topic::Desk | Topic::Availability => 256,
    }
}

/// The topics of this process and their subscribers, and how much each person sent lately.
/// Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Hub {
    topics: Arc<Mutex<HashMap<Topic, broadcast::Sender<Arc<Event>>>>>,
    sent: Arc<Mutex<HashMap<i32, (std::time::Instant, u32)>>>,
}

impl Hub {
    /// Whether this person may send one more message within `per_minute` (counted per
    /// instance, in fixed one-minute windows).
    pub fn allow(&self, user_id: i32, per_minute: u32) -> bool {
        let now = std::time::Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if sent.len() > 10_000 {
            sent.retain(|_, (since, _)| now.duration_since(*since).as_secs() < 60);
        }
        let (since, count) = sent.entry(user_id).or_insert((now, 0));
        if now.duration_since(*since).as_secs() >= 60 {
            *since = now;
            *count = 0;
        }
        if *count >= per_minute {
            return false;
        }
        *count += 1;
        true
    }

    /// Follows a topic from now on.
    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Arc<Event>> {
        let mut topics = self.lock();
        topics.entry(topic).or_insert_with(|| broadcast::channel(backlog(topic)).0).subscribe()
    }

    /// Tells the topic's subscribers, if it has any. Topics nobody follows any more are
    /// forgotten on the way.
    pub fn publish(&self, topic: Topic, event: Event) {
        let mut topics = self.lock();
        if let Some(sender) = topics.get(&topic) {
            if sender.send(Arc::new(event)).is_err() {
                topics.remove(&topic);
            }
        }
    }

    /// How many subscribers a topic has (for tests and metrics).
    pub fn subscribers(&self, topic: Topic) -> usize {
        self.lock().get(&topic).map_or(0, |s| s.receiver_count())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, broadcast::Sender<Arc<Event>>>> {
        // The map stays consistent whatever panicked while holding it: inserts and removes.
        self.topics.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_hear_what_is_published_after_they_came() {
        let hub = Hub::default();
        hub.publish(Topic::Chat(1), Event::new("message", serde_json::json!({ "seq": 1 })));
        let mut rx = hub.subscribe(Topic::Chat(1));
        let mut other = hub.subscribe(Topic::Chat(2));
        hub.publish(Topic::Chat(1), Event::new("message", serde_json::json!({ "seq": 2 })));
        let got = rx.recv().await.unwrap();
        assert_eq!((got.kind, got.payload["seq"].as_i64()), ("message", Some(2)));
        assert!(other.try_recv().is_err(), "another chat's subscriber hears nothing");
        drop(rx);
        hub.publish(Topic::Chat(1), Event::new("message", serde_json::json!({ "seq": 3 })));
        assert_eq!(hub.subscribers(Topic::Chat(1)), 0, "a topic nobody follows is forgotten");
    }
}
