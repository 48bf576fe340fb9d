//! Importing article files: the shipped `kb/` folder (embedded in the binary, or a local
//! override) on start, and `staffel kb import [DIR]`. Each file is checked on its own: a
//! broken one is reported with its line and skips nothing else. Articles edited in
//! Staffel are not overwritten by their shipped originals.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rust_embed::RustEmbed;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::frontmatter::{self, ArticleSource};
use crate::audit::{self, By, Target};
use crate::crypto;
use crate::db::Db;
use entities::{kb_article, kb_revision, school, service, ArticleOrigin};

#[derive(RustEmbed)]
#[folder = "kb/"]
#[include = "*.md"]
struct ShippedArticles;

/// One article file: where it came from (for messages), its slug and its text.
pub struct SourceFile {
    pub origin: String,
    pub slug: String,
    pub text: String,
    /// Why the file could not be read as text (unreadable, not UTF-8); it is rejected
    /// with this reason.
    pub unreadable: Option<String>,
}

/// A file's bytes as text, or why they are not.
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("line {line}: the file is not UTF-8 text (byte {at} is not valid); save it as UTF-8")
    })
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub unchanged: usize,
    /// Shipped articles that were edited in Staffel and so were left alone.
    pub kept_local: Vec<String>,
    /// (file, reason)
    pub rejected: Vec<(String, String)>,
}

impl ImportReport {
    pub fn print(&self) {
        println!(
            "{} added, {} changed, {} unchanged, {} kept (edited in Staffel), {} rejected",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.kept_local.len(),
            self.rejected.len()
        );
        for slug in &self.added {
            println!("  added    {slug}");
        }
        for slug in &self.changed {
            println!("  changed  {slug}");
        }
        for slug in &self.kept_local {
            println!("  kept     {slug} (edited in Staffel; the file's version was not applied)");
        }
        for (file, reason) in &self.rejected {
            println!("  REJECTED {file}: {reason}");
        }
    }
}

/// The shipped articles: from `kb_dir` when configured, else those built into the binary.
/// Why a folder of articles could not be read (a broken file is rejected on its own).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the service catalogue and schools")]
    Db(#[from] sea_orm::DbErr),
}

pub fn shipped(kb_dir: Option<&Path>) -> Result<Vec<SourceFile>, ImportError> {
    if let Some(dir) = kb_dir {
        return read_dir(dir);
    }
    let mut files = Vec::new();
    for name in ShippedArticles::iter() {
        let Some(file) = ShippedArticles::get(&name) else {
            continue;
        };
        let slug = Path::new(name.as_ref()).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let (text, unreadable) = match decode(file.data.into_owned()) {
            Ok(text) => (text, None),
            Err(e) => (String::new(), Some(e)),
        };
        files.push(SourceFile { origin: format!("kb/{name}"), slug, text, unreadable });
    }
    files.sort_by(|a, b| a.origin.cmp(&b.origin));
    Ok(files)
}

/// Every `*.md` under a directory, recursively.
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotADirectory(dir.to_path_buf()));
    }
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries =
            std::fs::read_dir(&current).map_err(|source| ImportError::Read { path: current.clone(), source })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|path| {
            // Unreadable or non-UTF-8 files are rejected with their reason like any other
            // broken file.
            let (text, unreadable) =
                match std::fs::read(&path).map_err(|e| format!("cannot read the file: {e}")).and_then(decode) {
                    Ok(text) => (text, None),
                    Err(e) => (String::new(), Some(e)),
                };
            SourceFile {
                origin: path.display().to_string(),
                slug: path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default(),
                text,
                unreadable,
            }
        })
        .collect())
}

/// Imports files; `on_file` is called after each (for a progress bar).
pub async fn import(
    db: &Db,
    by: By<'_>,
    files: Vec<SourceFile>,
    mut on_file: impl FnMut(),
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let services: HashMap<String, i32> =
        service::Entity::find().all(db.read()).await?.into_iter().map(|s| (s.slug, s.id)).collect();
    let schools: HashMap<String, i32> =
        school::Entity::find().all(db.read()).await?.into_iter().map(|s| (s.slug, s.id)).collect();
    // Two files with one slug: neither wins by the accident of its path's order.
    let mut origins: HashMap<String, Vec<String>> = HashMap::new();
    for file in &files {
        origins.entry(file.slug.clone()).or_default().push(file.origin.clone());
    }
    for file in files {
        on_file();
        if let Some(reason) = file.unreadable {
            report.rejected.push((file.origin, reason));
            continue;
        }
        let same_slug = &origins[&file.slug];
        if same_slug.len() > 1 {
            let others: Vec<&str> = same_slug.iter().filter(|o| **o != file.origin).map(String::as_str).collect();
            report.rejected.push((
                file.origin.clone(),
                format!("slug \"{}\" is also used by {}; rename one of the files", file.slug, others.join(", ")),
            ));
            continue;
        }
        let source = match frontmatter::parse(&file.slug, &file.text) {
            Ok(source) => source,
            Err(e) => {
                report.rejected.push((file.origin, e.to_string()));
                continue;
            }
        };
        let service_id = match &source.service {
            Some(slug) => match services.get(slug) {
                Some(id) => Some(*id),
                None => {
                    let line = frontmatter::key_line(&file.text, "service").unwrap_or(2);
                    report.rejected.push((file.origin, format!("line {line}: unknown service \"{slug}\"")));
                    continue;
                }
            },
            None => None,
        };
        let school_id = match &source.school {
            Some(slug) => match schools.get(slug) {
                Some(id) => Some(*id),
                None => {
                    let line = frontmatter::key_line(&file.text, "school").unwrap_or(2);
                    report.rejected.push((file.origin, format!("line {line}: unknown school \"{slug}\"")));
                    continue;
                }
            },
            None => None,
        };
        let hash = crypto::hash(&file.text);
        match upsert(db, by, &source, service_id, school_id, &hash).await {
            Ok(Outcome::Added) => report.added.push(source.slug),
            Ok(Outcome::Changed) => report.changed.push(source.slug),
            Ok(Outcome::Unchanged) => report.unchanged += 1,
            Ok(Outcome::KeptLocal) => report.kept_local.push(source.slug),
            Err(e) => report.rejected.push((file.origin, format!("database: {e}"))),
        }
    }
    Ok(report)
}

