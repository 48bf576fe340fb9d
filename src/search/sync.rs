//! Keeping a search engine in step with the database, the source of truth: a full
//! rebuild (`staffel reindex`, first start) and an incremental pass over the articles
//! changed since the last one (every few seconds in the server, so CLI imports reach the
//! running server's results without it being told).
use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Engine, SearchDoc};
use crate::markdown::plain_text;
use entities::{kb_article, school, service, ArticleStatus};

const BATCH: u64 = 2_000;
/// Changes are read with this overlap, so a transaction that committed late with an
/// earlier timestamp is not skipped.
const OVERLAP_SECS: i64 = 5;

pub struct Names {
    services: HashMap<i32, String>,
    schools: HashMap<i32, String>,
}

impl Names {
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Names, sea_orm::DbErr> {
        Ok(Names {
            services: service::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.slug)).collect(),
            schools: school::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.slug)).collect(),
        })
    }

    pub fn doc(&self, a: &kb_article::Model) -> SearchDoc {
        SearchDoc {
            slug: a.slug.clone(),
            title: a.title.clone(),
            body: plain_text(&a.body),
            tags: split_list(&a.tags),
            audience: split_list(&a.audience),
            service: a.service_id.and_then(|id| self.services.get(&id).cloned()),
            school: a.school_id.and_then(|id| self.schools.get(&id).cloned()),
        }
    }
}

pub fn split_list(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Rebuilds the engine from the published articles; `progress` is told the total first,
/// then each batch done.
///
/// Without emptying it first: several instances may share one engine (Meilisearch), and a
/// rebuild that cleared it would leave every reader without results until it was done and
/// throw away what another instance wrote meanwhile. Instead every published article is
/// written again, then what the engine holds that is no longer published is removed, and
/// finally the articles changed while this ran are applied once more: a batch read before
/// another instance's change and written after it cannot leave the older text behind.
pub async fn reindex_all<C: ConnectionTrait>(
    db: &C,
    engine: &Engine,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, String> {
    let started = Utc::now();
    let names = Names::load(db).await.map_err(|e| e.to_string())?;
    let published = || kb_article::Entity::find().filter(kb_article::Column::Status.eq(ArticleStatus::Published));
    let total = sea_orm::PaginatorTrait::count(published(), db).await.map_err(|e| e.to_string())?;
    progress(total, 0);
    let mut done = 0;
    let mut after = 0;
    loop {
        let batch = published()
            .filter(kb_article::Column::Id.gt(after))
            .order_by_asc(kb_article::Column::Id)
            .limit(BATCH)
            .all(db)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        done += batch.len() as u64;
        engine.upsert(batch.iter().map(|a| names.doc(a)).collect()).await?;
        progress(total, done);
    }
    // Read now, after every batch was written: an article unpublished meanwhile goes too.
    let now_published: std::collections::HashSet<String> = published()
        .select_only()
        .column(kb_article::Column::Slug)
        .into_tuple::<String>()
        .all(db)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    let gone: Vec<String> = engine.slugs().await?.into_iter().filter(|slug| !now_published.contains(slug)).collect();
    engine.remove(gone).await?;
    sync_changes(db, engine, started).await?;
    Ok(done)
}

/// Applies the articles changed since `since` to the engine; returns the new mark.
pub async fn sync_changes<C: ConnectionTrait>(
    db: &C,
    engine: &Engine,
    since: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    // The next mark is when this pass began, not the newest change seen: the overlap then
    // repeats a change for a few seconds only, instead of on every pass forever.
    let started = Utc::now();
    let changed = kb_article::Entity::find()
        .filter(kb_article::Column::UpdatedAt.gt(since - chrono::Duration::seconds(OVERLAP_SECS)))
        .order_by_asc(kb_article::Column::UpdatedAt)
        .all(db)
        .await
        .map_err(|e| e.to_string())?;
    if changed.is_empty() {
        return Ok(since);
    }
    let names = Names::load(db).await.map_err(|e| e.to_string())?;
    let mark = started.max(since);
    let (published, hidden): (Vec<_>, Vec<_>) = changed.into_iter().partition(|a| a.status == ArticleStatus::Published);
    engine.remove(hidden.into_iter().map(|a| a.slug).collect()).await?;
    engine.upsert(published.iter().map(|a| names.doc(a)).collect()).await?;
    Ok(mark)
}

/// Where an instance remembers up to when its engine is in step.
pub struct Mark {
    path: PathBuf,
}

impl Mark {
    pub fn new(path: PathBuf) -> Mark {
        Mark { path }
    }

    pub fn load(&self) -> Option<DateTime<Utc>> {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|d| d.with_timezone(&Utc))
    }

    pub fn save(&self, at: DateTime<Utc>) {
        if let Err(e) = std::fs::write(&self.path, at.to_rfc3339()) {
            tracing::warn!(error = %e, "cannot record the search sync mark");
        }
    }

    pub fn forget(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Brings the engine in step at start-up: incrementally if this instance has synced
/// before, else by a full rebuild.
pub async fn catch_up<C: ConnectionTrait>(db: &C, engine: &Engine, mark: &Mark) -> Result<(), String> {
    let started = Utc::now();
    // An engine that lost its documents (a new index, a wiped server) needs them all,
    // whatever the mark says.
    let engine_empty = engine.doc_count().await? == 0;
    match mark.load().filter(|_| !engine_empty) {
        Some(since) => mark.save(sync_changes(db, engine, since).await?),
        None => {
            let done = reindex_all(db, engine, |_, _| {}).await?;
            tracing::info!(documents = done, "search index built from the database (it was empty or never synced)");
            mark.save(started);
        }
    }
    Ok(())
}

/// Checks at start-up that the engine holds one document per published article, after it
/// caught up: an index that lost documents (damaged, restored from elsewhere, written by a
/// process that died mid-batch) opened fine and found nothing. One that disagrees is
/// rebuilt from the database, and the log says so.
pub async fn verify<C: ConnectionTrait>(db: &C, engine: &Engine, mark: &Mark) -> Result<(), String> {
    let published = kb_article::Entity::find().filter(kb_article::Column::Status.eq(ArticleStatus::Published));
    let expected = sea_orm::PaginatorTrait::count(published, db).await.map_err(|e| e.to_string())?;
    let held = engine.doc_count().await?;
    if held != expected {
        tracing::warn!(
            held,
            published = expected,
            engine = engine.name(),
            "search index disagrees with the database; rebuilding it"
        );
        let started = Utc::now();
        let done = reindex_all(db, engine, |_, _| {}).await?;
        mark.save(started);
        tracing::info!(documents = done, "search index rebuilt from the database");
    }
    Ok(())
}
