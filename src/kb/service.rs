//! Reading the FAQ: finding articles within the reader's scope, searching, counting views,
//! remembering searches that found nothing (ratings: `votes`).
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;

use super::render::{self, TocEntry};
use crate::auth::{Actor, Role};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::search::misses::MissCounter;
use crate::search::sync::split_list;
use crate::search::{Engine, Results, Scope, SearchQuery};
use entities::{kb_article, kb_search_miss, school, service, ArticleStatus};

pub const QUERY_MAX: usize = 200;

/// An article as a reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub slug: String,
    pub title: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub markdown: String,
    pub audience: Vec<String>,
    pub tags: Vec<String>,
    pub service: Option<String>,
    pub school: Option<String>,
    pub status: ArticleStatus,
    pub version: i32,
    pub views: i32,
    pub helpful: i32,
    pub not_helpful: i32,
    pub updated_at: chrono::DateTime<Utc>,
    pub url: String,
}

/// Whether the reader may open this article: the search scope's rule, plus drafts only
/// for the desk and (for their own school's articles) school admins.
async fn readable(db: &DatabaseConnection, reader: Option<&Actor>, article: &kb_article::Model) -> AppResult<bool> {
    let school_slug = match article.school_id {
        Some(id) => school::Entity::find_by_id(id).one(db).await?.map(|s| s.slug),
        None => None,
    };
    let scope = Scope::for_reader(reader);
    if !scope.allows(&split_list(&article.audience), school_slug.as_deref()) {
        // A school admin also reads every article of their own school, whoever it is for.
        let own_school_admin = reader
            .is_some_and(|r| r.role == Role::SchoolAdmin && r.school_id.is_some() && r.school_id == article.school_id);
        if !own_school_admin {
            return Ok(false);
        }
    }
    if article.status != ArticleStatus::Published {
        let role = reader.map(|r| r.role);
        let desk = role.is_some_and(|r| r.is_desk());
        let own_admin = reader
            .is_some_and(|r| r.role == Role::SchoolAdmin && r.school_id.is_some() && r.school_id == article.school_id);
        // Proposals for global articles are global content in the making: every school
        // admin may see and improve them until the desk publishes.
        let proposal = article.proposed && article.school_id.is_none() && role == Some(Role::SchoolAdmin);
        return Ok(desk || own_admin || proposal);
    }
    Ok(true)
}

