//! A real XMPP server for the tests: Debian's prosody, started on a free port with a
//! configuration and data of its own in a temporary directory, accounts registered with
//! prosodyctl, stopped when dropped. And a real XMPP client (xmpp-rs) as the agent's.
use std::collections::VecDeque;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_xmpp::connect::{DnsConfig, TcpServerConnector};
use tokio_xmpp::parsers::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::{Lang, Message, MessageType};
use tokio_xmpp::parsers::presence::{Presence, Show, Type as PresenceType};
use tokio_xmpp::stanzastream::{Event, StanzaStream, StreamEvent};
use tokio_xmpp::Stanza;

use crate::common::{free_port, loud_notice};

pub const DOMAIN: &str = "localhost";
pub const STAFFEL: &str = "staffel@localhost";
pub const PASSWORD: &str = "xmpp-test-secret";

pub struct Prosody {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

/// Whether prosody is installed; `.ci/run` installs it, elsewhere its absence is announced.
pub fn available() -> bool {
    let found = Command::new("prosodyctl").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !found {
        loud_notice("prosody is not installed (apt-get install prosody): the XMPP tests are SKIPPED");
    }
    found
}

impl Prosody {
    /// A server with Staffel's account and these others (`name` → `name@localhost`).
    pub fn start(accounts: &[&str]) -> Prosody {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let root = dir.path();
        std::fs::create_dir_all(root.join("data")).expect("data dir");
        std::fs::create_dir_all(root.join("certs")).expect("certs dir");
        let config = root.join("prosody.cfg.lua");
        std::fs::write(&config, config_text(root, port)).expect("prosody config");
        for name in std::iter::once("staffel").chain(accounts.iter().copied()) {
            let status = Command::new("prosodyctl")
                .arg("--config")
                .arg(&config)
                .args(["register", name, DOMAIN, PASSWORD])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("prosodyctl runs");
            assert!(status.success(), "prosodyctl register {name}");
        }
        let child = Command::new("prosody")
            .arg("--config")
            .arg(&config)
            .arg("-F")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prosody starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "prosody listens within 20 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        Prosody { port, child, _dir: dir }
    }

    /// Staffel's settings for this server.
    pub fn settings(&self, figment: rocket::figment::Figment) -> rocket::figment::Figment {
        figment
            .merge(("staffel.xmpp_jid", STAFFEL))
            .merge(("staffel.xmpp_password", PASSWORD))
            .merge(("staffel.xmpp_server", format!("127.0.0.1:{}", self.port)))
            .merge(("staffel.xmpp_transport", "plain"))
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config_text(root: &Path, port: u16) -> String {
    let root = root.display();
    format!(
        r#"run_as_root = true
daemonize = false
pidfile = "{root}/prosody.pid"
data_path = "{root}/data"
certificates = "{root}/certs"
modules_enabled = {{ "roster"; "saslauth"; "disco"; "ping"; "posix" }}
modules_disabled = {{ "s2s"; "offline"; "csi_simple" }}
c2s_ports = {{ {port} }}
c2s_interfaces = {{ "127.0.0.1" }}
s2s_ports = {{ }}
c2s_direct_tls_ports = {{ }}
legacy_ssl_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
storage = "internal"
log = {{ warn = "{root}/prosody.log" }}
VirtualHost "{DOMAIN}"
"#
    )
}

/// An agent's XMPP client: signed in, approving Staffel's wish to see its presence.
pub struct Agent {
    client: StanzaStream,
    pub jid: String,
    inbox: VecDeque<String>,
}

impl Agent {
    pub async fn connect(prosody: &Prosody, name: &str) -> Agent {
        let jid = format!("{name}@{DOMAIN}");
        let dns = DnsConfig::NoSrv { host: "127.0.0.1".into(), port: prosody.port, resolver: None };
        let timeouts = tokio_xmpp::xmlstream::Timeouts::tight();
        let account = BareJid::from_str(&jid).unwrap().into();
        let mut client = StanzaStream::new_c2s(TcpServerConnector::from(dns), account, PASSWORD.into(), timeouts, 16);
        let online = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(event) = client.next().await {
                if matches!(event, Event::Stream(StreamEvent::Reset { .. })) {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(online, Ok(true), "{jid} signs in to prosody");
        let mut agent = Agent { client, jid, inbox: VecDeque::new() };
        agent.show(None).await;
        agent
    }

    /// Tells its presence: available (`None`), or away, xa, dnd.
    pub async fn show(&mut self, show: Option<Show>) {
        let mut presence = Presence::available();
        presence.show = show;
        self.client.send(Box::new(presence.into())).await;
    }

    /// Goes offline without disconnecting.
    pub async fn unavailable(&mut self) {
        self.client.send(Box::new(Presence::unavailable().into())).await;
    }

    pub async fn say(&mut self, body: &str) {
        self.say_to(STAFFEL, body).await;
    }

    pub async fn say_to(&mut self, to: &str, body: &str) {
        let message = Message::chat(Some(Jid::from_str(to).unwrap())).with_body(Lang::default(), body.to_string());
        self.client.send(Box::new(message.into())).await;
    }

    /// The messages from Staffel within `wait`, handling subscription requests meanwhile.
    async fn pump(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.client.next()).await {
            let Event::Stanza(stanza) = event else { continue };
            match stanza {
                Stanza::Message(message) if message.type_ != MessageType::Error => {
                    if let Some((_, body)) = message.get_best_body(vec![]) {
                        self.inbox.push_back(body.clone());
                        return;
                    }
                }
                Stanza::Presence(presence) if presence.type_ == PresenceType::Subscribe => {
                    let from = presence.from.clone().expect("a subscription names its sender");
                    let answer = Presence::subscribed().with_to(from.to_bare());
                    self.client.send(Box::new(answer.into())).await;
                }
                _ => {}
            }
        }
    }

    /// The next message Staffel writes that contains `needle` (within 30 s); the ones before
    /// it are dropped.
    pub async fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            while let Some(body) = self.inbox.pop_front() {
                if body.contains(needle) {
                    return body;
                }
                seen.push(body);
            }
            self.pump(Duration::from_millis(500)).await;
        }
        panic!("{} was not told {needle:?} within 30 s; was told {seen:#?}", self.jid);
    }

    /// Everything Staffel writes within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            self.pump(deadline.saturating_duration_since(Instant::now())).await;
        }
        self.inbox.drain(..).collect()
    }
}
