//! What the tests share: `TestApp` (the real app on a fresh database), browsers that sign in
//! through the real forms, `both_dbs!`, fixtures, an SMTP server, upload helpers and the
//! real binary as a command.
#[macro_use]
mod backends;
mod app;
mod articles;
mod browser;
pub mod cli;
mod fingerprint;
mod fixtures;
mod messages;
mod routes;
mod server;
mod smtp;
pub mod uploads;

pub use app::{test_figment, TestApp};
pub use articles::{article_files, article_text, parsed, shipped_article_files, write_article};
pub use backends::{backends, loud_notice, on_each_backend, Backend, PgDatabase};
pub use browser::{encode, find_csrf, version_field, Browser, Reply};
pub use fixtures::{article_by_slug, provider_token_in, ticket_id, ticket_number};
pub use messages::{html_message, text_message};
pub use routes::fits;
pub use server::{sign_in, Answer, Caller, Instance, LiveServer};
pub use smtp::{free_port, SmtpServer};

pub const SECRET: &str = "8f1c2b7e4a9d0c3f6e5b8a7d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f";
pub const PASSWORD: &str = "richtig-gutes-passwort";
