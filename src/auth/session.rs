//! Sessions (a private cookie for people) and API tokens (a bearer token for scripts): who
//! a cookie or a token names, and starting and ending sessions. The request guard that
//! resolves them once per request is `app::guards::CurrentUser`.
use chrono::Utc;
use rocket::http::{Cookie, CookieJar, SameSite};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect, Set,
};

use super::Actor;
use crate::crypto;
use crate::db::Db;
use crate::error::AppError;
use entities::{api_token, school, session, user};

pub const SESSION_COOKIE: &str = "staffel_session";

/// The person behind a session cookie's value, if the session is live and they may sign in.
pub async fn actor_for_session(db: &Db, cookie_value: &str) -> Result<Option<Actor>, DbErr> {
    let found = actor_select()
        .join(
            JoinType::InnerJoin,
            user::Entity::belongs_to(session::Entity).from(user::Column::Id).to(session::Column::UserId).into(),
        )
        .column_as(session::Column::ExpiresAt, "session_expires_at")
        .filter(session::Column::IdHash.eq(crypto::hash(cookie_value)))
        .into_model::<SessionActorRow>()
        .one(db.read())
        .await?;
    Ok(found.filter(|f| f.session_expires_at >= Utc::now()).and_then(|f| f.actor.into_actor()))
}

/// The signed-in person as one row: the user, their school and (joined by the caller) the
/// session or token that names them. Every request resolves its actor, so this is one
/// statement, not one per table.
#[derive(FromQueryResult)]
struct ActorRow {
    id: i32,
    email: String,
    name: String,
    role: entities::Role,
    school_id: Option<i32>,
    language: String,
    active: bool,
    school_slug: Option<String>,
    school_name: Option<String>,
    school_active: Option<bool>,
}

#[derive(FromQueryResult)]
struct SessionActorRow {
    session_expires_at: chrono::DateTime<Utc>,
    #[sea_orm(nested)]
    actor: ActorRow,
}

#[derive(FromQueryResult)]
struct TokenActorRow {
    token_id: i32,
    token_last_used_at: Option<chrono::DateTime<Utc>>,
    #[sea_orm(nested)]
    actor: ActorRow,
}

fn actor_select() -> sea_orm::Select<user::Entity> {
    user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::Email,
            user::Column::Name,
            user::Column::Role,
            user::Column::SchoolId,
            user::Column::Language,
            user::Column::Active,
        ])
        .column_as(school::Column::Slug, "school_slug")
        .column_as(school::Column::Name, "school_name")
        .column_as(school::Column::Active, "school_active")
        .join(
            JoinType::LeftJoin,
            user::Entity::belongs_to(school::Entity).from(user::Column::SchoolId).to(school::Column::Id).into(),
        )
}

impl ActorRow {
    fn into_actor(self) -> Option<Actor> {
        if !self.active {
            return None;
        }
        // A deactivated school's people cannot sign in; a school that vanished counts too.
        if self.school_id.is_some() && self.school_active != Some(true) {
            return None;
        }
        Some(Actor {
            id: self.id,
            email: self.email,
            name: self.name,
            role: self.role,
            school_id: self.school_id,
            school_slug: self.school_slug,
            school_name: self.school_name,
            language: self.language,
        })
    }
}

/// The person an API token belongs to, if they may sign in.
pub async fn actor_for_token(db: &Db, token: &str) -> Result<Option<Actor>, DbErr> {
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let found = actor_select()
        .join(
            JoinType::InnerJoin,
            user::Entity::belongs_to(api_token::Entity).from(user::Column::Id).to(api_token::Column::UserId).into(),
        )
        .column_as(api_token::Column::Id, "token_id")
        .column_as(api_token::Column::LastUsedAt, "token_last_used_at")
        .filter(api_token::Column::TokenHash.eq(crypto::hash(token)))
        .into_model::<TokenActorRow>()
        .one(db.read())
        .await?;
    let Some(found) = found else { return Ok(None) };
    // Record use at most once a minute: the API must not write on every read. Beside the
    // request, not in its way: it would wait for the write turn behind every writer.
    let stale = found.token_last_used_at.is_none_or(|t| Utc::now() - t > chrono::Duration::minutes(1));
    if stale {
        let (db, token_id) = (db.clone(), found.token_id);
        tokio::spawn(async move {
            if let Err(e) = record_token_use(&db, token_id).await {
                tracing::warn!(error = %e, "cannot record the use of an API token");
            }
        });
    }
    Ok(found.actor.into_actor())
}

async fn record_token_use(db: &Db, token_id: i32) -> Result<(), DbErr> {
    let txn = db.write().await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(Utc::now())))
        .filter(api_token::Column::Id.eq(token_id))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// A user as the acting person, if they may sign in.
pub async fn load_actor(db: &Db, user_id: i32) -> Result<Option<Actor>, DbErr> {
    let found = actor_select().filter(user::Column::Id.eq(user_id)).into_model::<ActorRow>().one(db.read()).await?;
    Ok(found.and_then(ActorRow::into_actor))
}

/// Starts a session: a new random id in a private cookie, its hash in the table. The
/// session this browser had before ends with it, so that a copy of the old cookie (taken
/// before the login, or left on a shared computer) does not go on working for days.
pub async fn start(db: &Db, jar: &CookieJar<'_>, user_id: i32, hours: i64, secure: bool) -> Result<(), AppError> {
    let id = crypto::random_hex(32);
    let now = Utc::now();
    let txn = db.write().await?;
    if let Some(earlier) = jar.get_private(SESSION_COOKIE) {
        session::Entity::delete_by_id(crypto::hash(earlier.value())).exec(&txn).await?;
    }
    session::ActiveModel {
        id_hash: Set(crypto::hash(&id)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(hours)),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let cookie = Cookie::build((SESSION_COOKIE, id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(rocket::time::Duration::hours(hours));
    jar.add_private(cookie);
    Ok(())
}

/// Ends the session of this cookie (in the table too, so a copied cookie stops working).
pub async fn end(db: &Db, jar: &CookieJar<'_>) -> Result<(), AppError> {
    if let Some(cookie) = jar.get_private(SESSION_COOKIE) {
        let txn = db.write().await?;
        session::Entity::delete_by_id(crypto::hash(cookie.value())).exec(&txn).await?;
        txn.commit().await?;
    }
    jar.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(())
}
