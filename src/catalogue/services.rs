//! School IT services. A default catalogue is ensured on every start; operators add,
//! rename and deactivate services. Slugs never change: FAQ articles and integrations use
//! them.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::service;

/// The default catalogue: slug, German name, English name.
pub const DEFAULT_SERVICES: &[(&str, &str, &str)] = &[
    ("accounts", "Benutzerkonten & Passwörter", "Accounts & passwords"),
    ("lms", "Lernplattform", "Learning platform"),
    ("email", "E-Mail", "E-mail"),
    ("wifi", "WLAN", "Wi-Fi"),
    ("network", "Schulnetz & Internet", "School network & internet"),
    ("presentation", "Beamer, Displays & Präsentation", "Projectors, displays & presenting"),
    ("printing", "Drucken & Kopieren", "Printing & copying"),
    ("devices", "Tablets & Laptops", "Tablets & laptops"),
    ("video", "Videokonferenzen", "Video conferencing"),
    ("cloud", "Cloud-Speicher", "Cloud storage"),
    ("software", "Software & Apps", "Software & apps"),
    ("privacy", "Datenschutz", "Data protection"),
    ("other", "Sonstiges", "Other"),
];

/// Inserts the default services that are missing; never touches existing ones, so an
/// operator's renaming or deactivation stays.
pub async fn ensure_defaults(db: &Db) -> AppResult<()> {
    let missing = |existing: &[String]| {
        DEFAULT_SERVICES.iter().filter(|(slug, _, _)| !existing.iter().any(|s| s == slug)).collect::<Vec<_>>()
    };
    let slugs = |rows: Vec<service::Model>| rows.into_iter().map(|s| s.slug).collect::<Vec<_>>();
    if missing(&slugs(service::Entity::find().all(db.read()).await?)).is_empty() {
        return Ok(());
    }
    // Looked at again in the write turn: another process may have added them meanwhile.
    let txn = db.write().await?;
    for (slug, de, en) in missing(&slugs(service::Entity::find().all(&txn).await?)) {
        service::ActiveModel {
            slug: Set(slug.to_string()),
            name_de: Set(de.to_string()),
            name_en: Set(en.to_string()),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub struct ServiceInput<'a> {
    pub slug: &'a str,
    pub name_de: &'a str,
    pub name_en: &'a str,
    pub active: bool,
}

pub async fn create(db: &Db, by: By<'_>, input: ServiceInput<'_>) -> AppResult<service::Model> {
    by.require_operator()?;
    let slug = validate::slug("slug", input.slug)?;
    let name_de = validate::text("name_de", input.name_de, validate::NAME_MAX)?;
    let name_en = validate::text("name_en", input.name_en, validate::NAME_MAX)?;
    let txn = db.write().await?;
    if find_by_slug(&txn, &slug).await?.is_some() {
        return Err(AppError::invalid_with("slug", "validation.slug_taken", &slug));
    }
    let created = service::ActiveModel {
        slug: Set(slug),
        name_de: Set(name_de),
        name_en: Set(name_en),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, by, "service.create", Target::new("service", created.id), json!({ "slug": created.slug }))
        .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(db: &Db, by: By<'_>, input: ServiceInput<'_>) -> AppResult<service::Model> {
    by.require_operator()?;
    let name_de = validate::text("name_de", input.name_de, validate::NAME_MAX)?;
    let name_en = validate::text("name_en", input.name_en, validate::NAME_MAX)?;
    let txn = db.write().await?;
    let existing = find_by_slug(&txn, input.slug).await?.ok_or(AppError::NotFound)?;
    let mut model: service::ActiveModel = existing.into();
    model.name_de = Set(name_de);
    model.name_en = Set(name_en);
    model.active = Set(input.active);
    let updated = model.update(&txn).await?;
    audit::record(&txn, by, "service.update", Target::new("service", updated.id), json!({ "active": updated.active }))
        .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn find_by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> AppResult<Option<service::Model>> {
    if !validate::can_match_stored(slug) {
        return Ok(None);
    }
    Ok(service::Entity::find().filter(service::Column::Slug.eq(slug)).one(db).await?)
}

/// The service a form or API field names (`field`), for validation: empty names none; an
/// unknown slug (or, with `active_only`, a deactivated service) is that field's "there is
/// no service …" error, repeating the input safely. Control characters never reach the
/// database (PostgreSQL refuses a NUL).
pub async fn from_input<C: ConnectionTrait>(
    db: &C,
    field: &str,
    slug: &str,
    active_only: bool,
) -> AppResult<Option<service::Model>> {
    let slug = slug.trim();
    if slug.is_empty() {
        return Ok(None);
    }
    let found = find_by_slug(db, slug).await?.filter(|s| s.active || !active_only);
    match found {
        Some(service) => Ok(Some(service)),
        None => Err(AppError::invalid_with(field, "validation.unknown_service", validate::shown(slug))),
    }
}

/// Services in catalogue order; everyone may read the catalogue.
pub async fn list<C: ConnectionTrait>(db: &C, include_inactive: bool) -> AppResult<Vec<service::Model>> {
    let mut select = service::Entity::find().order_by_asc(service::Column::Id);
    if !include_inactive {
        select = select.filter(service::Column::Active.eq(true));
    }
    Ok(select.all(db).await?)
}
