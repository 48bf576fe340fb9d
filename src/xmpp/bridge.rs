//! The connection: Staffel signs in to its XMPP server as its own account and stays there
//! (the client reconnects by itself), hears presence and messages, and writes what the desk
//! part (`desk`) answers. Only one instance on a database holds the connection (a
//! PostgreSQL advisory lock); the others take over when it goes. Events of the other
//! instances reach this one through the live relay, so one connection serves them all.
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use futures::StreamExt;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::{self, Connection};
use tokio::sync::{mpsc, watch};
use tokio_xmpp::connect::{DnsConfig, StartTlsServerConnector, TcpServerConnector};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::{Lang, Message, MessageType};
use tokio_xmpp::parsers::presence::{Presence, Show, Type as PresenceType};
use tokio_xmpp::stanzastream::{Event, StanzaStream, StreamEvent};
use tokio_xmpp::xmlstream::Timeouts;
use tokio_xmpp::Stanza;

use super::desk::{Desk, Outgoing};
use crate::app::App;
use crate::config::XmppTransport;
use crate::error::AppResult;
use crate::live::Topic;
use entities::PresenceState;

/// The advisory lock that makes one instance the bridge (an arbitrary, fixed number).
const LEADER_LOCK: i64 = 0x5354_4146_584d_5050;

/// Starts the bridge when the server lifts off, if Staffel has an XMPP account.
#[derive(Default)]
pub struct XmppBridge {
    stop: Mutex<Option<watch::Sender<bool>>>,
}

#[rocket::async_trait]
impl Fairing for XmppBridge {
    fn info(&self) -> Info {
        Info { name: "Agents on XMPP", kind: Kind::Liftoff | Kind::Shutdown }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(app) = rocket.state::<App>() else { return };
        if !app.settings.xmpp_enabled() {
            return;
        }
        let (tx, rx) = watch::channel(false);
        tokio::spawn(run(app.clone(), rx));
        if let Ok(mut stop) = self.stop.lock() {
            *stop = Some(tx);
        }
    }

    async fn on_shutdown(&self, _rocket: &Rocket<Orbit>) {
        if let Some(tx) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(true);
        }
    }
}

/// Holds the bridge's place among the instances while it lives.
enum Leader {
    /// SQLite: one instance, but a second process started on the same data directory by
    /// mistake must not answer as well: a lock on a file there.
    /// Held, never read: the lock lasts as long as the open file.
    File {
        _held: std::fs::File,
    },
    Lock(PgConnection),
}