/// The article behind a slug if this reader may read it; otherwise "not found", so
/// nobody learns that an article they may not read exists.
pub async fn find_readable(
    db: &DatabaseConnection,
    reader: Option<&Actor>,
    slug: &str,
) -> AppResult<kb_article::Model> {
    if !super::frontmatter::valid_slug(slug) {
        return Err(AppError::NotFound);
    }
    let article = kb_article::Entity::find()
        .filter(kb_article::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if readable(db, reader, &article).await? {
        Ok(article)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn view(db: &DatabaseConnection, article: kb_article::Model) -> AppResult<ArticleView> {
    let service = match article.service_id {
        Some(id) => service::Entity::find_by_id(id).one(db).await?.map(|s| s.slug),
        None => None,
    };
    let school = match article.school_id {
        Some(id) => school::Entity::find_by_id(id).one(db).await?.map(|s| s.slug),
        None => None,
    };
    let rendered = render::render(&article.body);
    Ok(ArticleView {
        url: format!("/kb/{}", article.slug),
        slug: article.slug,
        title: article.title,
        html: rendered.html,
        toc: rendered.toc,
        markdown: article.body,
        audience: split_list(&article.audience),
        tags: split_list(&article.tags),
        service,
        school,
        status: article.status,
        version: article.version,
        views: article.views,
        helpful: article.helpful,
        not_helpful: article.not_helpful,
        updated_at: article.updated_at,
    })
}

/// Counts a view: one atomic increment, no read-modify-write race.
pub async fn count_view(db: &Db, article_id: i32) -> AppResult<()> {
    let txn = db.write().await?;
    kb_article::Entity::update_many()
        .col_expr(kb_article::Column::Views, Expr::col(kb_article::Column::Views).add(1))
        .filter(kb_article::Column::Id.eq(article_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Cleans a query as typed: trimmed, bounded, one line.
pub fn clean_query(text: &str) -> AppResult<String> {
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let text = text.trim();
    if text.chars().count() > QUERY_MAX {
        return Err(AppError::invalid_with("q", "validation.too_long", QUERY_MAX));
    }
    Ok(text.to_string())
}

/// What a search is asked for, which decides what counts as found and whether finding
/// nothing is a missed search for the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The FAQ's results (its page, the API, the widget): every hit, best first; nothing
    /// found is a miss.
    Results,
    /// Suggestions while someone types: only relevant articles; a keystroke is no miss.
    Typing,
    /// The words of a problem someone just filed (a report's "what", a ticket's title):
    /// only relevant articles, and none is a miss — the FAQ lacks what schools ask for.
    Problem,
}

/// A suggestion is relevant when it matches at least this share of the query's words
/// (stop words left out): "Beamer Raum 104 zeigt kein Bild" must not offer an article that
/// shares only "Raum" with it, nor "Untis Vertretungsplan App" four that share "App".
pub const RELEVANT_SHARE: f32 = 0.5;

/// Searches within the reader's scope, for `purpose`; the misses are counted in memory and
/// written by `flush_misses`.
pub async fn search(
    misses: &MissCounter,
    engine: &Engine,
    reader: Option<&Actor>,
    text: &str,
    limit: usize,
    service: Option<&str>,
    purpose: Purpose,
) -> AppResult<Results> {
    let text = clean_query(text)?;
    if text.is_empty() {
        return Ok(Results::default());
    }
    let query = SearchQuery {
        text: text.clone(),
        limit: limit.clamp(1, 50),
        service: service.map(str::to_string).filter(|s| !s.is_empty()),
        scope: Scope::for_reader(reader),
    };
    let mut results = engine.search(&query).await.map_err(AppError::internal)?;
    if purpose != Purpose::Results {
        results.hits.retain(|h| h.share > RELEVANT_SHARE);
        results.total = results.hits.len();
    }
    if results.total == 0 && purpose != Purpose::Typing {
        let query: String = text.to_lowercase().chars().take(QUERY_MAX).collect();
        misses.record(query, reader.map(|r| r.role).unwrap_or(Role::Pupil), Utc::now());
    }
    Ok(results)
}

/// The words of a problem just filed (a report's "what", a ticket's title): if the FAQ has
/// nothing relevant for them, they count as a missed search, so the desk sees what to write.
/// Counting is best effort: a query too long to search is simply not counted.
pub async fn note_problem(misses: &MissCounter, engine: &Engine, reader: &Actor, words: &str) {
    let words: String = words.chars().take(QUERY_MAX).collect();
    if let Err(e) = search(misses, engine, Some(reader), &words, 6, None, Purpose::Problem).await {
        tracing::debug!(error = %e.chain(), "a filed problem's words were not searched");
    }
}

/// Rows per INSERT: five values each, well below SQLite's limit of bound parameters.
const MISSES_PER_STATEMENT: usize = 500;

/// Writes the misses counted since the last flush, added to the counts already stored, in
/// one transaction; what fails to be written is kept for the next flush. Returns how many
/// distinct queries were written.
pub async fn flush_misses(db: &Db, misses: &MissCounter) -> AppResult<usize> {
    let taken = misses.take();
    if taken.is_empty() {
        return Ok(0);
    }
    let rows: Vec<kb_search_miss::ActiveModel> = taken
        .iter()
        .map(|(query, miss)| kb_search_miss::ActiveModel {
            query: Set(query.clone()),
            count: Set(miss.count),
            last_role: Set(miss.last_role),
            first_at: Set(miss.first_at),
            last_at: Set(miss.last_at),
            ..Default::default()
        })
        .collect();
    let written = write_misses(db, rows).await;
    match written {
        Ok(()) => Ok(taken.len()),
        Err(e) => {
            misses.put_back(taken);
            Err(e)
        }
    }
}

async fn write_misses(db: &Db, rows: Vec<kb_search_miss::ActiveModel>) -> AppResult<()> {
    let txn = db.write().await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(MISSES_PER_STATEMENT).collect();
        kb_search_miss::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(kb_search_miss::Column::Query)
                    .value(
                        kb_search_miss::Column::Count,
                        Expr::col((kb_search_miss::Entity, kb_search_miss::Column::Count))
                            .add(Expr::cust("excluded.count")),
                    )
                    .update_columns([kb_search_miss::Column::LastRole, kb_search_miss::Column::LastAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The most frequent searches that found nothing: the articles the desk should write.
pub async fn misses(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<kb_search_miss::Model>> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    Ok(kb_search_miss::Entity::find()
        .order_by_desc(kb_search_miss::Column::Count)
        .order_by_desc(kb_search_miss::Column::LastAt)
        .limit(200)
        .all(db)
        .await?)
}

/// Articles like this one: its title and tags as a query, itself left out.
pub async fn related(
    engine: &Engine,
    reader: Option<&Actor>,
    article: &ArticleView,
) -> AppResult<Vec<crate::search::Hit>> {
    let text = format!("{} {}", article.title, article.tags.join(" "));
    let query = SearchQuery { text, limit: 6, service: None, scope: Scope::for_reader(reader) };
    let results = engine.search(&query).await.map_err(AppError::internal)?;
    Ok(results.hits.into_iter().filter(|h| h.slug != article.slug).take(5).collect())
}

#[derive(Debug, Serialize)]
pub struct ServiceGroup {
    pub slug: String,
    pub name_de: String,
    pub name_en: String,
    pub articles: Vec<ArticleLink>,
}

#[derive(Debug, Serialize)]
pub struct ArticleLink {
    pub slug: String,
    pub title: String,
}

/// The published articles the reader may read, grouped by service, for browsing.
pub async fn browse(db: &DatabaseConnection, reader: Option<&Actor>) -> AppResult<Vec<ServiceGroup>> {
    let scope = Scope::for_reader(reader);
    let schools: std::collections::HashMap<i32, String> =
        school::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.slug)).collect();
    let mut select = kb_article::Entity::find().filter(kb_article::Column::Status.eq(ArticleStatus::Published));
    if !scope.all_schools {
        let own = reader.and_then(|r| r.school_id);
        select = select.filter(match own {
            Some(id) => kb_article::Column::SchoolId.is_null().or(kb_article::Column::SchoolId.eq(id)),
            None => kb_article::Column::SchoolId.is_null(),
        });
    }
    let articles = select
        .order_by_asc(kb_article::Column::Title)
        .limit(2000)
        .all(db)
        .await?
        .into_iter()
        .filter(|a| {
            scope.allows(&split_list(&a.audience), a.school_id.and_then(|id| schools.get(&id)).map(String::as_str))
        })
        .collect::<Vec<_>>();
    let mut groups = Vec::new();
    for s in service::Entity::find()
        .filter(service::Column::Active.eq(true))
        .order_by_asc(service::Column::Id)
        .all(db)
        .await?
    {
        let links: Vec<ArticleLink> = articles
            .iter()
            .filter(|a| a.service_id == Some(s.id))
            .map(|a| ArticleLink { slug: a.slug.clone(), title: a.title.clone() })
            .collect();
        if !links.is_empty() {
            groups.push(ServiceGroup { slug: s.slug, name_de: s.name_de, name_en: s.name_en, articles: links });
        }
    }
    Ok(groups)
}

#[derive(Debug, Serialize)]
pub struct Proposal {
    pub slug: String,
    pub title: String,
}

/// The drafts this author may go on with, newest change first: every draft for the desk,
/// their school's for a school admin. Shown beside a new article, so that a draft begun
/// earlier (or made from a solution) is found instead of written twice.
pub async fn drafts(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<Proposal>> {
    let mut query = kb_article::Entity::find().filter(kb_article::Column::Status.eq(ArticleStatus::Draft));
    query = match (actor.role, actor.school_id) {
        (Role::Agent | Role::DeskLead, _) => query,
        (Role::SchoolAdmin, Some(school)) => query.filter(kb_article::Column::SchoolId.eq(school)),
        _ => return Err(AppError::Forbidden),
    };
    Ok(query
        .order_by_desc(kb_article::Column::UpdatedAt)
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Proposal { slug: a.slug, title: a.title })
        .collect())
}

/// School admins' proposals for global articles, waiting for the desk to publish them.
pub async fn proposals(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<Proposal>> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    Ok(kb_article::Entity::find()
        .filter(kb_article::Column::Proposed.eq(true))
        .filter(kb_article::Column::Status.eq(ArticleStatus::Draft))
        .order_by_asc(kb_article::Column::UpdatedAt)
        .limit(200)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Proposal { slug: a.slug, title: a.title })
        .collect())
}
