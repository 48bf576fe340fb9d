//! Live events for the pages and clients that follow a chat, the desk's requests and
//! presence, and the helpdesk tile's availability. Infrastructure: it knows topics and
//! events, not what they mean.
//!
//! The database stays the source of truth. A service publishes an event only after the
//! transaction that wrote it committed; a subscriber that missed events (it lagged behind,
//! or its connection dropped) reads what it missed from the database, so an event may be
//! lost here without anything being lost for its reader.
//!
//! Several instances on one PostgreSQL hear each other's events through `relay`: an event
//! that names the ids it is about (`Event::relayed`) is also sent to the other instances,
//! which build it again from the rows; events without ids stay in this process.
pub mod relay;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

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
    /// The desk's ticket queues: some ticket changed.
    Queue,
}

impl Topic {
    /// The topic as a relay notice names it.
    pub fn key(&self) -> String {
        match self {
            Topic::Chat(id) => format!("chat:{id}"),
            Topic::Desk => "desk".into(),
            Topic::Availability => "availability".into(),
            Topic::Queue => "queue".into(),
        }
    }

    /// The topic a relay notice names, if it is one.
    pub fn parse(key: &str) -> Option<Topic> {
        match key {
            "desk" => Some(Topic::Desk),
            "availability" => Some(Topic::Availability),
            "queue" => Some(Topic::Queue),
            _ => key.strip_prefix("chat:")?.parse().ok().filter(|id| *id > 0).map(Topic::Chat),
        }
    }
}

/// The kind of the event a subscriber gets when events may have been lost for reasons not
/// its own (the relay's connection dropped): like a subscriber that lagged, it reads where
/// things stand from the database.
pub const RESYNC: &str = "resync";

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
    /// The ids another instance needs to build this event again from the database (the
    /// chat and the line's number, say); `None`: the event stays in this process.
    #[serde(skip)]
    pub relay: Option<Value>,
}

impl Event {
    pub fn new(kind: &'static str, payload: Value) -> Event {
        Event { kind, payload, to: None, relay: None }
    }

    /// The same event, told to the other instances too by these ids (a JSON object of
    /// numbers and booleans; see `relay`).
    pub fn relayed(mut self, ids: Value) -> Event {
        self.relay = Some(ids);
        self
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
        Topic::Desk | Topic::Availability | Topic::Queue => 256,
    }
}

/// The topics of this process and their subscribers, and how much each person sent lately.
/// Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Hub {
    topics: Arc<Mutex<HashMap<Topic, broadcast::Sender<Arc<Event>>>>>,
    sent: Arc<Mutex<HashMap<i32, (std::time::Instant, u32)>>>,
    /// Where events for the other instances go, once the relay runs (PostgreSQL only).
    outbound: Arc<OnceLock<relay::Outbound>>,
    /// What the relay sent, heard, refused and how often it resynced.
    pub relay_counts: Arc<relay::RelayCounts>,
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

    /// Tells the topic's subscribers, if it has any, and the other instances if the event
    /// names its ids and the relay runs. Topics nobody follows any more are forgotten on
    /// the way.
    pub fn publish(&self, topic: Topic, event: Event) {
        if let (Some(ids), Some(outbound)) = (&event.relay, self.outbound.get()) {
            outbound.send(topic, event.kind, ids, event.to.as_deref());
        }
        self.publish_here(topic, event);
    }

    /// Tells only this process's subscribers (an event another instance sent).
    pub fn publish_here(&self, topic: Topic, event: Event) {
        let mut topics = self.lock();
        if let Some(sender) = topics.get(&topic) {
            if sender.send(Arc::new(event)).is_err() {
                topics.remove(&topic);
            }
        }
    }

    /// Whether events travel to other instances (the relay runs).
    pub fn relays(&self) -> bool {
        self.outbound.get().is_some()
    }

    /// Sends events that name their ids to the other instances from now on.
    pub fn relay_to(&self, outbound: relay::Outbound) {
        let _ = self.outbound.set(outbound);
    }

    /// The topics somebody in this process follows.
    pub fn topics(&self) -> Vec<Topic> {
        self.lock().iter().filter(|(_, s)| s.receiver_count() > 0).map(|(t, _)| *t).collect()
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

    #[test]
    fn topics_read_back_from_their_keys() {
        for topic in [Topic::Chat(7), Topic::Desk, Topic::Availability, Topic::Queue] {
            assert_eq!(Topic::parse(&topic.key()), Some(topic));
        }
        for bad in ["chat:", "chat:0", "chat:-3", "chat:x", "Desk", "", "chat:1:2"] {
            assert_eq!(Topic::parse(bad), None, "{bad}");
        }
    }
}
