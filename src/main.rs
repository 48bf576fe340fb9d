//! The `staffel` command: parses the command line and hands over to the library.
use clap::{Parser, Subcommand};

/// A search allocates many small, short-lived buffers (query words, term lists, snippets);
/// mimalloc serves those faster than glibc's malloc, which took ~15 % of a search's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "staffel", version, about = "Tiered IT support for schools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (creates the data dir, migrates, serves).
    Serve {
        /// Create the demo data set first (idempotent) and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo data set (idempotent) and print every login.
    Demo,
    /// Schools (tenants).
    School {
        #[command(subcommand)]
        command: SchoolCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// External service providers.
    Provider {
        #[command(subcommand)]
        command: ProviderCommand,
    },
    /// The FAQ articles.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The mail outbox.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Retention of personal data (SPEC §9).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// A person's data: export it, or delete the account.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise closed tickets and finished reports past the retention period, delete old
    /// chats, mail and view records; print what changed (per kind, with the ticket numbers).
    Run {
        /// Print what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Everything Staffel holds about a person, as JSON.
    Export {
        #[arg(long)]
        email: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Delete a person's account; what they wrote stays for the school, without their name.
    Delete {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send mail again now, with a fresh series of attempts: one by its outbox id, or every
    /// mail that was given up.
    Retry {
        #[arg(long, conflicts_with = "all_failed", required_unless_present = "all_failed")]
        id: Option<i32>,
        #[arg(long)]
        all_failed: bool,
    },
}

#[derive(Subcommand)]
enum SchoolCommand {
    /// Add a school.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// pupil, teacher, school_admin, agent, desk_lead or operator
        #[arg(long)]
        role: String,
        /// The school's slug (pupils, teachers and school admins).
        #[arg(long)]
        school: Option<String>,
        #[arg(long)]
        password: String,
        /// de or en
        #[arg(long, default_value = "de")]
        language: String,
    },
}

#[derive(Subcommand)]
enum ProviderCommand {
    /// Add a provider with one or more contact addresses and the services it covers.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long = "email", required = true)]
        emails: Vec<String>,
        #[arg(long = "service")]
        services: Vec<String>,
        /// Agreed response time in business hours.
        #[arg(long, default_value_t = 16)]
        response_hours: i32,
    },
}

#[derive(Subcommand)]
enum KbCommand {
    /// Import Markdown articles (default: the shipped ones) and report what changed.
    Import {
        /// A folder of `*.md` files with front matter, searched recursively.
        dir: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a new API token for a user and print it (it is shown only once).
    New {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List a user's API tokens (id, name, created, last used; never the token itself).
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke an API token by its id (from `token list`): it stops working at once.
    Revoke {
        #[arg(long)]
        id: i32,
    },
}

/// Transparent huge pages off for this process, unless mimalloc's own option says otherwise
/// (`MIMALLOC_ALLOW_THP=1`). mimalloc asks for huge pages on its 1 GiB arenas, and where the
/// kernel grants them on request (`madvise`, Debian's default) every touched 4 KiB of an
/// arena costs 2 MiB resident, and a fault may first wait for the kernel to compact memory:
/// an idle `serve --demo` held 65–77 MB instead of ~54. Called before the runtime starts, when
/// little is allocated yet; the kernel then hands out small pages for the whole process.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

fn main() -> std::process::ExitCode {
    small_pages_only();
    let cli = Cli::parse();
    let figment = staffel::config::figment();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("staffel: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    use staffel::cli;
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { demo } => cli::serve(figment, demo).await,
            Command::Migrate => cli::migrate(figment).await,
            Command::Demo => cli::demo(figment).await,
            Command::School { command: SchoolCommand::Add { slug, name } } => {
                cli::school_add(figment, &slug, &name).await
            }
            Command::User { command: UserCommand::Add { email, name, role, school, password, language } } => {
                cli::user_add(
                    figment,
                    cli::NewUser { email, name, role, school: school.unwrap_or_default(), password, language },
                )
                .await
            }
            Command::Provider { command: ProviderCommand::Add { slug, name, emails, services, response_hours } } => {
                cli::provider_add(figment, cli::NewProvider { slug, name, emails, services, response_hours }).await
            }
            Command::Kb { command: KbCommand::Import { dir } } => cli::kb_import(figment, dir).await,
            Command::Reindex => cli::reindex(figment).await,
            Command::Token { command: TokenCommand::New { email, name } } => {
                cli::token_new(figment, &email, &name).await
            }
            Command::Token { command: TokenCommand::List { email } } => cli::token_list(figment, &email).await,
            Command::Token { command: TokenCommand::Revoke { id } } => cli::token_revoke(figment, id).await,
            Command::Mail { command: MailCommand::Retry { id, .. } } => cli::mail_retry(figment, id).await,
            Command::Retention { command: RetentionCommand::Run { dry_run } } => {
                cli::retention_run(figment, dry_run).await
            }
            Command::Person { command: PersonCommand::Export { email, out } } => {
                cli::person_export(figment, &email, out).await
            }
            Command::Person { command: PersonCommand::Delete { email } } => cli::person_delete(figment, &email).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("staffel: {}", error.chain());
            std::process::ExitCode::FAILURE
        }
    }
}
