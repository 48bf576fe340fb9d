//! Staffel's settings: read once from the figment (Rocket.toml `[default.staffel]` and
//! `STAFFEL_*` environment variables) into one typed struct.
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rocket::figment::{
    self,
    providers::{Env, Serialized},
    value::{Dict, Map, Value},
    Figment, Metadata, Profile, Provider,
};
use serde::{Deserialize, Serialize};

mod widget;
mod xmpp;
pub use widget::web_origin;
pub use xmpp::XmppTransport;

/// Why the configuration cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid Staffel configuration")]
    Unreadable(#[source] Box<figment::Error>),
    #[error("{0}")]
    Setting(String),
    #[error("{} does not hold 64 hex characters", path.display())]
    BadSecretFile { path: PathBuf },
    #[error("cannot write {}", path.display())]
    SecretFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    Embedded,
    Meilisearch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailKind {
    File,
    Smtp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Where SQLite, the search index, the outbox files and attachments live.
    pub data_dir: PathBuf,
    /// Empty: SQLite in the data dir. `postgres://…` switches to PostgreSQL.
    pub database_url: String,
    /// The most database connections this process opens; 0: 8 on SQLite, 20 on PostgreSQL.
    pub db_connections: u32,
    /// How long a request waits for a database connection before it answers 503 (seconds);
    /// 0: 10. Shorter answers sooner while a PostgreSQL server is gone, but also turns a
    /// burst that waits for the pool into 503s.
    pub db_acquire_timeout_secs: u64,
    /// PostgreSQL's `statement_timeout` for the server's connections (seconds; 0: none):
    /// a statement that runs longer is cancelled and its request answers 503.
    pub db_statement_timeout_secs: u64,
    /// SQLite's `synchronous`: `full` (every commit reaches the disk before it is
    /// acknowledged, so it survives a power cut) or `normal` (faster commits; the last
    /// ones before a power cut can be lost, the database stays intact).
    pub sqlite_synchronous: String,
    pub search: SearchKind,
    pub meili_url: String,
    pub meili_key: String,
    /// The Meilisearch index every instance of one Staffel shares.
    pub meili_index: String,
    pub mail: MailKind,
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://host:465` (TLS).
    pub smtp_url: String,
    pub mail_from: String,
    /// The address users reach Staffel under; used for links in mails.
    pub base_url: String,
    /// Local overrides of the embedded templates, static files and FAQ articles.
    pub templates_dir: Option<PathBuf>,
    pub static_dir: Option<PathBuf>,
    pub kb_dir: Option<PathBuf>,
    /// What the helpdesk tile shows as the desk's phone and hours.
    pub desk_phone: String,
    pub desk_hours: String,
    /// The desk's time zone: business hours and SLA due times are local time here.
    pub timezone: String,
    /// How long after resolving or closing a school admin may reopen a ticket.
    pub reopen_days: i64,
    pub session_hours: i64,
    pub reset_link_minutes: i64,
    /// Login throttling: failures before slowing down, before locking, and for how long.
    pub login_slow_after: i32,
    pub login_delay_ms: u64,
    pub login_lock_after: i32,
    pub login_lock_after_per_address: i32,
    pub login_lock_minutes: i64,
    /// Proxies whose forwarding header (`X-Forwarded-For`, else `X-Real-IP`) names the
    /// client: addresses or networks (`10.0.0.0/8`), separated by commas or spaces. Empty:
    /// the peer address counts, whatever a header claims.
    pub trusted_proxies: String,
    /// Mail worker: how often to look for due mail, the first retry's delay (doubled per
    /// attempt up to an hour), and after how many days of failing a mail is given up: an
    /// outage of the mail server over a weekend loses nothing.
    pub mail_poll_ms: u64,
    pub mail_retry_base_secs: i64,
    pub mail_give_up_days: i64,
    /// The deadline of one delivery: lettre's own timeout covers only connecting, so a
    /// server that accepts and then never answers would hold the outbox forever.
    pub mail_send_timeout_secs: u64,
    /// Plain text logs for people (`text`) or one JSON object per line (`json`).
    pub log_format: String,
    /// Run the background jobs (mail delivery, ...) in this process.
    pub run_jobs: bool,
    /// The largest attachment accepted, in bytes (Rocket's `file` and `data-form` limits
    /// are raised to at least this much when they are lower).
    pub attachment_max_bytes: u64,
    /// How often the reminder job looks for SLA targets and provider deadlines coming due.
    pub reminder_interval_secs: u64,
    /// Chat presence: idle for this long moves online → away, then away → extended away.
    pub chat_away_after_secs: i64,
    pub chat_xa_after_secs: i64,
    /// A tab or device not heard of for this long is gone (its agent may be offline).
    pub chat_heartbeat_timeout_secs: i64,
    /// A request unanswered this long sets the online agents who let it wait away, and is
    /// offered to the others again.
    pub chat_unanswered_secs: i64,
    /// How many chats one agent runs at once.
    pub chat_max_active: u32,
    /// Closed chats are deleted after this many days.
    pub chat_retention_days: i64,
    /// Closed tickets and finished reports are anonymised this many months after they were
    /// closed (their free text replaced, their files removed, numbers kept); the records of
    /// who opened what (the view log) are deleted after the same time.
    pub ticket_retention_months: i64,
    /// The longest chat message, in characters.
    pub chat_message_max: usize,
    /// How many messages one person may send a minute.
    pub chat_messages_per_minute: u32,
    /// The support widget: the origins (`https://lms.example.org`, comma- or space-separated)
    /// whose pages may embed it, and per origin the secret its signed user assertions are
    /// made with (`origin=secret` pairs, same separators), and how long an assertion may live.
    pub widget_origins: String,
    pub widget_secrets: String,
    pub widget_assertion_max_secs: i64,
    /// Agents on XMPP: Staffel's own account (empty: no XMPP), its password, the server to
    /// connect to (`host:port`; empty: the address's domain via DNS), and the transport
    /// (`starttls`, or `plain` for a server on the same host only).
    pub xmpp_jid: String,
    pub xmpp_password: String,
    pub xmpp_server: String,
    pub xmpp_transport: String,
    /// Derived from Rocket's secret key, never configured: provider link tokens are
    /// HMAC(key, stored salt), so a mail can repeat a link of which only the hash is stored.
    #[serde(skip)]
    pub provider_link_key: [u8; 32],
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            db_connections: 0,
            db_acquire_timeout_secs: 0,
            db_statement_timeout_secs: 30,
            sqlite_synchronous: "full".into(),
            search: SearchKind::Embedded,
            meili_url: "http://127.0.0.1:7700".into(),
            meili_key: String::new(),
            meili_index: "staffel_kb".into(),
            mail: MailKind::File,
            smtp_url: String::new(),
            mail_from: "Staffel <staffel@localhost>".into(),
            base_url: "http://127.0.0.1:8000".into(),
            templates_dir: None,
            static_dir: None,
            kb_dir: None,
            desk_phone: "+49 30 1234567".into(),
            desk_hours: "Mo–Fr 7:30–16:00".into(),
            timezone: "Europe/Berlin".into(),
            reopen_days: 14,
            session_hours: 24 * 7,
            reset_link_minutes: 60,
            login_slow_after: 3,
            login_delay_ms: 250,
            login_lock_after: 10,
            login_lock_after_per_address: 100,
            login_lock_minutes: 15,
            trusted_proxies: String::new(),
            mail_poll_ms: 1000,
            mail_retry_base_secs: 5,
            mail_give_up_days: 7,
            mail_send_timeout_secs: 30,
            log_format: "text".into(),
            run_jobs: true,
            attachment_max_bytes: 10 * 1024 * 1024,
            reminder_interval_secs: 60,
            chat_away_after_secs: 5 * 60,
            chat_xa_after_secs: 30 * 60,
            chat_heartbeat_timeout_secs: 60,
            chat_unanswered_secs: 120,
            chat_max_active: 5,
            chat_retention_days: 90,
            ticket_retention_months: 13,
            chat_message_max: 4000,
            chat_messages_per_minute: 60,
            widget_origins: String::new(),
            widget_secrets: String::new(),
            widget_assertion_max_secs: 300,
            xmpp_jid: String::new(),
            xmpp_password: String::new(),
            xmpp_server: String::new(),
            xmpp_transport: "starttls".into(),
            provider_link_key: [0; 32],
        }
    }
}

