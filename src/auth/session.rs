//! The `CurrentUser` guard: a private session cookie for people, a bearer token for the
//! API. Resolved once per request and cached, so layered guards cost one lookup.
use chrono::Utc;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QuerySelect, Set,
};

use super::{tokens, Actor, Role};
use crate::error::AppError;
use entities::{api_token, school, session, user};

pub const SESSION_COOKIE: &str = "staffel_session";

#[derive(Debug, Clone)]
pub struct CurrentUser(pub Actor);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let resolved: &Option<Actor> = req.local_cache_async(async { resolve(req).await }).await;
        match resolved {
            Some(actor) => Outcome::Success(CurrentUser(actor.clone())),
            None => Outcome::Error((Status::Unauthorized, AppError::Unauthorized)),
        }
    }
}

/// The actor of this request if it already has been resolved or can be; used by page
/// rendering, which must not fail for anonymous readers.
pub async fn actor_of(req: &Request<'_>) -> Option<Actor> {
    req.local_cache_async(async { resolve(req).await }).await.clone()
}

async fn resolve(req: &Request<'_>) -> Option<Actor> {
    let db = req.rocket().state::<DatabaseConnection>()?;
    if crate::error::is_api(req) {
        // The API authenticates by bearer token only: a browser never sends one on its own,
        // so API calls need no CSRF protection.
        let header = req.headers().get_one("Authorization")?;
        // The scheme is case-insensitive (RFC 9110); the token is not.
        let (scheme, token) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let token = token.trim();
        return actor_for_token(db, token).await;
    }
    let cookie = req.cookies().get_private(SESSION_COOKIE)?;
    let found = actor_select()
        .join(
            JoinType::InnerJoin,
            user::Entity::belongs_to(session::Entity).from(user::Column::Id).to(session::Column::UserId).into(),
        )
        .column_as(session::Column::ExpiresAt, "session_expires_at")
        .filter(session::Column::IdHash.eq(tokens::hash(cookie.value())))
        .into_model::<SessionActorRow>()
        .one(db)
        .await
        .ok()??;
    if found.session_expires_at < Utc::now() {
        return None;
    }
    found.actor.into_actor()
}

/// The signed-in person as one row: the user, their school and (joined by the caller) the
/// session or token that names them. Every request resolves its actor, so this is one
/// statement, not one per table.
#[derive(FromQueryResult)]
struct ActorRow {
    id: i32,
    email: String,
    name: String,
    role: String,
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
            role: Role::parse(&self.role)?,
            school_id: self.school_id,
            school_slug: self.school_slug,
            school_name: self.school_name,
            language: self.language,
        })
    }
}

pub async fn actor_for_token(db: &DatabaseConnection, token: &str) -> Option<Actor> {
    if token.is_empty() || token.len() > 200 {
        return None;
    }
    let found = actor_select()
        .join(
            JoinType::InnerJoin,
            user::Entity::belongs_to(api_token::Entity).from(user::Column::Id).to(api_token::Column::UserId).into(),
        )
        .column_as(api_token::Column::Id, "token_id")
        .column_as(api_token::Column::LastUsedAt, "token_last_used_at")
        .filter(api_token::Column::TokenHash.eq(tokens::hash(token)))
        .into_model::<TokenActorRow>()
        .one(db)
        .await
        .ok()??;
    // Record use at most once a minute: the API must not write on every read.
    let stale = found.token_last_used_at.is_none_or(|t| Utc::now() - t > chrono::Duration::minutes(1));
    if stale {
        let _ = api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(Utc::now())))
            .filter(api_token::Column::Id.eq(found.token_id))
            .exec(db)
            .await;
    }
    found.actor.into_actor()
}

pub async fn load_actor(db: &DatabaseConnection, user_id: i32) -> Option<Actor> {
    actor_select().filter(user::Column::Id.eq(user_id)).into_model::<ActorRow>().one(db).await.ok()??.into_actor()
}

/// Starts a session: a new random id in a private cookie, its hash in the table.
pub async fn start(
    db: &DatabaseConnection,
    jar: &CookieJar<'_>,
    user_id: i32,
    hours: i64,
    secure: bool,
) -> Result<(), AppError> {
    let id = tokens::random_hex(32);
    let now = Utc::now();
    session::ActiveModel {
        id_hash: Set(tokens::hash(&id)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(hours)),
    }
    .insert(db)
    .await?;
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
pub async fn end(db: &DatabaseConnection, jar: &CookieJar<'_>) -> Result<(), AppError> {
    if let Some(cookie) = jar.get_private(SESSION_COOKIE) {
        session::Entity::delete_by_id(tokens::hash(cookie.value())).exec(db).await?;
    }
    jar.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(())
}
