//! Writing the FAQ: school admins write their school's articles and propose global ones;
//! the desk writes, edits and publishes global ones. Every save is a new revision (with
//! who and when) in one transaction with its audit event; a stale edit is refused, not
//! silently overwritten; the search index follows at once.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;

use super::frontmatter::{valid_slug, AUDIENCES, BODY_MAX, TITLE_MAX};
use super::render::anchor;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::db::{Db, WriteTxn};
use crate::error::{AppError, AppResult};
use crate::search::sync::{split_list, Names};
use crate::search::Engine;
use entities::{kb_article, kb_revision, service, ArticleOrigin, ArticleStatus};

pub const TAGS_MAX: usize = 20;

/// The article form as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub audience: Vec<String>,
    pub service: String,
    /// Comma-separated.
    pub tags: String,
    /// "school" (this school only) or "global".
    pub scope: String,
    /// "draft" or "published".
    pub status: String,
    /// The version the author started from; a newer one in the database is a conflict.
    pub version: Option<i32>,
}

struct Checked {
    title: String,
    body: String,
    audience: Vec<String>,
    service_id: Option<i32>,
    tags: Vec<String>,
    school_id: Option<i32>,
    status: ArticleStatus,
    proposed: bool,
}

fn writer_role(actor: &Actor) -> AppResult<()> {
    if actor.role == Role::SchoolAdmin || actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether this actor may change this article at all.
pub fn can_edit(actor: &Actor, article: &kb_article::Model) -> bool {
    match actor.role {
        Role::Agent | Role::DeskLead => true,
        Role::SchoolAdmin => {
            (article.school_id.is_some() && article.school_id == actor.school_id)
                || (article.school_id.is_none() && article.proposed && article.status == ArticleStatus::Draft)
        }
        _ => false,
    }
}

async fn check<C: ConnectionTrait>(db: &C, actor: &Actor, input: &ArticleInput) -> AppResult<Checked> {
    let title = input.title.trim().to_string();
    if title.is_empty() {
        return Err(AppError::invalid("title", "validation.required"));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(AppError::invalid_with("title", "validation.too_long", TITLE_MAX));
    }
    if title.chars().any(char::is_control) {
        return Err(AppError::invalid("title", "validation.control_chars"));
    }
    let body = input.body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        return Err(AppError::invalid("body", "validation.required"));
    }
    if body.len() > BODY_MAX {
        return Err(AppError::invalid_with("body", "validation.too_long", BODY_MAX));
    }
    let mut audience: Vec<String> = Vec::new();
    for a in &input.audience {
        if !AUDIENCES.contains(&a.as_str()) {
            return Err(AppError::invalid("audience", "kb.audience_invalid"));
        }
        if !audience.contains(a) {
            audience.push(a.clone());
        }
    }
    if audience.is_empty() {
        return Err(AppError::invalid("audience", "kb.audience_required"));
    }
    let service_id = crate::catalogue::services::from_input(db, "service", &input.service, false).await?.map(|s| s.id);
    let tags: Vec<String> = input.tags.split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    if tags.len() > TAGS_MAX {
        return Err(AppError::invalid_with("tags", "validation.too_many", TAGS_MAX));
    }
    if tags.iter().any(|t| t.chars().count() > 40 || t.chars().any(char::is_control)) {
        return Err(AppError::invalid("tags", "kb.tags_invalid"));
    }
    let wanted_status = match input.status.as_str() {
        "" => ArticleStatus::Draft,
        typed => ArticleStatus::parse(typed).ok_or_else(|| AppError::invalid("status", "kb.status_invalid"))?,
    };
    // Where the article lives and whether it may go live decides the role.
    let (school_id, status, proposed) = match (actor.role, input.scope.as_str()) {
        (Role::SchoolAdmin, "school") => (actor.school_id, wanted_status, false),
        // A school admin's global article is a proposal: a draft until the desk publishes.
        (Role::SchoolAdmin, "global") => (None, ArticleStatus::Draft, true),
        (Role::Agent | Role::DeskLead, "global" | "") => (None, wanted_status, false),
        (Role::Agent | Role::DeskLead, "school") => return Err(AppError::invalid("scope", "kb.scope_desk_global")),
        _ => return Err(AppError::invalid("scope", "kb.scope_invalid")),
    };
    if actor.role == Role::SchoolAdmin && school_id.is_none() && input.scope == "school" {
        return Err(AppError::Forbidden);
    }
    Ok(Checked { title, body, audience, service_id, tags, school_id, status, proposed })
}

async fn free_slug<C: ConnectionTrait>(db: &C, title: &str) -> AppResult<String> {
    let base: String = anchor(title).chars().take(60).collect::<String>().trim_end_matches('-').to_string();
    let base = if valid_slug(&base) { base } else { "artikel".to_string() };
    for n in 0..1000 {
        let candidate = if n == 0 { base.clone() } else { format!("{base}-{}", n + 1) };
        if kb_article::Entity::find().filter(kb_article::Column::Slug.eq(&candidate)).one(db).await?.is_none() {
            return Ok(candidate);
        }
    }
    Err(AppError::conflict("kb.slug_exhausted"))
}

