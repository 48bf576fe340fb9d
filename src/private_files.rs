//! The data directory is readable by Staffel's user only: it holds the database, the
//! secret key, attachments and mails. Directories are made 0700 and files 0600 when they
//! are created, whatever the umask; a data directory left readable by an older version is
//! put right at start. Elsewhere than on Unix the platform's defaults stay.
use std::io;
use std::path::Path;

#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Creates the directory (and its parents) if missing, and makes it private.
pub fn create_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)?;
    #[cfg(unix)]
    set_mode(path, DIR_MODE)?;
    Ok(())
}

/// Creates the file empty (0600) unless it exists: for files another library creates
/// otherwise, such as SQLite's database (its WAL and shared-memory files take the
/// database's mode).
pub fn create_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path).map(|_| ())
}

/// Writes a new file (replacing one of that name), private from its first byte.
pub async fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let mut file = options.open(path).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// Writes a new file like `write`, and on disk before it returns: for files a row will
/// point to once this returns (attachments). A file that could not be written whole (a
/// full disk) is removed again, so no half-written file is left behind.
pub async fn write_durable(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let written = async {
        write(path, bytes).await?;
        tokio::fs::File::open(path).await?.sync_all().await
    }
    .await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(path).await;
    }
    written
}

/// Makes the data directory private, with everything in it when the directory itself was
/// not: a data directory of an older version is put right once, and later starts cost one
/// look at its mode.
pub fn restrict_data_dir(data_dir: &Path) -> io::Result<()> {
    create_dir_alone(data_dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(data_dir)?.permissions().mode() & 0o777 != DIR_MODE {
            restrict_tree(data_dir)?;
        }
    }
    Ok(())
}

fn create_dir_alone(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_dir(path),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn restrict_tree(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        // Links are left alone: what they point to may not be Staffel's.
        if kind.is_dir() {
            restrict_tree(&entry.path())?;
        } else if kind.is_file() {
            set_mode(&entry.path(), FILE_MODE)?;
        }
    }
    set_mode(dir, DIR_MODE)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}
