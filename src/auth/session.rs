//! The `CurrentUser` guard: a private session cookie for people, a bearer token for the
//! API. Resolved once per request and cached, so layered guards cost one lookup.
use chrono::Utc;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

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
    let found = session::Entity::find_by_id(tokens::hash(cookie.value())).one(db).await.ok()??;
    if found.expires_at < Utc::now() {
        return None;
    }
    load_actor(db, found.user_id).await
}

pub async fn actor_for_token(db: &DatabaseConnection, token: &str) -> Option<Actor> {
    if token.is_empty() || token.len() > 200 {
        return None;
    }
    let found =
        api_token::Entity::find().filter(api_token::Column::TokenHash.eq(tokens::hash(token))).one(db).await.ok()??;
    // Record use at most once a minute: the API must not write on every read.
    let stale = found.last_used_at.is_none_or(|t| Utc::now() - t > chrono::Duration::minutes(1));
    let user_id = found.user_id;
    if stale {
        let mut active: api_token::ActiveModel = found.into();
        active.last_used_at = Set(Some(Utc::now()));
        let _ = active.update(db).await;
    }
    load_actor(db, user_id).await
}

pub async fn load_actor(db: &DatabaseConnection, user_id: i32) -> Option<Actor> {
    let user = user::Entity::find_by_id(user_id).one(db).await.ok()??;
    if !user.active {
        return None;
    }
    let role = Role::parse(&user.role)?;
    let school = match user.school_id {
        Some(id) => {
            let school = school::Entity::find_by_id(id).one(db).await.ok()??;
            if !school.active {
                // A deactivated school's people cannot sign in.
                return None;
            }
            Some(school)
        }
        None => None,
    };
    Some(Actor {
        id: user.id,
        email: user.email,
        name: user.name,
        role,
        school_id: user.school_id,
        school_slug: school.as_ref().map(|s| s.slug.clone()),
        school_name: school.map(|s| s.name),
        language: user.language,
    })
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
