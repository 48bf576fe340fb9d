//! School records. A deactivated school keeps its data, but its people cannot sign in.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::auth::Role;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::school;

pub async fn create(db: &Db, by: By<'_>, slug: &str, name: &str) -> AppResult<school::Model> {
    by.require_operator()?;
    let slug = validate::slug("slug", slug)?;
    let name = validate::text("name", name, validate::NAME_MAX)?;
    let txn = db.write().await?;
    if find_by_slug(&txn, &slug).await?.is_some() {
        return Err(AppError::invalid_with("slug", "validation.slug_taken", &slug));
    }
    let created = school::ActiveModel {
        slug: Set(slug.clone()),
        name: Set(name),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| taken_or_db(e, &slug))?;
    audit::record(
        &txn,
        by,
        "school.create",
        Target::new("school", created.id).in_school(Some(created.id)),
        json!({ "slug": created.slug }),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

fn taken_or_db(e: sea_orm::DbErr, slug: &str) -> AppError {
    let text = e.to_string().to_lowercase();
    if text.contains("unique") || text.contains("duplicate") {
        AppError::invalid_with("slug", "validation.slug_taken", slug)
    } else {
        AppError::Db(e)
    }
}

/// Renames a school and sets whether it is active. The slug is stable: integrations use it.
pub async fn update(db: &Db, by: By<'_>, slug: &str, name: &str, active: bool) -> AppResult<school::Model> {
    by.require_operator()?;
    let name = validate::text("name", name, validate::NAME_MAX)?;
    let txn = db.write().await?;
    let existing = find_by_slug(&txn, slug).await?.ok_or(AppError::NotFound)?;
    let mut model: school::ActiveModel = existing.into();
    model.name = Set(name);
    model.active = Set(active);
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        by,
        "school.update",
        Target::new("school", updated.id).in_school(Some(updated.id)),
        json!({ "name": updated.name, "active": updated.active }),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn find_by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> AppResult<Option<school::Model>> {
    if !validate::can_match_stored(slug) {
        return Ok(None);
    }
    Ok(school::Entity::find().filter(school::Column::Slug.eq(slug)).one(db).await?)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Option<school::Model>> {
    Ok(school::Entity::find_by_id(id).one(db).await?)
}

/// All schools (for operators and the desk), or only active ones.
pub async fn list<C: ConnectionTrait>(db: &C, by: By<'_>, include_inactive: bool) -> AppResult<Vec<school::Model>> {
    match by {
        By::User(actor) if !actor.role.is_desk() && actor.role != Role::Operator => return Err(AppError::Forbidden),
        By::Anonymous => return Err(AppError::Forbidden),
        _ => {}
    }
    let mut select = school::Entity::find().order_by_asc(school::Column::Name);
    if !include_inactive {
        select = select.filter(school::Column::Active.eq(true));
    }
    Ok(select.all(db).await?)
}
