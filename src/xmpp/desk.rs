//! What the bridge does for the desk, apart from the connection itself: it answers an
//! agent's messages (commands, or lines for their chat), offers requests to agents who are
//! available on XMPP and have no browser open, and forwards the lines of the chats they
//! took there. Everything it does goes through the chat's own functions, as the pages do,
//! with `Via::Xmpp`; it returns what to write to whom and lets the connection send it.
use std::collections::{HashMap, HashSet};

use chrono::Utc;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::commands::{self, Command};
use super::links::{self, Confirmation};
use crate::app::App;
use crate::auth::Actor;
use crate::chat::{self, lifecycle, messages, presence, Via};
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Lang};
use crate::live::{Event, Topic};
use entities::{ChatStatus, MessageKind, PresenceState};

/// A line to write to an XMPP address (bare, lowercase).
pub type Outgoing = (String, String);

/// How many unlinked addresses are remembered as told (each is told once).
const NOTICED_MAX: usize = 10_000;

/// A chat answered from XMPP that the bridge follows.
struct Followed {
    agent: i32,
    jid: String,
    last_seq: i32,
    task: JoinHandle<()>,
}

pub struct Desk {
    app: App,
    /// Per agent, the state each of their XMPP clients (resources) reports.
    resources: HashMap<i32, HashMap<String, PresenceState>>,
    /// The chat an agent's plain lines go to.
    current: HashMap<i32, i32>,
    followed: HashMap<i32, Followed>,
    /// Requests offered over XMPP, and to whom.
    offered: HashMap<i32, Vec<i32>>,
    noticed: HashSet<String>,
    /// Addresses whose presence Staffel asks to see (newly confirmed agents).
    subscriptions: Vec<String>,
    /// A followed chat has news (its id).
    poke: mpsc::Sender<i32>,
}