impl Settings {
    pub fn from_figment(figment: &Figment) -> Result<Settings, ConfigError> {
        let settings: Settings = match figment.extract_inner("staffel") {
            Ok(settings) => settings,
            // No `staffel` section at all is fine: every key has a default.
            Err(e) if e.missing() => Settings::default(),
            Err(e) => return Err(ConfigError::Unreadable(Box::new(e))),
        };
        settings.validate().map_err(ConfigError::Setting)?;
        let mut settings = settings;
        // Without a readable key, a random one: links then work until the next restart,
        // after which later mails hand out fresh links (see `forwards::links`).
        let secret = figment.extract_inner::<String>("secret_key").unwrap_or_else(|_| crate::crypto::random_hex(32));
        settings.provider_link_key = crate::crypto::derive_key(&secret, "staffel provider links");
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        let at_least = |name: &str, value: i64, min: i64| -> Result<(), String> {
            if value < min {
                Err(format!("STAFFEL_{} must be at least {min}, not {value}", name.to_uppercase()))
            } else {
                Ok(())
            }
        };
        at_least("session_hours", self.session_hours, 1)?;
        at_least("reset_link_minutes", self.reset_link_minutes, 1)?;
        at_least("login_slow_after", self.login_slow_after as i64, 1)?;
        at_least("login_lock_after", self.login_lock_after as i64, 1)?;
        at_least("login_lock_after_per_address", self.login_lock_after_per_address as i64, 1)?;
        at_least("login_lock_minutes", self.login_lock_minutes, 1)?;
        at_least("mail_give_up_days", self.mail_give_up_days, 1)?;
        at_least("reminder_interval_secs", self.reminder_interval_secs as i64, 1)?;
        at_least("chat_away_after_secs", self.chat_away_after_secs, 1)?;
        at_least("chat_xa_after_secs", self.chat_xa_after_secs, self.chat_away_after_secs)?;
        at_least("chat_heartbeat_timeout_secs", self.chat_heartbeat_timeout_secs, 5)?;
        at_least("chat_unanswered_secs", self.chat_unanswered_secs, 5)?;
        at_least("chat_max_active", self.chat_max_active as i64, 1)?;
        at_least("chat_retention_days", self.chat_retention_days, 1)?;
        at_least("ticket_retention_months", self.ticket_retention_months, 1)?;
        if self.ticket_retention_months > 1200 {
            return Err(format!(
                "STAFFEL_TICKET_RETENTION_MONTHS must be at most 1200, not {}",
                self.ticket_retention_months
            ));
        }
        at_least("chat_message_max", self.chat_message_max as i64, 1)?;
        at_least("chat_messages_per_minute", self.chat_messages_per_minute as i64, 1)?;
        if self.db_connections > 200 {
            return Err(format!("STAFFEL_DB_CONNECTIONS must be at most 200, not {}", self.db_connections));
        }
        if self.db_acquire_timeout_secs > 300 {
            return Err(format!(
                "STAFFEL_DB_ACQUIRE_TIMEOUT_SECS must be at most 300, not {}",
                self.db_acquire_timeout_secs
            ));
        }
        if self.db_statement_timeout_secs > 3600 {
            return Err(format!(
                "STAFFEL_DB_STATEMENT_TIMEOUT_SECS must be at most 3600, not {}",
                self.db_statement_timeout_secs
            ));
        }
        if !matches!(self.sqlite_synchronous.as_str(), "full" | "normal") {
            return Err(format!(
                "STAFFEL_SQLITE_SYNCHRONOUS must be full or normal, not \"{}\"",
                self.sqlite_synchronous
            ));
        }
        at_least("mail_retry_base_secs", self.mail_retry_base_secs, 0)?;
        at_least("mail_send_timeout_secs", self.mail_send_timeout_secs.min(i64::MAX as u64) as i64, 1)?;
        at_least("reopen_days", self.reopen_days, 0)?;
        at_least("attachment_max_bytes", self.attachment_max_bytes.min(i64::MAX as u64) as i64, 1)?;
        if !self.database_url.is_empty()
            && !self.database_url.starts_with("sqlite:")
            && !self.database_url.starts_with("postgres://")
            && !self.database_url.starts_with("postgresql://")
        {
            return Err("STAFFEL_DATABASE_URL must start with sqlite: or postgres://".into());
        }
        if self.mail == MailKind::Smtp && self.smtp_url.is_empty() {
            return Err("STAFFEL_MAIL=smtp needs STAFFEL_SMTP_URL".into());
        }
        if self.search == SearchKind::Meilisearch && self.meili_url.is_empty() {
            return Err("STAFFEL_SEARCH=meilisearch needs STAFFEL_MEILI_URL".into());
        }
        if self.search == SearchKind::Meilisearch
            && (self.meili_index.is_empty()
                || !self.meili_index.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err("STAFFEL_MEILI_INDEX must be letters, digits, '_' or '-'".into());
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "STAFFEL_TIMEZONE \"{}\" is not an IANA time zone (e.g. Europe/Berlin)",
                self.timezone
            ));
        }
        if let Some(bad) = self.trusted_proxy_entries().find(|entry| Network::parse(entry).is_none()) {
            return Err(format!(
                "STAFFEL_TRUSTED_PROXIES: \"{bad}\" is neither an IP address nor a network (e.g. 10.0.0.0/8)"
            ));
        }
        if url::Url::parse(&self.base_url).is_err() {
            return Err("STAFFEL_BASE_URL must be an absolute URL".into());
        }
        self.validate_widget()?;
        self.validate_xmpp()
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("staffel.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// Whether people reach Staffel over https (usually through a proxy that ends TLS): then
    /// every cookie is `Secure` and browsers are told to keep to https.
    pub fn https(&self) -> bool {
        url::Url::parse(&self.base_url).is_ok_and(|url| url.scheme() == "https")
    }

    fn trusted_proxy_entries(&self) -> impl Iterator<Item = &str> {
        list_entries(&self.trusted_proxies)
    }

    /// The proxies whose forwarding headers are believed (checked when the settings were read).
    pub fn trusted_proxies(&self) -> Vec<Network> {
        self.trusted_proxy_entries().filter_map(Network::parse).collect()
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// The desk's time zone (checked when the settings were read).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Europe::Berlin)
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// An absolute link into Staffel for mails.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }
}

/// The entries of a list setting, separated by commas or white space.
pub(crate) fn list_entries(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ' ', '\t', '\n']).filter(|entry| !entry.is_empty())
}

