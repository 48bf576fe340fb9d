//! The demo data set: two schools with a pupil, a teacher and a school admin each, two
//! agents, a desk lead, an operator, three providers and the desk's canned responses.
//! Idempotent: what exists is kept. On a desk without tickets, `story` adds three weeks of
//! work made through the service functions (see `story`, `history`).
mod history;
mod story;

use crate::accounts::service::{self as users, UserInput};
use crate::app::App;
use crate::audit::By;
use crate::catalogue::providers::{self, ProviderInput};
use crate::db::Db;
use crate::error::AppResult;
use crate::schools;

/// Every demo account has this password; the demo is for trying Staffel, not for use.
pub const DEMO_PASSWORD: &str = "staffel-demo";

pub const SCHOOLS: &[(&str, &str)] = &[("gym-mitte", "Gymnasium Mitte"), ("gs-nordpark", "Grundschule am Nordpark")];

/// (email, name, role, school slug)
pub const USERS: &[(&str, &str, &str, &str)] = &[
    ("schueler@gym-mitte.demo", "Lena Schüler", "pupil", "gym-mitte"),
    ("lehrer@gym-mitte.demo", "Jonas Lehmann", "teacher", "gym-mitte"),
    ("admin@gym-mitte.demo", "Sabine Admin", "school_admin", "gym-mitte"),
    ("schueler@gs-nordpark.demo", "Mia Klein", "pupil", "gs-nordpark"),
    ("lehrer@gs-nordpark.demo", "Peter Nord", "teacher", "gs-nordpark"),
    ("admin@gs-nordpark.demo", "Aylin Yilmaz", "school_admin", "gs-nordpark"),
    ("agent1@desk.demo", "Tom Support", "agent", ""),
    ("agent2@desk.demo", "Eva Hilfreich", "agent", ""),
    ("lead@desk.demo", "Karin Leitung", "desk_lead", ""),
    ("operator@staffel.demo", "Olaf Betrieb", "operator", ""),
];

/// (slug, name, contacts, services, response hours)
pub type DemoProvider = (&'static str, &'static str, &'static [&'static str], &'static [&'static str], i32);

pub const PROVIDERS: &[DemoProvider] = &[
    ("lernwolke", "Lernwolke GmbH", &["Support Lernwolke <support@lernwolke.demo>"], &["lms", "cloud"], 8),
    (
        "netzwerk-nord",
        "Netzwerk Nord AG",
        &["NOC <noc@netzwerk-nord.demo>", "Bereitschaft <bereitschaft@netzwerk-nord.demo>"],
        &["wifi", "network"],
        4,
    ),
    ("druckhaus-service", "Druckhaus Service KG", &["service@druckhaus.demo"], &["printing", "presentation"], 16),
];

/// (trigger, title, body): the desk's canned responses.
pub const CANNED: &[(&str, &str, &str)] = &[
    (
        "drucker-neu",
        "Drucker neu einrichten",
        "Guten Tag,\n\nbitte richten Sie den Drucker so neu ein:\n\n1. Drucker in den Systemeinstellungen entfernen.\n\
         2. Rechner neu starten.\n3. Drucker über **Drucker hinzufügen** mit seinem Namen im Schulnetz wieder \
         anlegen.\n\nMelden Sie sich gern, wenn er danach noch nicht druckt.\n\nViele Grüße\nIhr Service-Desk",
    ),
    (
        "passwort-reset",
        "Passwort zurückgesetzt",
        "Guten Tag,\n\ndas Passwort ist zurückgesetzt. Beim nächsten Anmelden werden Sie gebeten, ein neues zu \
         wählen.\n\nViele Grüße\nIhr Service-Desk",
    ),
    (
        "wlan-neustart",
        "WLAN: Access Point neu starten",
        "Guten Tag,\n\nbitte trennen Sie den Access Point im Raum für 30 Sekunden vom Strom und stecken Sie ihn \
         wieder ein. Nach etwa zwei Minuten sollte das WLAN wieder da sein.\n\nViele Grüße\nIhr Service-Desk",
    ),
    (
        "rueckmeldung",
        "Bitte um Rückmeldung",
        "Guten Tag,\n\nkönnen Sie uns bitte sagen, ob das Problem damit gelöst ist? Ohne Rückmeldung schließen wir \
         das Ticket in einer Woche.\n\nViele Grüße\nIhr Service-Desk",
    ),
];

pub struct DemoReport {
    pub created: usize,
    /// What the story added; none when the desk had tickets already.
    pub story: Option<story::Told>,
}

impl DemoReport {
    pub fn print(&self) {
        match &self.story {
            Some(told) => println!(
                "Demo story added: {} tickets, {} teachers' reports, {} closed chats.",
                told.tickets, told.reports, told.chats
            ),
            None => println!("Demo tickets already there; the story is not added again."),
        }
        println!("Demo data ready ({} new records). Every login uses the password \"{DEMO_PASSWORD}\":", self.created);
        for (email, name, role, school) in USERS {
            let school = if school.is_empty() { String::new() } else { format!(", {school}") };
            println!("  {email:<28} {role:<13} {name}{school}");
        }
        println!("Providers (no login; they act through emailed links):");
        for (slug, name, contacts, services, _) in PROVIDERS {
            println!("  {slug:<18} {name} — {} — {}", contacts.join(", "), services.join(", "));
        }
    }
}

/// The demo's people, providers and canned responses, then — on a desk without tickets —
/// its story, through the same `App` the server runs with.
pub async fn create(app: &App) -> AppResult<DemoReport> {
    let created = basics(&app.db).await?;
    let story = if any_ticket(&app.db).await? { None } else { Some(story::tell(app).await?) };
    Ok(DemoReport { created, story })
}

async fn any_ticket(db: &Db) -> AppResult<bool> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    Ok(entities::ticket::Entity::find().count(db.read()).await? > 0)
}

async fn basics(db: &Db) -> AppResult<usize> {
    let mut created = 0;
    for (slug, name) in SCHOOLS {
        if schools::service::find_by_slug(db.read(), slug).await?.is_none() {
            schools::service::create(db, By::Cli, slug, name).await?;
            created += 1;
        }
    }
    for (email, name, role, school) in USERS {
        if users::find_by_email(db.read(), email).await?.is_none() {
            let input = UserInput {
                email: email.to_string(),
                name: name.to_string(),
                role: role.to_string(),
                school: school.to_string(),
                language: "de".into(),
                password: DEMO_PASSWORD.into(),
            };
            users::create_user(db, By::Cli, input).await?;
            created += 1;
        }
    }
    for (slug, name, contacts, services, hours) in PROVIDERS {
        if providers::find_by_slug(db.read(), slug).await?.is_none() {
            let input = ProviderInput {
                slug: slug.to_string(),
                name: name.to_string(),
                response_hours: hours.to_string(),
                contacts: contacts.iter().map(|c| c.to_string()).collect(),
                services: services.iter().map(|s| s.to_string()).collect(),
                active: true,
            };
            providers::create(db, By::Cli, input).await?;
            created += 1;
        }
    }
    for (trigger, title, body) in CANNED {
        if crate::canned::find_by_trigger(db.read(), By::Cli, trigger).await?.is_none() {
            let input = crate::canned::CannedInput {
                trigger: trigger.to_string(),
                title: title.to_string(),
                body: body.to_string(),
            };
            crate::canned::create(db, By::Cli, &input).await?;
            created += 1;
        }
    }
    Ok(created)
}