impl Leader {
    /// Waits until this instance may run the bridge; `None` when stopped meanwhile.
    async fn acquire(app: &App, stop: &mut watch::Receiver<bool>) -> Option<Leader> {
        let mut told = false;
        loop {
            let attempt = if app.settings.is_postgres() {
                try_lock(&app.settings.database_url()).await.map_err(|e| e.to_string())
            } else {
                try_file_lock(&app.settings.data_dir.join("xmpp-bridge.lock")).map_err(|e| e.to_string())
            };
            match attempt {
                Ok(Some(leader)) => return Some(leader),
                Ok(None) if !told => {
                    tracing::info!("another instance runs the XMPP bridge; this one takes over if it goes");
                    told = true;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot ask for the XMPP bridge's lock"),
            }
            if stopped_within(stop, Duration::from_secs(5)).await {
                return None;
            }
        }
    }

    /// Whether the place is still held (the lock's connection is alive).
    async fn holds(&mut self) -> bool {
        match self {
            Leader::File { .. } => true,
            Leader::Lock(connection) => sqlx::query("select 1").execute(&mut *connection).await.is_ok(),
        }
    }
}

async fn try_lock(url: &str) -> Result<Option<Leader>, sqlx::Error> {
    let mut connection = PgConnection::connect(url).await?;
    let (got,): (bool,) =
        sqlx::query_as("select pg_try_advisory_lock($1)").bind(LEADER_LOCK).fetch_one(&mut connection).await?;
    Ok(got.then_some(Leader::Lock(connection)))
}

fn try_file_lock(path: &std::path::Path) -> std::io::Result<Option<Leader>> {
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Leader::File { _held: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Whether a stop came within `wait`.
async fn stopped_within(stop: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    match tokio::time::timeout(wait, stop.changed()).await {
        Ok(Ok(())) => *stop.borrow(),
        Ok(Err(_)) => true,
        Err(_) => false,
    }
}

async fn run(app: App, mut stop: watch::Receiver<bool>) {
    // rustls may have more than one crypto backend compiled in; name the one to use.
    let _ = tokio_xmpp::rustls::crypto::aws_lc_rs::default_provider().install_default();
    loop {
        let Some(leader) = Leader::acquire(&app, &mut stop).await else { return };
        tracing::info!(jid = %app.settings.xmpp_jid, "agents may answer chats over XMPP");
        if let Err(e) = session(&app, leader, &mut stop).await {
            tracing::error!(error = %e.chain(), "the XMPP bridge stopped");
        }
        app.metrics.xmpp_up.store(0, Ordering::Relaxed);
        if let Err(e) = super::desk::forget_all(&app).await {
            tracing::warn!(error = %e.chain(), "cannot forget the XMPP presences");
        }
        if stopped_within(&mut stop, Duration::from_secs(5)).await {
            return;
        }
    }
}

/// How many stanzas may wait in each direction before the other side waits.
const QUEUE: usize = 64;

/// The stream to Staffel's XMPP server. The stream itself rather than the crate's `Client`:
/// the client's receiving half gives up its turn without asking to be woken when a send
/// holds the stream at that moment, which stalls reception under load; one task owning the
/// stream both ways has no such race.
fn stream(app: &App) -> Option<StanzaStream> {
    let settings = &app.settings;
    let Ok(jid) = BareJid::from_str(settings.xmpp_jid.trim()) else {
        tracing::error!("STAFFEL_XMPP_JID is no XMPP address");
        return None;
    };
    let password = settings.xmpp_password.clone();
    let timeouts = Timeouts::default();
    let dns = match settings.xmpp_server_address() {
        Some((host, port)) => DnsConfig::NoSrv { host, port, resolver: None },
        None => DnsConfig::srv_default_client(jid.domain().as_str()),
    };
    Some(match settings.xmpp_transport() {
        XmppTransport::Plain => {
            StanzaStream::new_c2s(TcpServerConnector::from(dns), jid.into(), password, timeouts, QUEUE)
        }
        XmppTransport::StartTls => {
            StanzaStream::new_c2s(StartTlsServerConnector::from(dns), jid.into(), password, timeouts, QUEUE)
        }
    })
}

/// Runs the connection until it is stopped or this instance loses its place.
async fn session(app: &App, mut leader: Leader, stop: &mut watch::Receiver<bool>) -> AppResult<()> {
    let Some(mut client) = stream(app) else { return Ok(()) };
    let (poke, mut poked) = mpsc::channel::<i32>(256);
    let mut desk = Desk::new(app.clone(), poke);
    let mut desk_events = app.live.subscribe(Topic::Desk);
    // What a client reports holds for the heartbeat timeout: confirm it well within.
    let every = Duration::from_secs((app.settings.chat_heartbeat_timeout_secs / 3).max(1) as u64);
    let mut tick = tokio::time::interval(every);
    let own = app.settings.xmpp_jid.trim().to_lowercase();
    loop {
        let out: Vec<Outgoing> = tokio::select! {
            _ = stop.changed() => {
                client.close().await;
                return Ok(());
            }
            event = client.next() => match event {
                None => return Ok(()),
                Some(Event::Stream(StreamEvent::Reset { bound_jid, .. })) => {
                    tracing::info!(jid = %bound_jid, "the XMPP bridge is online");
                    let mut here = Presence::available().with_show(Show::Chat);
                    here.set_status("de", "Staffel");
                    send(&mut client, here.into()).await;
                    // Chats taken on XMPP are followed from their last line on: what was
                    // said while no instance was connected stays in the browser's view.
                    desk.online().await?;
                    app.metrics.xmpp_up.store(1, Ordering::Relaxed);
                    vec![]
                }
                // The same session again: presence and chats carry on.
                Some(Event::Stream(StreamEvent::Resumed)) => {
                    app.metrics.xmpp_up.store(1, Ordering::Relaxed);
                    vec![]
                }
                Some(Event::Stream(StreamEvent::Suspended)) => {
                    tracing::warn!("the XMPP bridge lost its connection; it connects again");
                    app.metrics.xmpp_up.store(0, Ordering::Relaxed);
                    desk.offline().await?;
                    vec![]
                }
                Some(Event::Stanza(stanza)) => match stanza {
                    Stanza::Message(message) => {
                        app.metrics.xmpp_received.fetch_add(1, Ordering::Relaxed);
                        incoming_message(&mut desk, &own, message).await?
                    }
                    Stanza::Presence(presence) => {
                        if let Some(answer) = incoming_presence(&mut desk, presence).await? {
                            send(&mut client, answer.into()).await;
                        }
                        vec![]
                    }
                    Stanza::Iq(iq) => {
                        if let Some(answer) = answer_iq(iq) {
                            send(&mut client, answer.into()).await;
                        }
                        vec![]
                    }
                },
            },
            event = desk_events.recv() => match event {
                Ok(event) => desk.desk_event(&event).await?,
                // Offers are a courtesy: a missed one is offered again by the desk's jobs.
                Err(_) => { desk_events = app.live.subscribe(Topic::Desk); vec![] }
            },
            Some(chat_id) = poked.recv() => desk.forward(chat_id).await?,
            _ = tick.tick() => {
                if !leader.holds().await {
                    tracing::warn!("the XMPP bridge lost its lock; another instance may take over");
                    client.close().await;
                    return Ok(());
                }
                desk.refresh().await?;
                vec![]
            }
        };
        for to in desk.take_subscriptions() {
            let Ok(to) = Jid::from_str(&to) else { continue };
            send(&mut client, Presence::subscribe().with_to(to).into()).await;
        }
        for (to, body) in out {
            let Ok(to) = Jid::from_str(&to) else { continue };
            let message = Message::chat(Some(to)).with_body(Lang::default(), body);
            send(&mut client, message.into()).await;
            app.metrics.xmpp_sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Queues a stanza; the stream sends it when connected (and again after a resumption).
async fn send(client: &mut StanzaStream, stanza: Stanza) {
    client.send(Box::new(stanza)).await;
}

fn bare(jid: &Jid) -> String {
    jid.to_bare().to_string().to_lowercase()
}

async fn incoming_message(desk: &mut Desk, own: &str, message: Message) -> AppResult<Vec<Outgoing>> {
    // Errors, group chats and headlines are no agent talking to Staffel.
    if !matches!(message.type_, MessageType::Chat | MessageType::Normal) {
        return Ok(vec![]);
    }
    let Some(from) = message.from.as_ref() else { return Ok(vec![]) };
    let from = bare(from);
    let Some((_, body)) = message.get_best_body(vec![]) else { return Ok(vec![]) };
    if from == own || body.trim().is_empty() {
        return Ok(vec![]);
    }
    let id = message.id.as_ref().map(|id| id.0.clone());
    desk.message(&from, body, id.as_deref()).await
}

/// Takes a client's presence as its agent's; answers a linked agent's subscription.
async fn incoming_presence(desk: &mut Desk, presence: Presence) -> AppResult<Option<Presence>> {
    let Some(from) = presence.from.clone() else { return Ok(None) };
    let jid = bare(&from);
    let resource = from.resource().map(|r| r.to_string()).unwrap_or_default();
    let state = match presence.type_ {
        PresenceType::None => Some(match presence.show {
            None | Some(Show::Chat) => PresenceState::Online,
            Some(Show::Away) => PresenceState::Away,
            Some(Show::Xa) => PresenceState::Xa,
            Some(Show::Dnd) => PresenceState::Dnd,
        }),
        PresenceType::Unavailable | PresenceType::Error => None,
        PresenceType::Subscribe => {
            // Only agents may see Staffel's presence; strangers are not answered.
            return Ok(desk.is_agent(&jid).await?.then(|| Presence::subscribed().with_to(from.to_bare())));
        }
        _ => return Ok(None),
    };
    desk.presence(&jid, &resource, state).await?;
    Ok(None)
}

/// A ping is answered; every other request is refused as the protocol asks.
fn answer_iq(iq: Iq) -> Option<Iq> {
    use tokio_xmpp::parsers::ping::Ping;
    use tokio_xmpp::parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};
    let (from, id, payload) = match iq {
        Iq::Get { from, id, payload, .. } | Iq::Set { from, id, payload, .. } => (from?, id, payload),
        _ => return None,
    };
    if Ping::try_from(payload).is_ok() {
        return Some(Iq::empty_result(from, id));
    }
    let refused = StanzaError::new(ErrorType::Cancel, DefinedCondition::ServiceUnavailable, "en", "");
    Some(Iq::from_error(id, refused).with_to(from))
}
