//! The records tests start from (providers, holidays, tickets opened through the API,
//! reports) and what the outbox holds (mails, the provider links in them).
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::TestApp;

impl TestApp {
    /// An active provider with these contacts (`Name <email>` or a bare address) and services.
    pub async fn provider(&self, slug: &str, name: &str, response_hours: &str, contacts: &[&str], services: &[&str]) {
        staffel::catalogue::providers::create(
            self.store(),
            staffel::audit::By::Cli,
            staffel::catalogue::providers::ProviderInput {
                slug: slug.into(),
                name: name.into(),
                response_hours: response_hours.into(),
                contacts: contacts.iter().map(|c| c.to_string()).collect(),
                services: services.iter().map(|s| s.to_string()).collect(),
                active: true,
            },
        )
        .await
        .expect("provider");
    }

    /// A day the desk is closed (`YYYY-MM-DD`).
    pub async fn holiday(&self, day: &str, name: &str) {
        staffel::sla::settings::add_holiday(self.store(), staffel::audit::By::Cli, day, name).await.expect("holiday");
    }

    /// Opens a ticket through the API with a school admin's token; its number.
    pub async fn open_ticket(&self, token: &str, json: &str) -> String {
        let opened = self.api_post(Some(token), "/api/v1/tickets", json).await;
        assert_eq!(opened.status, Status::Created, "{}", opened.body);
        opened.json()["number"].as_str().expect("ticket number").to_string()
    }

    /// Resolves a ticket through the API with an agent's token.
    pub async fn resolve_ticket(&self, token: &str, number: &str, solution: &str) {
        let body = serde_json::json!({ "solution": solution }).to_string();
        let resolved = self.api_post(Some(token), &format!("/api/v1/tickets/{number}/resolve"), &body).await;
        assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
    }

    /// Forwards a ticket to a provider through the API with an agent's token; the ticket as
    /// the API answers.
    pub async fn forward_ticket(&self, token: &str, number: &str, json: &str) -> serde_json::Value {
        let forwarded = self.api_post(Some(token), &format!("/api/v1/tickets/{number}/forward"), json).await;
        assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
        forwarded.json()
    }

    /// A new report of this teacher to their school's admins, filed through the service;
    /// its id.
    pub async fn file_report(&self, teacher: &str, description: &str) -> i32 {
        let actor = self.actor(teacher).await;
        let input = staffel::reports::service::NewReport {
            affected: "Beamer in Raum 112".into(),
            since: "seit heute früh".into(),
            how_many: "die ganze Klasse 7b".into(),
            description: description.into(),
        };
        staffel::reports::service::file(self.app(), &actor, &input, staffel::attachments::store::Staged::none())
            .await
            .expect("file a report")
            .id
    }

    /// Every mail in the outbox table, oldest first.
    pub async fn outbox(&self) -> Vec<entities::mail_outbox::Model> {
        entities::mail_outbox::Entity::find()
            .order_by_asc(entities::mail_outbox::Column::Id)
            .all(self.db())
            .await
            .expect("read the outbox")
    }

    /// The mails queued for this address, oldest first.
    pub async fn mails_to(&self, email: &str) -> Vec<entities::mail_outbox::Model> {
        entities::mail_outbox::Entity::find()
            .filter(entities::mail_outbox::Column::ToAddr.eq(email))
            .order_by_asc(entities::mail_outbox::Column::Id)
            .all(self.db())
            .await
            .expect("read the outbox")
    }

    /// The link token in the newest mail that carries a provider link.
    pub async fn latest_provider_token(&self) -> String {
        let mails = self.outbox().await;
        let mail =
            mails.iter().rev().find(|m| m.body_text.contains("/provider/")).expect("a mail with the provider link");
        provider_token_in(&mail.body_text)
    }

    /// The link token in the newest mail queued for this address.
    pub async fn provider_token_mailed_to(&self, email: &str) -> String {
        let mails = self.mails_to(email).await;
        provider_token_in(&mails.last().expect("a mail to the contact").body_text)
    }
}

/// The token of the first provider link (`/provider/<64 hex digits>`) in a mail's text.
pub fn provider_token_in(text: &str) -> String {
    let marker = "/provider/";
    let start = text.find(marker).expect("a provider link") + marker.len();
    let token: String = text[start..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64, "a provider link ends in 64 hex digits: {}", &text[start..]);
    token
}

/// The FAQ article with this slug.
pub async fn article_by_slug(app: &TestApp, slug: &str) -> entities::kb_article::Model {
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .expect("read article")
        .unwrap_or_else(|| panic!("article {slug} exists"))
}

/// The id behind a ticket number (`T-000042` → 42), as Staffel reads it.
pub fn ticket_id(number: &str) -> i32 {
    staffel::tickets::status::TicketNumber::parse(number).unwrap_or_else(|| panic!("{number} is a ticket number")).id()
}

/// The number Staffel shows for a ticket id (42 → `T-000042`).
pub fn ticket_number(id: i32) -> String {
    staffel::tickets::status::number(id)
}
