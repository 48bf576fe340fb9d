//! Users: create, change, deactivate, list. Every change is checked, audited and done in
//! one transaction.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::auth::{password, Role};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::validate;
use entities::{school, session, user};

/// What creating or editing a user needs; strings as typed, checked here.
#[derive(Debug, Default, Clone)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    /// A school slug; required for pupils, teachers and school admins, refused for others.
    pub school: String,
    pub language: String,
    /// Required when creating; when editing, empty keeps the current password.
    pub password: String,
}

struct CheckedUser {
    email: String,
    name: String,
    role: Role,
    school_id: Option<i32>,
    language: Lang,
}

async fn check<C: ConnectionTrait>(db: &C, input: &UserInput) -> AppResult<CheckedUser> {
    let email = validate::email("email", &input.email)?;
    let name = validate::text("name", &input.name, validate::NAME_MAX)?;
    let role = Role::parse(input.role.trim()).ok_or_else(|| AppError::invalid("role", "validation.role"))?;
    let school_slug = input.school.trim();
    let school_id = if role.needs_school() {
        if school_slug.is_empty() {
            return Err(AppError::invalid("school", "validation.school_required"));
        }
        let school =
            crate::schools::service::find_by_slug(db, school_slug).await?.filter(|s| s.active).ok_or_else(|| {
                AppError::invalid_with("school", "validation.unknown_school", validate::shown(school_slug))
            })?;
        Some(school.id)
    } else {
        if !school_slug.is_empty() {
            return Err(AppError::invalid("school", "validation.school_not_allowed"));
        }
        None
    };
    let language = if input.language.trim().is_empty() {
        Lang::De
    } else {
        Lang::parse(&input.language).ok_or_else(|| AppError::invalid("language", "validation.language"))?
    };
    Ok(CheckedUser { email, name, role, school_id, language })
}

pub async fn create_user(db: &Db, by: By<'_>, input: UserInput) -> AppResult<user::Model> {
    by.require_operator()?;
    let checked = check(db.read(), &input).await?;
    password::validate("password", &input.password)?;
    if find_by_email(db.read(), &checked.email).await?.is_some() {
        return Err(AppError::invalid("email", "validation.email_taken"));
    }
    let hash = password::hash(input.password.clone()).await?;
    let now = Utc::now();
    let txn = db.write().await?;
    let created = user::ActiveModel {
        email: Set(checked.email),
        name: Set(checked.name),
        role: Set(checked.role),
        school_id: Set(checked.school_id),
        language: Set(checked.language.code().into()),
        password_hash: Set(hash),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(duplicate_email)?;
    audit::record(
        &txn,
        by,
        "user.create",
        Target::new("user", created.id).in_school(created.school_id),
        json!({ "email": created.email, "role": created.role }),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// A concurrent insert of the same address loses the race at the unique index; that is
/// the user's "taken", not a server error.
fn duplicate_email(e: sea_orm::DbErr) -> AppError {
    let text = e.to_string().to_lowercase();
    if text.contains("unique") || text.contains("duplicate") {
        AppError::invalid("email", "validation.email_taken")
    } else {
        AppError::Db(e)
    }
}

pub async fn update_user(db: &Db, by: By<'_>, id: i32, input: UserInput) -> AppResult<user::Model> {
    by.require_operator()?;
    let existing = user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let checked = check(db.read(), &input).await?;
    if checked.email != existing.email && find_by_email(db.read(), &checked.email).await?.is_some() {
        return Err(AppError::invalid("email", "validation.email_taken"));
    }
    let new_hash = if input.password.is_empty() {
        None
    } else {
        password::validate("password", &input.password)?;
        Some(password::hash(input.password.clone()).await?)
    };
    let txn = db.write().await?;
    let mut active: user::ActiveModel = existing.clone().into();
    active.email = Set(checked.email);
    active.name = Set(checked.name);
    active.role = Set(checked.role);
    active.school_id = Set(checked.school_id);
    active.language = Set(checked.language.code().into());
    if let Some(hash) = new_hash {
        active.password_hash = Set(hash);
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await.map_err(duplicate_email)?;
    if updated.role != existing.role || updated.school_id != existing.school_id {
        // A new role or school must not ride on sessions opened under the old one.
        session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(&txn).await?;
    }
    audit::record(
        &txn,
        by,
        "user.update",
        Target::new("user", id).in_school(updated.school_id),
        json!({ "email": updated.email, "role": updated.role }),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn set_active(db: &Db, by: By<'_>, id: i32, active_flag: bool) -> AppResult<user::Model> {
    by.require_operator()?;
    if let By::User(actor) = by {
        if actor.id == id && !active_flag {
            return Err(AppError::conflict("validation.cannot_deactivate_self"));
        }
    }
    let txn = db.write().await?;
    // A deleted person's placeholder is nobody's account: it cannot be switched on again.
    let existing = user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: user::ActiveModel = existing.into();
    active.active = Set(active_flag);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    if !active_flag {
        session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(&txn).await?;
    }
    audit::record(
        &txn,
        by,
        if active_flag { "user.activate" } else { "user.deactivate" },
        Target::new("user", id).in_school(updated.school_id),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn find_by_email<C: ConnectionTrait>(db: &C, email: &str) -> AppResult<Option<user::Model>> {
    let email = email.trim().to_lowercase();
    if !validate::can_match_stored(&email) {
        return Ok(None);
    }
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?)
}

pub async fn get<C: ConnectionTrait>(db: &C, by: By<'_>, id: i32) -> AppResult<user::Model> {
    by.require_operator()?;
    // A deleted person's placeholder row is nobody's account any more.
    user::Entity::find_by_id(id).filter(user::Column::DeletedAt.is_null()).one(db).await?.ok_or(AppError::NotFound)
}

#[derive(Debug, Serialize)]
pub struct UserRow {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub school: Option<String>,
    pub active: bool,
}

/// The operators' user list, optionally narrowed by a search text, role or school slug.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    by: By<'_>,
    query: &str,
    role: &str,
    school_slug: &str,
) -> AppResult<Vec<UserRow>> {
    by.require_operator()?;
    let schools: std::collections::HashMap<i32, String> =
        school::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.slug)).collect();
    let mut select =
        user::Entity::find().filter(user::Column::DeletedAt.is_null()).order_by_asc(user::Column::Email).limit(500);
    // Control characters match nothing stored (and PostgreSQL refuses a NUL).
    let query = query.trim().to_lowercase().replace(char::is_control, "");
    if !query.is_empty() {
        select = select.filter(
            Condition::any().add(user::Column::Email.contains(&query)).add(user::Column::Name.contains(&query)),
        );
    }
    if let Some(role) = Role::parse(role) {
        select = select.filter(user::Column::Role.eq(role));
    }
    if let Some((id, _)) = schools.iter().find(|(_, slug)| slug.as_str() == school_slug) {
        select = select.filter(user::Column::SchoolId.eq(*id));
    }
    Ok(select
        .all(db)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            school: u.school_id.and_then(|id| schools.get(&id).cloned()),
            email: u.email,
            name: u.name,
            role: u.role,
            active: u.active,
        })
        .collect())
}
