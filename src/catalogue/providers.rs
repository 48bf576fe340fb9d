//! External providers (third level): who they are, where forwarded tickets go (one or more
//! contact addresses), which services they cover and their agreed response time.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::{provider, provider_contact, provider_service, service};

pub const MAX_CONTACTS: usize = 20;

#[derive(Debug, Default, Clone)]
pub struct ProviderInput {
    pub slug: String,
    pub name: String,
    pub response_hours: String,
    /// One per entry: `Name <email>` or a bare address.
    pub contacts: Vec<String>,
    pub services: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub response_hours: i32,
    pub active: bool,
    pub contacts: Vec<Contact>,
    pub services: Vec<String>,
}

fn parse_contact(line: &str) -> AppResult<Contact> {
    let line = line.trim();
    let (name, email) = match (line.find('<'), line.rfind('>')) {
        (Some(open), Some(close)) if close > open => (line[..open].trim(), &line[open + 1..close]),
        _ => ("", line),
    };
    let email = validate::email("contacts", email)?;
    let name = if name.is_empty() { email.clone() } else { validate::text("contacts", name, validate::NAME_MAX)? };
    Ok(Contact { name, email })
}

struct Checked {
    name: String,
    response_hours: i32,
    contacts: Vec<Contact>,
    service_ids: Vec<i32>,
}

async fn check<C: ConnectionTrait>(db: &C, input: &ProviderInput) -> AppResult<Checked> {
    let name = validate::text("name", &input.name, validate::NAME_MAX)?;
    let response_hours = validate::number_in("response_hours", &input.response_hours, 1, 24 * 30)?;
    let lines: Vec<&String> = input.contacts.iter().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err(AppError::invalid("contacts", "validation.contact_required"));
    }
    if lines.len() > MAX_CONTACTS {
        return Err(AppError::invalid_with("contacts", "validation.too_many", MAX_CONTACTS));
    }
    let mut contacts: Vec<Contact> = Vec::new();
    for line in lines {
        let contact = parse_contact(line)?;
        if !contacts.iter().any(|c| c.email == contact.email) {
            contacts.push(contact);
        }
    }
    let catalogue: HashMap<String, i32> =
        service::Entity::find().all(db).await?.into_iter().map(|s| (s.slug, s.id)).collect();
    let mut service_ids = Vec::new();
    for slug in input.services.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let id = catalogue
            .get(slug)
            .ok_or_else(|| AppError::invalid_with("services", "validation.unknown_service", validate::shown(slug)))?;
        if !service_ids.contains(id) {
            service_ids.push(*id);
        }
    }
    Ok(Checked { name, response_hours, contacts, service_ids })
}

async fn replace_links<C: ConnectionTrait>(db: &C, provider_id: i32, checked: &Checked) -> AppResult<()> {
    provider_contact::Entity::delete_many()
        .filter(provider_contact::Column::ProviderId.eq(provider_id))
        .exec(db)
        .await?;
    provider_service::Entity::delete_many()
        .filter(provider_service::Column::ProviderId.eq(provider_id))
        .exec(db)
        .await?;
    for contact in &checked.contacts {
        provider_contact::ActiveModel {
            provider_id: Set(provider_id),
            email: Set(contact.email.clone()),
            name: Set(contact.name.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for service_id in &checked.service_ids {
        provider_service::ActiveModel { provider_id: Set(provider_id), service_id: Set(*service_id) }
            .insert(db)
            .await?;
    }
    Ok(())
}

pub async fn create(db: &Db, by: By<'_>, input: ProviderInput) -> AppResult<provider::Model> {
    by.require_operator()?;
    let slug = validate::slug("slug", &input.slug)?;
    let checked = check(db.read(), &input).await?;
    let txn = db.write().await?;
    if find_by_slug(&txn, &slug).await?.is_some() {
        return Err(AppError::invalid_with("slug", "validation.slug_taken", &slug));
    }
    let created = provider::ActiveModel {
        slug: Set(slug),
        name: Set(checked.name.clone()),
        response_hours: Set(checked.response_hours),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    replace_links(&txn, created.id, &checked).await?;
    audit::record(&txn, by, "provider.create", Target::new("provider", created.id), json!({ "slug": created.slug }))
        .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(db: &Db, by: By<'_>, input: ProviderInput) -> AppResult<provider::Model> {
    by.require_operator()?;
    let checked = check(db.read(), &input).await?;
    let txn = db.write().await?;
    let existing = find_by_slug(&txn, &input.slug).await?.ok_or(AppError::NotFound)?;
    let mut model: provider::ActiveModel = existing.into();
    model.name = Set(checked.name.clone());
    model.response_hours = Set(checked.response_hours);
    model.active = Set(input.active);
    let updated = model.update(&txn).await?;
    replace_links(&txn, updated.id, &checked).await?;
    audit::record(
        &txn,
        by,
        "provider.update",
        Target::new("provider", updated.id),
        json!({ "active": updated.active }),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn find_by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> AppResult<Option<provider::Model>> {
    if !validate::can_match_stored(slug) {
        return Ok(None);
    }
    Ok(provider::Entity::find().filter(provider::Column::Slug.eq(slug)).one(db).await?)
}

/// Providers with their contacts and service slugs, in three queries whatever their number.
pub async fn list<C: ConnectionTrait>(db: &C, include_inactive: bool) -> AppResult<Vec<ProviderView>> {
    let mut select = provider::Entity::find().order_by_asc(provider::Column::Name);
    if !include_inactive {
        select = select.filter(provider::Column::Active.eq(true));
    }
    let providers = select.all(db).await?;
    let service_slugs: HashMap<i32, String> =
        service::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.slug)).collect();
    let mut contacts: HashMap<i32, Vec<Contact>> = HashMap::new();
    for c in provider_contact::Entity::find().order_by_asc(provider_contact::Column::Id).all(db).await? {
        contacts.entry(c.provider_id).or_default().push(Contact { name: c.name, email: c.email });
    }
    let mut services: HashMap<i32, Vec<String>> = HashMap::new();
    for link in provider_service::Entity::find().all(db).await? {
        if let Some(slug) = service_slugs.get(&link.service_id) {
            services.entry(link.provider_id).or_default().push(slug.clone());
        }
    }
    Ok(providers
        .into_iter()
        .map(|p| ProviderView {
            contacts: contacts.remove(&p.id).unwrap_or_default(),
            services: services.remove(&p.id).unwrap_or_default(),
            id: p.id,
            slug: p.slug,
            name: p.name,
            response_hours: p.response_hours,
            active: p.active,
        })
        .collect())
}
