//! The real `staffel` binary, run as a command.
use std::path::Path;
use std::process::{Command, Stdio};

/// `staffel ARGS` in `cwd` (a directory without a Rocket.toml) on its own data dir and, if
/// given, database, speaking English (the C locale): none of the caller's `STAFFEL_`,
/// `ROCKET_` or `LC_` variables leak in.
pub fn staffel_command(args: &[&str], cwd: &Path, data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_staffel"));
    for (key, _) in std::env::vars() {
        if key.starts_with("STAFFEL_") || key.starts_with("ROCKET_") || key.starts_with("LC_") {
            command.env_remove(key);
        }
    }
    command
        .args(args)
        .current_dir(cwd)
        .env("STAFFEL_DATA_DIR", data_dir)
        .env("LANG", "C.UTF-8")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    if let Some(url) = database_url {
        command.env("STAFFEL_DATABASE_URL", url);
    }
    command
}