/// An IP network: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u32,
}

impl Network {
    /// `10.0.0.0/8`, `2001:db8::/32` or a bare address (all of its bits).
    pub fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
            None => bits,
        };
        (prefix <= bits).then_some(Network { address, prefix })
    }

    pub fn contains(&self, candidate: IpAddr) -> bool {
        let mask = |bits: u32, width: u32| if bits == 0 { 0 } else { u128::MAX << (width - bits) };
        match (self.address, candidate.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let m = mask(self.prefix, 32) as u32;
                u32::from(net) & m == u32::from(ip) & m
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let m = mask(self.prefix, 128);
                u128::from(net) & m == u128::from(ip) & m
            }
            _ => false,
        }
    }
}

/// Settings whose values are text. Their `STAFFEL_*` variables are taken as written:
/// figment would parse `STAFFEL_MEILI_KEY=123456` as a number (and then refuse it) and
/// turn `STAFFEL_DESK_PHONE=0301234567` into 301234567.
const TEXT_KEYS: &[&str] = &[
    "data_dir",
    "database_url",
    "sqlite_synchronous",
    "search",
    "meili_url",
    "meili_key",
    "meili_index",
    "mail",
    "smtp_url",
    "mail_from",
    "base_url",
    "templates_dir",
    "static_dir",
    "kb_dir",
    "desk_phone",
    "desk_hours",
    "timezone",
    "log_format",
    "trusted_proxies",
    "widget_origins",
    "widget_secrets",
    "xmpp_jid",
    "xmpp_password",
    "xmpp_server",
    "xmpp_transport",
];