async fn write_revision<C: ConnectionTrait>(db: &C, actor: &Actor, article: &kb_article::Model) -> AppResult<()> {
    kb_revision::ActiveModel {
        article_id: Set(article.id),
        version: Set(article.version),
        title: Set(article.title.clone()),
        body: Set(article.body.clone()),
        meta: Set(json!({
            "audience": split_list(&article.audience), "service_id": article.service_id,
            "tags": split_list(&article.tags), "school_id": article.school_id, "status": article.status,
            "proposed": article.proposed,
        })
        .to_string()),
        author_id: Set(Some(actor.id)),
        author_label: Set(actor.label()),
        created_at: Set(article.updated_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Puts the article into the search index, or takes it out if it is not published.
pub(super) async fn reindex(db: &DatabaseConnection, engine: &Engine, article: &kb_article::Model) -> AppResult<()> {
    let result = if article.status == ArticleStatus::Published {
        let names = Names::load(db).await?;
        engine.upsert(vec![names.doc(article)]).await
    } else {
        engine.remove(vec![article.slug.clone()]).await
    };
    // The database has the change; the sync job repairs the index if this failed.
    if let Err(e) = result {
        tracing::warn!(error = %e, slug = %article.slug, "search index update failed");
    }
    Ok(())
}

pub async fn create(db: &Db, engine: &Engine, actor: &Actor, input: &ArticleInput) -> AppResult<kb_article::Model> {
    let prepared = prepare(db.read(), actor, input).await?;
    let txn = db.write().await?;
    let article = insert(&txn, actor, prepared).await?;
    txn.commit().await?;
    reindex(db.read(), engine, &article).await?;
    Ok(article)
}

/// A new article, checked and with a free slug, ready to be inserted.
pub(super) struct Prepared {
    checked: Checked,
    slug: String,
}

pub(super) async fn prepare<C: ConnectionTrait>(db: &C, actor: &Actor, input: &ArticleInput) -> AppResult<Prepared> {
    writer_role(actor)?;
    let checked = check(db, actor, input).await?;
    let slug = free_slug(db, &checked.title).await?;
    Ok(Prepared { checked, slug })
}

/// Inserts a prepared article with its first revision and audit event in the caller's
/// transaction, so that whatever else the caller records lands with it; after the commit
/// the caller puts it into the search index (`reindex`).
pub(super) async fn insert(txn: &WriteTxn, actor: &Actor, prepared: Prepared) -> AppResult<kb_article::Model> {
    let Prepared { checked, slug } = prepared;
    let now = Utc::now();
    let article = kb_article::ActiveModel {
        slug: Set(slug),
        title: Set(checked.title),
        body: Set(checked.body),
        audience: Set(checked.audience.join(",")),
        service_id: Set(checked.service_id),
        tags: Set(checked.tags.join(",")),
        school_id: Set(checked.school_id),
        status: Set(checked.status),
        origin: Set(ArticleOrigin::Authored),
        source_hash: Set(None),
        proposed: Set(checked.proposed),
        version: Set(1),
        views: Set(0),
        helpful: Set(0),
        not_helpful: Set(0),
        updated_by: Set(Some(actor.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    write_revision(txn, actor, &article).await?;
    audit::record(
        txn,
        By::User(actor),
        if article.proposed { "kb.propose" } else { "kb.create" },
        Target::new("kb_article", article.id).in_school(article.school_id),
        json!({ "slug": article.slug, "status": article.status }),
    )
    .await?;
    Ok(article)
}

pub async fn update(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    slug: &str,
    input: &ArticleInput,
) -> AppResult<kb_article::Model> {
    writer_role(actor)?;
    let current = super::service::find_readable(db.read(), Some(actor), slug).await?;
    if !can_edit(actor, &current) {
        return Err(AppError::Forbidden);
    }
    let mut input = input.clone();
    // The desk keeps a school's local article local; a school admin keeps theirs in their
    // school (and a proposal stays a proposal).
    if current.school_id.is_some() && actor.role.is_desk() {
        return update_keeping_place(db, engine, actor, current, &input).await;
    }
    if actor.role == Role::SchoolAdmin {
        input.scope = if current.school_id.is_some() { "school".into() } else { "global".into() };
    }
    let checked = check(db.read(), actor, &input).await?;
    save(db, engine, actor, current, checked, input.version).await
}

async fn update_keeping_place(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    current: kb_article::Model,
    input: &ArticleInput,
) -> AppResult<kb_article::Model> {
    let mut global = input.clone();
    global.scope = "global".into();
    let mut checked = check(db.read(), actor, &global).await?;
    checked.school_id = current.school_id;
    save(db, engine, actor, current, checked, input.version).await
}

async fn save(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    current: kb_article::Model,
    checked: Checked,
    expected_version: Option<i32>,
) -> AppResult<kb_article::Model> {
    let expected = expected_version.ok_or_else(|| AppError::invalid("version", "validation.required"))?;
    let txn = db.write().await?;
    // The version check and the write are one conditional update: of two editors who
    // started from the same version, the second is told, not overwritten.
    let now = Utc::now();
    let publishes_proposal = current.proposed && actor.role.is_desk() && checked.status == ArticleStatus::Published;
    let result = kb_article::Entity::update_many()
        .col_expr(kb_article::Column::Title, checked.title.clone().into())
        .col_expr(kb_article::Column::Body, checked.body.clone().into())
        .col_expr(kb_article::Column::Audience, checked.audience.join(",").into())
        .col_expr(kb_article::Column::ServiceId, checked.service_id.into())
        .col_expr(kb_article::Column::Tags, checked.tags.join(",").into())
        .col_expr(kb_article::Column::SchoolId, checked.school_id.into())
        .col_expr(kb_article::Column::Status, checked.status.into())
        .col_expr(kb_article::Column::Origin, ArticleOrigin::Authored.into())
        .col_expr(kb_article::Column::Proposed, (checked.proposed || (current.proposed && !publishes_proposal)).into())
        .col_expr(kb_article::Column::Version, (expected + 1).into())
        .col_expr(kb_article::Column::UpdatedBy, Some(actor.id).into())
        .col_expr(kb_article::Column::UpdatedAt, now.into())
        .filter(kb_article::Column::Id.eq(current.id))
        .filter(kb_article::Column::Version.eq(expected))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::conflict("kb.conflict"));
    }
    let article = kb_article::Entity::find_by_id(current.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    write_revision(&txn, actor, &article).await?;
    audit::record(
        &txn,
        By::User(actor),
        if publishes_proposal { "kb.publish_proposal" } else { "kb.update" },
        Target::new("kb_article", article.id).in_school(article.school_id),
        json!({ "slug": article.slug, "version": article.version, "status": article.status }),
    )
    .await?;
    txn.commit().await?;
    reindex(db.read(), engine, &article).await?;
    Ok(article)
}

#[derive(Debug, Serialize)]
pub struct RevisionView {
    pub version: i32,
    pub title: String,
    pub author: String,
    pub created_at: chrono::DateTime<Utc>,
}

pub async fn revisions(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
) -> AppResult<(kb_article::Model, Vec<kb_revision::Model>)> {
    writer_role(actor)?;
    let article = super::service::find_readable(db, Some(actor), slug).await?;
    if !can_edit(actor, &article) {
        return Err(AppError::Forbidden);
    }
    let list = kb_revision::Entity::find()
        .filter(kb_revision::Column::ArticleId.eq(article.id))
        .order_by_desc(kb_revision::Column::Version)
        .all(db)
        .await?;
    Ok((article, list))
}

/// Restores an old version as a new revision (history is never rewritten).
pub async fn restore(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    slug: &str,
    version: i32,
    expected_version: Option<i32>,
) -> AppResult<kb_article::Model> {
    let (article, list) = revisions(db.read(), actor, slug).await?;
    let old = list.into_iter().find(|r| r.version == version).ok_or(AppError::NotFound)?;
    let input = ArticleInput {
        title: old.title,
        body: old.body,
        audience: split_list(&article.audience),
        service: String::new(),
        tags: article.tags.clone(),
        scope: if article.school_id.is_some() { "school".into() } else { "global".into() },
        status: article.status.to_string(),
        version: expected_version,
    };
    let mut input = input;
    if let Some(id) = article.service_id {
        input.service = service::Entity::find_by_id(id).one(db.read()).await?.map(|s| s.slug).unwrap_or_default();
    }
    update(db, engine, actor, slug, &input).await
}

/// One line of a diff between two texts.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DiffLine {
    /// "same", "added" or "removed"
    pub kind: &'static str,
    pub text: String,
}

/// A line diff (longest common subsequence), enough to see what a revision changed.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().take(3000).collect();
    let b: Vec<&str> = new.lines().take(3000).collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(DiffLine { kind: "same", text: a[i].to_string() });
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(DiffLine { kind: "removed", text: a[i].to_string() });
            i += 1;
        } else {
            out.push(DiffLine { kind: "added", text: b[j].to_string() });
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| DiffLine { kind: "removed", text: t.to_string() }));
    out.extend(b[j..].iter().map(|t| DiffLine { kind: "added", text: t.to_string() }));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn diff_marks_changed_lines() {
        let d = super::diff("a\nb\nc", "a\nB\nc\nd");
        let kinds: Vec<_> = d.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(kinds, vec![("same", "a"), ("removed", "b"), ("added", "B"), ("same", "c"), ("added", "d")]);
    }
}