/// Holds the slug against imports of other processes until the transaction ends, so that
/// the read that follows sees what they wrote. SQLite's write transactions begin
/// `IMMEDIATE` and hold the database's one write lock already; PostgreSQL's run side by
/// side, and two would both find no article and both insert it.
async fn lock_slug(txn: &crate::db::WriteTxn, slug: &str) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    // The first key keeps these locks apart from any other advisory lock.
    const KB_IMPORT: i32 = 0x6b62;
    let lock = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, hashtext($2))::text",
        [KB_IMPORT.into(), slug.into()],
    );
    txn.query_one_raw(lock).await.map(|_| ())
}

enum Outcome {
    Added,
    Changed,
    Unchanged,
    KeptLocal,
}

async fn upsert(
    db: &Db,
    by: By<'_>,
    source: &ArticleSource,
    service_id: Option<i32>,
    school_id: Option<i32>,
    hash: &str,
) -> Result<Outcome, sea_orm::DbErr> {
    let unchanged = |existing: &Option<kb_article::Model>| match existing {
        Some(current) if current.origin != ArticleOrigin::Shipped => Some(Outcome::KeptLocal),
        Some(current) if current.source_hash.as_deref() == Some(hash) => Some(Outcome::Unchanged),
        _ => None,
    };
    let by_slug = || kb_article::Entity::find().filter(kb_article::Column::Slug.eq(&source.slug));
    // Most files of an import are unchanged: those cost a read and no write turn.
    if let Some(outcome) = unchanged(&by_slug().one(db.read()).await?) {
        return Ok(outcome);
    }
    let now = Utc::now();
    let txn = db.write().await?;
    lock_slug(&txn, &source.slug).await?;
    // Read again in the write turn: another import may have written it meanwhile.
    let existing = by_slug().one(&txn).await?;
    if let Some(outcome) = unchanged(&existing) {
        return Ok(outcome);
    }
    let (article, outcome) = match existing {
        Some(current) => {
            let mut model: kb_article::ActiveModel = current.clone().into();
            model.title = Set(source.title.clone());
            model.body = Set(source.body.clone());
            model.audience = Set(source.audience.join(","));
            model.service_id = Set(service_id);
            model.tags = Set(source.tags.join(","));
            model.school_id = Set(school_id);
            model.status = Set(source.status);
            model.source_hash = Set(Some(hash.to_string()));
            model.version = Set(current.version + 1);
            model.updated_by = Set(None);
            model.updated_at = Set(now);
            (model.update(&txn).await?, Outcome::Changed)
        }
        None => {
            let model = kb_article::ActiveModel {
                slug: Set(source.slug.clone()),
                title: Set(source.title.clone()),
                body: Set(source.body.clone()),
                audience: Set(source.audience.join(",")),
                service_id: Set(service_id),
                tags: Set(source.tags.join(",")),
                school_id: Set(school_id),
                status: Set(source.status),
                origin: Set(ArticleOrigin::Shipped),
                source_hash: Set(Some(hash.to_string())),
                proposed: Set(false),
                version: Set(1),
                views: Set(0),
                helpful: Set(0),
                not_helpful: Set(0),
                updated_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            (model.insert(&txn).await?, Outcome::Added)
        }
    };
    kb_revision::ActiveModel {
        article_id: Set(article.id),
        version: Set(article.version),
        title: Set(article.title.clone()),
        body: Set(article.body.clone()),
        meta: Set(json!({
            "audience": source.audience, "service": source.service, "tags": source.tags,
            "school": source.school, "status": source.status,
        })
        .to_string()),
        author_id: Set(None),
        author_label: Set("import".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        by,
        if matches!(outcome, Outcome::Added) { "kb.import_add" } else { "kb.import_change" },
        Target::new("kb_article", article.id).in_school(school_id),
        json!({ "slug": article.slug, "version": article.version }),
    )
    .await
    .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    txn.commit().await?;
    Ok(outcome)
}
