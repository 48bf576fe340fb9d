//! The command-line actions behind `staffel …`. Each opens the same database as the
//! server (safe while it runs: SQLite in WAL mode waits for the writer, PostgreSQL is
//! shared anyway) and goes through the same service functions as the web.
use rocket::figment::Figment;

use crate::accounts::{api_tokens, service::UserInput};
use crate::audit::By;
use crate::catalogue::providers::ProviderInput;
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::start::{self, StartError};

/// Why a command did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    /// A service refused the input or failed; the message is the person's.
    #[error("{0}")]
    Refused(String),
    #[error("the server stopped")]
    Launch(#[source] Box<rocket::Error>),
    #[error("cannot read the articles")]
    Import(#[from] crate::kb::import::ImportError),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// The error and every cause below it, as one line.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

pub type CliResult = Result<(), CliError>;

/// The command line speaks the language of the shell's locale: the first of `LC_ALL`,
/// `LC_MESSAGES` and `LANG` that is set and not empty (POSIX treats empty as unset).
fn cli_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|key| std::env::var(key).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_default();
    if locale.starts_with("de") {
        Lang::De
    } else {
        Lang::En
    }
}

fn explain(error: AppError) -> CliError {
    if matches!(error, AppError::Db(_) | AppError::Internal { .. } | AppError::Storage { .. }) {
        return CliError::Failed(error.chain());
    }
    let message = error.message(cli_lang());
    CliError::Refused(match error.field() {
        Some(field) => format!("{field}: {message}"),
        None => message,
    })
}

/// The settings and the database, as the server opens them.
async fn open(figment: &Figment) -> Result<(Settings, Db), CliError> {
    let settings = Settings::from_figment(figment).map_err(StartError::from)?;
    let db = start::open_db(&settings).await?;
    Ok((settings, db))
}

fn quiet(directive: &str) -> tracing_subscriber::filter::Directive {
    directive.parse().expect("a directive written here")
}

pub fn init_logging(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    // Staffel logs every request itself (target staffel::http, with its duration, secret
    // path segments redacted); Rocket's own request lines would only repeat them with the
    // full path ("GET /provider/<token>", "no matching routes for …"), so they stay off
    // whatever RUST_LOG asks for.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,rocket=warn,_=warn"))
        .add_directive(quiet("rocket::server=warn"))
        .add_directive(quiet("rocket::server::_=off"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ =
        if settings.log_format == "json" { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}

pub async fn serve(figment: Figment, with_demo: bool) -> CliResult {
    let settings = Settings::from_figment(&figment).map_err(StartError::from)?;
    init_logging(&settings);
    let launch = |e: rocket::Error| CliError::Launch(Box::new(e));
    let ignited = crate::build(figment).ignite().await.map_err(launch)?;
    if with_demo {
        // The story runs through the App the server is about to run with; background jobs
        // start only at liftoff, so nothing else writes meanwhile.
        crate::demo::create(demo_app(&ignited)?).await.map_err(explain)?.print();
    }
    ignited.launch().await.map(|_| ()).map_err(launch)
}

fn demo_app(ignited: &rocket::Rocket<rocket::Ignite>) -> Result<&crate::app::App, CliError> {
    ignited.state::<crate::app::App>().ok_or_else(|| CliError::Failed("the server's state is missing".into()))
}

pub async fn migrate(figment: Figment) -> CliResult {
    open(&figment).await?;
    println!("Database is up to date.");
    Ok(())
}

/// `staffel demo`: the same Rocket as `serve` is built and ignited (so the story's tickets
/// go through the server's own App, mailer and search index), never launched.
pub async fn demo(figment: Figment) -> CliResult {
    // Ignition would print the server's banner (routes, fairings) for a server that never runs.
    let figment = figment.merge(("log_level", "off"));
    let ignited = crate::build(figment).ignite().await.map_err(|e| CliError::Launch(Box::new(e)))?;
    crate::demo::create(demo_app(&ignited)?).await.map_err(explain)?.print();
    Ok(())
}

pub async fn school_add(figment: Figment, slug: &str, name: &str) -> CliResult {
    let (_, db) = open(&figment).await?;
    let school = crate::schools::service::create(&db, By::Cli, slug, name).await.map_err(explain)?;
    println!("School {} ({}) added.", school.slug, school.name);
    Ok(())
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub school: String,
    pub password: String,
    pub language: String,
}

pub async fn user_add(figment: Figment, new: NewUser) -> CliResult {
    let (_, db) = open(&figment).await?;
    let input = UserInput {
        email: new.email,
        name: new.name,
        role: new.role,
        school: new.school,
        language: new.language,
        password: new.password,
    };
    let user = crate::accounts::service::create_user(&db, By::Cli, input).await.map_err(explain)?;
    println!("User {} ({}) added.", user.email, user.role);
    Ok(())
}

pub struct NewProvider {
    pub slug: String,
    pub name: String,
    pub emails: Vec<String>,
    pub services: Vec<String>,
    pub response_hours: i32,
}

pub async fn provider_add(figment: Figment, new: NewProvider) -> CliResult {
    let (_, db) = open(&figment).await?;
    let input = ProviderInput {
        slug: new.slug,
        name: new.name,
        response_hours: new.response_hours.to_string(),
        contacts: new.emails,
        services: new.services,
        active: true,
    };
    let provider = crate::catalogue::providers::create(&db, By::Cli, input).await.map_err(explain)?;
    println!("Provider {} ({}) added.", provider.slug, provider.name);
    Ok(())
}

pub async fn token_new(figment: Figment, email: &str, name: &str) -> CliResult {
    let (_, db) = open(&figment).await?;
    let token = api_tokens::create(&db, By::Cli, email, name).await.map_err(explain)?;
    println!("{token}");
    Ok(())
}

/// `staffel token list --email E`: one line per token (id, name, created, last used),
/// never the token itself, which exists only where it was handed out.
pub async fn token_list(figment: Figment, email: &str) -> CliResult {
    let (_, db) = open(&figment).await?;
    let tokens = api_tokens::list_by_email(&db, email).await.map_err(explain)?;
    if tokens.is_empty() {
        println!("No API tokens.");
    }
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    for token in tokens {
        let used = token.last_used_at.map(when).unwrap_or_else(|| "never".into());
        println!("{}\t{}\tcreated {}\tlast used {}", token.id, token.name, when(token.created_at), used);
    }
    Ok(())
}

/// `staffel token revoke --id ID`: the token stops working at once.
pub async fn token_revoke(figment: Figment, id: i32) -> CliResult {
    let (_, db) = open(&figment).await?;
    match api_tokens::revoke(&db, By::Cli, id).await {
        Ok(()) => {
            println!("API token {id} revoked.");
            Ok(())
        }
        Err(AppError::NotFound) => Err(CliError::Refused(format!("there is no API token with id {id}"))),
        Err(e) => Err(explain(e)),
    }
}

/// `staffel mail retry --id ID | --all-failed`: the mail is due now; a running server's
/// worker sends it within its poll interval.
pub async fn mail_retry(figment: Figment, id: Option<i32>) -> CliResult {
    use crate::mail::retry::{send_again, Again};
    let (_, db) = open(&figment).await?;
    let which = id.map(Again::One).unwrap_or(Again::AllFailed);
    match send_again(&db, By::Cli, which).await {
        Ok(0) if id.is_some() => {
            Err(CliError::Refused(format!("mail {} is being delivered right now", id.unwrap_or(0))))
        }
        Ok(0) => {
            println!("No failed mail.");
            Ok(())
        }
        Ok(count) => {
            println!("{count} mail(s) will be sent again now.");
            Ok(())
        }
        Err(AppError::NotFound) => Err(CliError::Refused(format!("there is no mail with id {}", id.unwrap_or(0)))),
        Err(e) => Err(explain(e)),
    }
}

/// `staffel retention run [--dry-run]`: what retention changes now (SPEC §9), per kind
/// with the ticket numbers; a dry run prints the same lines and changes nothing.
pub async fn retention_run(figment: Figment, dry_run: bool) -> CliResult {
    let (settings, db) = open(&figment).await?;
    let now = chrono::Utc::now();
    let result = if dry_run {
        crate::privacy::retention::plan(&db, &settings, now).await
    } else {
        crate::privacy::retention::run(&db, &settings, By::Cli, now).await
    };
    let plan = result.map_err(explain)?;
    println!("{}", if dry_run { "Dry run: nothing was changed." } else { "Retention applied." });
    for line in plan.lines() {
        println!("{line}");
    }
    Ok(())
}

fn no_person(email: &str) -> CliError {
    CliError::Refused(format!("there is no account with the address {}", email.trim()))
}

/// `staffel person export --email E [--out FILE]`: everything about the person, as JSON.
pub async fn person_export(figment: Figment, email: &str, out: Option<std::path::PathBuf>) -> CliResult {
    let (_, db) = open(&figment).await?;
    let person = match crate::privacy::person::find(&db, email).await {
        Ok(person) => person,
        Err(AppError::NotFound) => return Err(no_person(email)),
        Err(e) => return Err(explain(e)),
    };
    let data = crate::privacy::person::export(&db, None, By::Cli, &person).await.map_err(explain)?;
    let text = serde_json::to_string_pretty(&data).map_err(|e| CliError::Failed(e.to_string()))?;
    match out {
        Some(path) => {
            crate::private_files::write(&path, format!("{text}\n").as_bytes())
                .await
                .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("Written to {}.", path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}

/// `staffel person delete --email E`: the account goes, what they wrote stays for the
/// school under "gelöschte Person" (see `privacy::person`).
pub async fn person_delete(figment: Figment, email: &str) -> CliResult {
    let (_, db) = open(&figment).await?;
    let person = match crate::privacy::person::find(&db, email).await {
        Ok(person) => person,
        Err(AppError::NotFound) => return Err(no_person(email)),
        Err(e) => return Err(explain(e)),
    };
    crate::privacy::person::delete(&db, By::Cli, &person).await.map_err(explain)?;
    println!("The account of {} is deleted; their sessions and API tokens have ended.", person.email);
    Ok(())
}

fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// `staffel kb import [DIR]`: the database changes here; a running server picks the
/// changes up into its search index within seconds.
pub async fn kb_import(figment: Figment, dir: Option<std::path::PathBuf>) -> CliResult {
    let (settings, db) = open(&figment).await?;
    let files = match &dir {
        Some(dir) => crate::kb::import::read_dir(dir)?,
        None => crate::kb::import::shipped(settings.kb_dir.as_deref())?,
    };
    let bar = progress_bar(files.len() as u64, "importing");
    let report = crate::kb::import::import(&db, By::Cli, files, || bar.inc(1)).await?;
    bar.finish_and_clear();
    report.print();
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!("{} file(s) rejected", report.rejected.len())))
    }
}

/// `staffel reindex`: rebuilds this data dir's search index (or the Meilisearch index)
/// from the database.
pub async fn reindex(figment: Figment) -> CliResult {
    let (settings, db) = open(&figment).await?;
    let engine = crate::search::open(&settings).await.map_err(StartError::Search)?;
    let mark = start::search_mark(&settings, &engine);
    let started = chrono::Utc::now();
    let bar = progress_bar(0, "indexing");
    let count = crate::search::sync::reindex_all(db.read(), &engine, |total, done| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(CliError::Failed)?;
    bar.finish_and_clear();
    mark.save(started);
    println!("Indexed {count} published articles ({} engine).", engine.name());
    Ok(())
}