/// Rocket's figment (Rocket.toml, `ROCKET_*`) plus `STAFFEL_*` variables as `staffel.*` keys.
pub fn figment() -> Figment {
    let env = Env::prefixed("STAFFEL_").ignore(&["TEST_PG", "TEST_MEILI"]);
    rocket::Config::figment()
        .merge(env.clone().ignore(TEXT_KEYS).map(|key| format!("staffel.{}", key.as_str()).into()))
        .merge(TextEnv(env.only(TEXT_KEYS)))
}

/// `STAFFEL_*` variables of text settings, unparsed.
struct TextEnv(Env);

impl Provider for TextEnv {
    fn metadata(&self) -> Metadata {
        Metadata::named("`STAFFEL_` environment variable(s)").interpolater(|_, keys| {
            // Names the variable in errors (the path comes in either order).
            let key = keys.iter().find(|k| TEXT_KEYS.contains(k)).copied();
            format!("STAFFEL_{}", key.unwrap_or_default().to_uppercase())
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut staffel = Dict::new();
        for (key, value) in self.0.iter() {
            staffel.insert(key.as_str().to_string(), Value::from(value));
        }
        let mut root = Dict::new();
        root.insert("staffel".into(), Value::from(staffel));
        Ok(Map::from([(Profile::Default, root)]))
    }
}

/// Rocket needs a secret key for private cookies. Unless one is configured, Staffel keeps
/// a generated one in the data dir so sessions survive restarts and CLI runs share it.
pub fn with_secret_key(figment: Figment) -> Result<Figment, ConfigError> {
    // Rocket's own defaults carry a zero key; only a key someone configured counts.
    let configured = figment.extract::<rocket::Config>().map(|c| c.secret_key.is_provided()).unwrap_or(false);
    if configured {
        return Ok(figment);
    }
    let settings = Settings::from_figment(&figment)?;
    let key = load_or_create_secret(&settings.data_dir)?;
    Ok(figment.merge(Serialized::default("secret_key", key)))
}

fn load_or_create_secret(data_dir: &Path) -> Result<String, ConfigError> {
    let path = data_dir.join("secret_key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() == 64 && existing.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(existing);
        }
        return Err(ConfigError::BadSecretFile { path });
    }
    crate::private_files::create_dir(data_dir)
        .map_err(|source| ConfigError::SecretFile { path: data_dir.to_path_buf(), source })?;
    let key = crate::crypto::random_hex(32);
    match write_private(&path, &key) {
        Ok(()) => Ok(key),
        // Another process (a CLI command, a second instance) created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(data_dir),
        Err(source) => Err(ConfigError::SecretFile { path, source }),
    }
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    /// Every setting that is text by default is read from the environment as text.
    #[test]
    fn text_settings_are_listed() {
        let defaults = serde_json::to_value(super::Settings::default()).unwrap();
        for (key, value) in defaults.as_object().unwrap() {
            if value.is_string() {
                assert!(super::TEXT_KEYS.contains(&key.as_str()), "{key}");
            }
        }
        for key in ["templates_dir", "static_dir", "kb_dir"] {
            assert!(defaults.get(key).is_some(), "{key} is a setting");
        }
        for key in super::TEXT_KEYS {
            assert!(defaults.get(*key).is_some(), "{key} is a setting");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        use super::Network;
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.200.1.2".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()), "an IPv4 peer seen as IPv6");
        assert!(Network::parse("0.0.0.0/0").unwrap().contains("1.2.3.4".parse().unwrap()));
        let one = Network::parse("2001:db8::1").unwrap();
        assert!(one.contains("2001:db8::1".parse().unwrap()) && !one.contains("2001:db8::2".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "proxy", "10.0.0.0/", "10.0.0.0/+8", "::/129"] {
            assert_eq!(Network::parse(bad), None, "{bad}");
        }
        let with = |list: &str| super::Settings { trusted_proxies: list.into(), ..Default::default() }.validate();
        assert!(with("127.0.0.1, 10.0.0.0/8 ::1").is_ok());
        assert!(with("127.0.0.1, nginx").unwrap_err().contains("STAFFEL_TRUSTED_PROXIES"));
    }

    #[test]
    fn the_connection_count_is_bounded() {
        let with = |db_connections| super::Settings { db_connections, ..Default::default() }.validate();
        assert!(with(0).is_ok(), "0 means the backend's default");
        assert!(with(200).is_ok());
        let refused = with(201).unwrap_err();
        assert!(refused.contains("STAFFEL_DB_CONNECTIONS"), "{refused}");
    }

    #[test]
    fn the_acquire_timeout_is_bounded() {
        let with =
            |db_acquire_timeout_secs| super::Settings { db_acquire_timeout_secs, ..Default::default() }.validate();
        assert!(with(0).is_ok(), "0 means the backend's default");
        assert!(with(300).is_ok());
        let refused = with(301).unwrap_err();
        assert!(refused.contains("STAFFEL_DB_ACQUIRE_TIMEOUT_SECS"), "{refused}");
    }
}
