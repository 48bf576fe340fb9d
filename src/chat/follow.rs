//! Following a chat live, for a WebSocket or an event stream: what the follower missed
//! since the sequence number it names, then every line once, in order, and the events that
//! are no stored line (typing, the requester's place) as they come.
//!
//! The live hub may drop events (a follower that fell behind) or hand them over out of
//! order (two senders publish after their commits in either order). Lines are therefore
//! read again from the database whenever one seems to be missing: a follower delivers a
//! line only if it is the next one, and catches up from the database otherwise.
use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError};

use super::find;
use super::messages::{line_event, read_after, seq_of, PAGE};
use crate::app::App;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::live::{Event, Topic, RESYNC};

pub struct Follower {
    chat_id: i32,
    user_id: i32,
    /// The last line delivered (or named by the follower when it came).
    last: i32,
    events: broadcast::Receiver<Arc<Event>>,
    ready: VecDeque<Arc<Event>>,
    /// Set while lines may be missing: the next call reads them first. Kept in a flag
    /// rather than a local so that a call cancelled mid-read (the socket had something to
    /// say first) does not forget it.
    behind: bool,
}

impl Follower {
    /// Starts following a chat this actor may read, after line `after` (0: from the
    /// start). Subscribes before reading, so nothing falls between the two.
    pub async fn start(app: &App, actor: &Actor, chat_id: i32, after: i32) -> AppResult<Follower> {
        find(app.db.read(), actor, chat_id).await?;
        let events = app.live.subscribe(Topic::Chat(chat_id));
        Ok(Follower { chat_id, user_id: actor.id, last: after.max(0), events, ready: VecDeque::new(), behind: true })
    }

    /// The last line this follower has.
    pub fn last(&self) -> i32 {
        self.last
    }

    /// The next event to hand over; `None` when the chat's topic is gone (it never is
    /// while this follower holds its receiver, so in practice: never).
    pub async fn next(&mut self, app: &App) -> AppResult<Option<Arc<Event>>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some(event));
            }
            if self.behind {
                self.catch_up(app).await?;
                continue;
            }
            let event = match self.events.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(_)) => {
                    self.behind = true;
                    continue;
                }
                Err(RecvError::Closed) => return Ok(None),
            };
            if !event.is_for(self.user_id) {
                continue;
            }
            // Events may have been lost on the way from another instance: read the lines.
            if event.kind == RESYNC {
                self.behind = true;
                continue;
            }
            match seq_of(&event) {
                None => return Ok(Some(event)),
                Some(seq) if seq <= self.last => continue,
                Some(seq) if seq == self.last + 1 => {
                    self.last = seq;
                    return Ok(Some(event));
                }
                Some(_) => self.behind = true,
            }
        }
    }

    /// Reads the lines after the last one delivered, a page at a time.
    async fn catch_up(&mut self, app: &App) -> AppResult<()> {
        let lines = read_after(app.db.read(), self.chat_id, self.last).await?;
        let full_page = lines.len() as u64 >= PAGE;
        for line in lines {
            self.last = line.seq;
            self.ready.push_back(Arc::new(line_event(self.chat_id, line)));
        }
        self.behind = full_page;
        Ok(())
    }
}