/// What every XMPP client reported no longer holds (the connection it came through is gone).
pub async fn forget_all(app: &App) -> AppResult<()> {
    let txn = app.db.write().await?;
    presence::forget_remote(&txn).await?;
    txn.commit().await?;
    Ok(())
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

fn lang_of(actor: &Actor) -> Lang {
    Lang::parse(&actor.language).unwrap_or(Lang::De)
}

/// The most available of the states an agent's clients report.
fn combined(states: &HashMap<String, PresenceState>) -> Option<PresenceState> {
    states.values().copied().min()
}

impl Desk {
    pub fn new(app: App, poke: mpsc::Sender<i32>) -> Desk {
        Desk {
            app,
            resources: HashMap::new(),
            current: HashMap::new(),
            followed: HashMap::new(),
            offered: HashMap::new(),
            noticed: HashSet::new(),
            subscriptions: Vec::new(),
            poke,
        }
    }

    /// The connection is (again) up: follow the chats answered from XMPP, from their end.
    pub async fn online(&mut self) -> AppResult<()> {
        self.forget().await?;
        for running in chat::via::all_xmpp_chats(self.app.db.read()).await? {
            let Some(agent) = running.accepted_by else { continue };
            let Some(link) = links::of(self.app.db.read(), agent).await?.filter(|l| l.confirmed_at.is_some()) else {
                continue;
            };
            self.current.entry(agent).or_insert(running.id);
            self.follow(running.id, agent, link.jid, running.last_seq);
        }
        Ok(())
    }

    /// The connection is gone: what the clients reported no longer holds.
    pub async fn offline(&mut self) -> AppResult<()> {
        self.resources.clear();
        self.forget().await
    }

    async fn forget(&self) -> AppResult<()> {
        forget_all(&self.app).await
    }

    /// The agents whose XMPP clients are connected: their states still hold.
    pub async fn refresh(&self) -> AppResult<()> {
        let present: Vec<i32> = self.resources.iter().filter(|(_, r)| !r.is_empty()).map(|(id, _)| *id).collect();
        if present.is_empty() {
            return Ok(());
        }
        let txn = self.app.db.write().await?;
        presence::refresh_remote(&txn, &present, Utc::now()).await?;
        txn.commit().await?;
        Ok(())
    }

    fn follow(&mut self, chat_id: i32, agent: i32, jid: String, last_seq: i32) {
        if self.followed.contains_key(&chat_id) {
            return;
        }
        // Subscribed before anything is read, so that no line falls between.
        let mut events = self.app.live.subscribe(Topic::Chat(chat_id));
        let poke = self.poke.clone();
        let task = tokio::spawn(async move {
            // Any news, or news lost (lagged): the lines are read from the database.
            while let Ok(_) | Err(RecvError::Lagged(_)) = events.recv().await {
                if poke.send(chat_id).await.is_err() {
                    break;
                }
            }
        });
        self.followed.insert(chat_id, Followed { agent, jid, last_seq, task });
    }

    fn unfollow(&mut self, chat_id: i32) {
        if let Some(gone) = self.followed.remove(&chat_id) {
            gone.task.abort();
            if self.current.get(&gone.agent) == Some(&chat_id) {
                self.current.remove(&gone.agent);
                if let Some(next) = self.followed.iter().find(|(_, f)| f.agent == gone.agent).map(|(id, _)| *id) {
                    self.current.insert(gone.agent, next);
                }
            }
        }
    }

    /// The agent behind an address: confirmed, active, at the desk.
    async fn agent(&self, jid: &str) -> AppResult<Option<Actor>> {
        let Some(link) = links::confirmed_by_jid(self.app.db.read(), jid).await? else { return Ok(None) };
        let actor = crate::auth::session::load_actor(&self.app.db, link.user_id).await?;
        Ok(actor.filter(|a| a.role.is_desk()))
    }

    /// A client of this address reports a state (`None`: it went offline).
    pub async fn presence(&mut self, jid: &str, resource: &str, state: Option<PresenceState>) -> AppResult<bool> {
        let Some(actor) = self.agent(jid).await? else { return Ok(false) };
        let resources = self.resources.entry(actor.id).or_default();
        match state {
            Some(state) => resources.insert(resource.to_string(), state),
            None => resources.remove(resource),
        };
        let now_state = combined(resources);
        let txn = self.app.db.write().await?;
        presence::report_remote(&txn, actor.id, now_state, Utc::now()).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Whether this address belongs to a confirmed agent (whose subscription is welcome,
    /// and whose presence Staffel asks to see in turn).
    pub async fn is_agent(&mut self, jid: &str) -> AppResult<bool> {
        let agent = self.agent(jid).await?.is_some();
        if agent {
            self.subscriptions.push(jid.to_string());
        }
        Ok(agent)
    }

    /// The addresses to ask for their presence, once.
    pub fn take_subscriptions(&mut self) -> Vec<String> {
        std::mem::take(&mut self.subscriptions)
    }

    /// Whether this chat is one this agent answers from XMPP here.
    fn is_theirs(&self, chat_id: i32, agent: i32) -> bool {
        self.followed.get(&chat_id).is_some_and(|f| f.agent == agent)
    }

    /// A message from an address: what to answer, to whom.
    pub async fn message(&mut self, jid: &str, body: &str, id: Option<&str>) -> AppResult<Vec<Outgoing>> {
        let Some(actor) = self.agent(jid).await? else { return self.stranger(jid, body).await };
        let lang = lang_of(&actor);
        let current = self.current.get(&actor.id).copied();
        let reply = |text: String| Ok(vec![(jid.to_string(), text)]);
        match commands::parse(body, current.is_some()) {
            Command::Say(text) => {
                let Some(chat_id) = current else { return reply(tr(lang, "xmpp.no_chat").into()) };
                // The stanza's id makes a resent message (after a dropped connection) one line.
                let client = id.map(|id| {
                    format!("xmpp-{}", id.chars().filter(char::is_ascii_graphic).take(50).collect::<String>())
                });
                match messages::post_via(&self.app, &actor, chat_id, &text, client.as_deref(), Via::Xmpp).await {
                    Ok(_) => Ok(vec![]),
                    Err(e) => reply(e.message(lang)),
                }
            }
            Command::Help => reply(tr(lang, "xmpp.help").into()),
            Command::Unknown => reply(tr(lang, "xmpp.help").into()),
            Command::Link(_) => reply(tr(lang, "xmpp.already_linked").into()),
            Command::List => reply(self.list(&actor, lang).await?),
            Command::Accept(chat_id) => self.accept(&actor, jid, chat_id, lang).await,
            Command::Switch(chat_id) => {
                if !self.is_theirs(chat_id, actor.id) {
                    return reply(fill(tr(lang, "xmpp.not_yours"), &[("id", &chat_id.to_string())]));
                }
                self.current.insert(actor.id, chat_id);
                reply(fill(tr(lang, "xmpp.switched"), &[("id", &chat_id.to_string())]))
            }
            Command::End(named) | Command::Ticket(named) | Command::Browser(named) if named.or(current).is_none() => {
                reply(tr(lang, "xmpp.no_chat").into())
            }
            Command::End(named) => {
                let chat_id = named.or(current).unwrap_or_default();
                match lifecycle::close(&self.app, &actor, chat_id).await {
                    // The closing line, forwarded like every line, tells the agent.
                    Ok(_) => Ok(vec![]),
                    Err(e) => reply(e.message(lang)),
                }
            }
            Command::Ticket(named) => {
                let chat_id = named.or(current).unwrap_or_default();
                match chat::ending::to_ticket(&self.app, &actor, chat_id).await {
                    Ok(ticket) => {
                        let number = crate::tickets::number(ticket.id);
                        reply(fill(tr(lang, "xmpp.ticket"), &[("id", &chat_id.to_string()), ("ticket", &number)]))
                    }
                    Err(e) => reply(e.message(lang)),
                }
            }
            Command::Browser(named) => {
                let chat_id = named.or(current).unwrap_or_default();
                if !self.is_theirs(chat_id, actor.id) {
                    return reply(fill(tr(lang, "xmpp.not_yours"), &[("id", &chat_id.to_string())]));
                }
                chat::via::move_one_to_web(&self.app, &actor, chat_id).await?;
                self.unfollow(chat_id);
                reply(fill(tr(lang, "xmpp.moved"), &[("id", &chat_id.to_string())]))
            }
        }
    }

    /// A message from an address that is no agent's: a code confirming a pending link, or
    /// else a notice, once.
    async fn stranger(&mut self, jid: &str, body: &str) -> AppResult<Vec<Outgoing>> {
        if let Command::Link(code) = commands::parse(body, false) {
            let answer = match links::confirm(&self.app, jid, &code).await? {
                Confirmation::Confirmed(user_id) => {
                    let lang = match crate::auth::session::load_actor(&self.app.db, user_id).await? {
                        Some(actor) => lang_of(&actor),
                        None => Lang::De,
                    };
                    self.subscriptions.push(jid.to_string());
                    Some(tr(lang, "xmpp.linked"))
                }
                Confirmation::Wrong => Some(tr(Lang::De, "xmpp.code_wrong")),
                Confirmation::NothingPending => None,
            };
            if let Some(text) = answer {
                return Ok(vec![(jid.to_string(), text.to_string())]);
            }
        }
        if self.noticed.len() >= NOTICED_MAX || !self.noticed.insert(jid.to_string()) {
            return Ok(vec![]);
        }
        let notice = format!("{}\n\n{}", tr(Lang::De, "xmpp.not_linked"), tr(Lang::En, "xmpp.not_linked"));
        Ok(vec![(jid.to_string(), notice)])
    }

    async fn accept(&mut self, actor: &Actor, jid: &str, chat_id: i32, lang: Lang) -> AppResult<Vec<Outgoing>> {
        let reply = |text: String| Ok(vec![(jid.to_string(), text)]);
        if presence::browser_open(self.app.db.read(), &self.app.settings, actor.id).await? {
            return reply(tr(lang, "xmpp.browser_open").into());
        }
        self.offered.remove(&chat_id);
        let taken = match lifecycle::accept_via(&self.app, actor, chat_id, Via::Xmpp).await {
            Ok(taken) => taken,
            Err(e) => return reply(e.message(lang)),
        };
        self.current.insert(actor.id, chat_id);
        // Everything so far, then every line as it comes.
        self.follow(chat_id, actor.id, jid.to_string(), 0);
        let school = taken.school_name.clone().unwrap_or_default();
        let mut out = vec![(
            jid.to_string(),
            fill(
                tr(lang, "xmpp.accepted"),
                &[("id", &chat_id.to_string()), ("name", &taken.requester.name), ("school", &school)],
            ),
        )];
        out.extend(self.forward(chat_id).await?);
        Ok(out)
    }

    async fn list(&self, actor: &Actor, lang: Lang) -> AppResult<String> {
        let waiting = chat::requests_for(self.app.db.read(), actor).await?;
        let mut text = if waiting.is_empty() {
            tr(lang, "xmpp.none_waiting").to_string()
        } else {
            let mut text = tr(lang, "xmpp.waiting").to_string();
            for request in waiting.iter().take(20) {
                let school = request.school_name.clone().unwrap_or_default();
                text.push_str(&format!("\n#{} {} ({})", request.id, request.requester.name, school));
            }
            text
        };
        let mine: Vec<i32> = chat::via::xmpp_chats(self.app.db.read(), actor.id).await?.iter().map(|c| c.id).collect();
        if !mine.is_empty() {
            text.push_str(&format!("\n{}", tr(lang, "xmpp.yours")));
            for id in mine {
                let mark = if self.current.get(&actor.id) == Some(&id) { tr(lang, "xmpp.current") } else { "" };
                text.push_str(&format!("\n#{id} {mark}"));
            }
        }
        Ok(text.trim_end().to_string())
    }

    /// The lines of a followed chat that its agent has not been sent yet.
    pub async fn forward(&mut self, chat_id: i32) -> AppResult<Vec<Outgoing>> {
        let Some(followed) = self.followed.get(&chat_id) else { return Ok(vec![]) };
        let (agent, jid, after) = (followed.agent, followed.jid.clone(), followed.last_seq);
        let Some(actor) = crate::auth::session::load_actor(&self.app.db, agent).await? else {
            self.unfollow(chat_id);
            return Ok(vec![]);
        };
        let lang = lang_of(&actor);
        let (current, _) = match chat::find(self.app.db.read(), &actor, chat_id).await {
            Ok(found) => found,
            Err(AppError::NotFound) => {
                self.unfollow(chat_id);
                return Ok(vec![]);
            }
            Err(e) => return Err(e),
        };
        let lines = messages::lines_after(self.app.db.read(), chat_id, after).await?;
        let mut out = Vec::new();
        let mut ended = false;
        for (author, line) in &lines {
            let own = *author == Some(agent);
            let name = line.author.as_str();
            let text = match line.kind {
                MessageKind::Message if own => None,
                MessageKind::Message => Some(format!("{name}: {}", line.body)),
                MessageKind::File => {
                    let url = format!("{}/desk/chats/{chat_id}", self.app.settings.base_url.trim_end_matches('/'));
                    Some(fill(tr(lang, "xmpp.line_file"), &[("name", name), ("file", &line.body), ("url", &url)]))
                }
                MessageKind::Joined if own => None,
                MessageKind::Joined => Some(fill(tr(lang, "xmpp.line_joined"), &[("name", name)])),
                MessageKind::Left => Some(fill(tr(lang, "xmpp.line_left"), &[("name", name)])),
                MessageKind::Closed => {
                    ended = true;
                    Some(fill(tr(lang, "xmpp.line_closed"), &[("name", name)]))
                }
            };
            out.extend(text.map(|t| (jid.clone(), format!("[#{chat_id}] {t}"))));
        }
        if let (Some(f), Some((_, last))) = (self.followed.get_mut(&chat_id), lines.last()) {
            f.last_seq = last.seq;
        }
        let moved = current.answered_via != Via::Xmpp.as_str() || current.accepted_by != Some(agent);
        if ended || current.status == ChatStatus::Closed || moved {
            self.unfollow(chat_id);
            if ended || current.status == ChatStatus::Closed {
                out.push((jid, fill(tr(lang, "xmpp.ended"), &[("id", &chat_id.to_string())])));
            }
        }
        Ok(out)
    }

    /// A desk event: a request to offer, or one that was taken or withdrawn.
    pub async fn desk_event(&mut self, event: &Event) -> AppResult<Vec<Outgoing>> {
        let chat_id = match event.payload.get("chat") {
            Some(Value::Object(chat)) => chat.get("id").and_then(Value::as_i64),
            Some(other) => other.as_i64(),
            None => None,
        };
        let Some(chat_id) = chat_id.and_then(|id| i32::try_from(id).ok()) else { return Ok(vec![]) };
        match event.kind {
            "request" => self.offer(event, chat_id).await,
            "taken" | "closed" => {
                let Some(told) = self.offered.remove(&chat_id) else { return Ok(vec![]) };
                let by = event.payload.get("by").and_then(Value::as_str).unwrap_or("");
                let mut out = Vec::new();
                for user_id in told {
                    let (Some(actor), Some(link)) = (
                        crate::auth::session::load_actor(&self.app.db, user_id).await?,
                        links::of(self.app.db.read(), user_id).await?,
                    ) else {
                        continue;
                    };
                    let lang = lang_of(&actor);
                    let id = chat_id.to_string();
                    let text = if event.kind == "taken" {
                        fill(tr(lang, "xmpp.taken"), &[("id", &id), ("name", by)])
                    } else {
                        fill(tr(lang, "xmpp.ended"), &[("id", &id)])
                    };
                    out.push((link.jid, text));
                }
                Ok(out)
            }
            _ => Ok(vec![]),
        }
    }

    async fn offer(&mut self, event: &Event, chat_id: i32) -> AppResult<Vec<Outgoing>> {
        let db = self.app.db.read();
        let now = Utc::now();
        let mut out = Vec::new();
        let mut first_line: Option<String> = None;
        for link in links::confirmed(db).await? {
            if !event.is_for(link.user_id) || self.offered.get(&chat_id).is_some_and(|t| t.contains(&link.user_id)) {
                continue;
            }
            let facts = presence::facts(db, Some(&[link.user_id])).await?.remove(&link.user_id).unwrap_or_default();
            let available = presence::state_at(&facts, &self.app.settings, now) == PresenceState::Online;
            if !available || facts.browser_open(&self.app.settings, now) {
                continue;
            }
            let Some(actor) = crate::auth::session::load_actor(&self.app.db, link.user_id).await? else { continue };
            let (found, _) = match chat::find(db, &actor, chat_id).await {
                Ok(found) => found,
                Err(AppError::NotFound) => return Ok(out),
                Err(e) => return Err(e),
            };
            if found.status != ChatStatus::Waiting {
                return Ok(out);
            }
            if first_line.is_none() {
                let lines = messages::read_after(db, chat_id, 0).await?;
                first_line = lines.into_iter().find(|l| l.kind == MessageKind::Message).map(|l| l.body);
            }
            let shown = chat::view::chat(db, found).await?;
            let lang = lang_of(&actor);
            let id = chat_id.to_string();
            let channel = shown.channel.as_ref().map(|c| c.name.clone()).unwrap_or_default();
            let school = shown.school_name.clone().unwrap_or_default();
            let text: String = first_line.clone().unwrap_or_default().chars().take(300).collect();
            let values = [
                ("id", id.as_str()),
                ("channel", &channel),
                ("name", &shown.requester.name),
                ("school", &school),
                ("text", &text),
            ];
            out.push((link.jid.clone(), fill(tr(lang, "xmpp.offer"), &values)));
            self.offered.entry(chat_id).or_default().push(link.user_id);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_available_client_counts() {
        let mut states = HashMap::new();
        assert_eq!(combined(&states), None);
        states.insert("phone".to_string(), PresenceState::Xa);
        assert_eq!(combined(&states), Some(PresenceState::Xa));
        states.insert("laptop".to_string(), PresenceState::Online);
        assert_eq!(combined(&states), Some(PresenceState::Online));
    }

    #[test]
    fn placeholders_are_filled_and_others_left() {
        assert_eq!(fill("#{id} von {name} {x}", &[("id", "3"), ("name", "Anna")]), "#3 von Anna {x}");
    }
}
