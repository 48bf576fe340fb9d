//! Ratings of FAQ articles: one vote per reader and article. A reader who rates again
//! changes their vote (and the counts with it) instead of adding another; the article's
//! `helpful` and `not_helpful` columns stay the sums the pages show.
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::crypto;
use crate::db::Db;
use crate::error::AppResult;
use entities::{kb_article, kb_vote};

/// Who rates: a signed-in account, or an anonymous browser by the value of its reader
/// cookie (stored only as a hash).
pub enum Voter<'a> {
    User(i32),
    Browser(&'a str),
}

impl Voter<'_> {
    fn key(&self) -> String {
        match self {
            Voter::User(id) => format!("user:{id}"),
            Voter::Browser(cookie) => format!("browser:{}", crypto::hash(cookie)),
        }
    }
}

fn column(helpful: bool) -> kb_article::Column {
    if helpful {
        kb_article::Column::Helpful
    } else {
        kb_article::Column::NotHelpful
    }
}

/// Records the reader's vote: a first vote counts, the same vote again changes nothing, the
/// other vote moves theirs from one count to the other. Two votes of one reader arriving
/// together are decided by the table's primary key, never counted twice.
pub async fn rate(db: &Db, article_id: i32, voter: Voter<'_>, helpful: bool) -> AppResult<()> {
    let key = voter.key();
    let txn = db.write().await?;
    let vote = kb_vote::ActiveModel {
        article_id: Set(article_id),
        voter: Set(key.clone()),
        helpful: Set(helpful),
        created_at: Set(Utc::now()),
    };
    let inserted = kb_vote::Entity::insert(vote)
        .on_conflict(OnConflict::columns([kb_vote::Column::ArticleId, kb_vote::Column::Voter]).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
    let moved_from = if inserted == 1 {
        None
    } else {
        // Only a vote that changes its mind moves; the guard on the old value keeps a
        // concurrent change of the same vote from moving it twice.
        let changed = kb_vote::Entity::update_many()
            .col_expr(kb_vote::Column::Helpful, Expr::value(helpful))
            .filter(kb_vote::Column::ArticleId.eq(article_id))
            .filter(kb_vote::Column::Voter.eq(key))
            .filter(kb_vote::Column::Helpful.eq(!helpful))
            .exec(&txn)
            .await?;
        if changed.rows_affected == 0 {
            return Ok(());
        }
        Some(column(!helpful))
    };
    let mut update = kb_article::Entity::update_many()
        .col_expr(column(helpful), Expr::col(column(helpful)).add(1))
        .filter(kb_article::Column::Id.eq(article_id));
    if let Some(old) = moved_from {
        update = update.col_expr(old, Expr::col(old).sub(1));
    }
    update.exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}
