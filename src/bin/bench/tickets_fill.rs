//! Fills a migrated Staffel database with schools, their admins, desk agents and a year of
//! tickets, through SeaORM's multi-row INSERTs (so every value is stored exactly as the
//! server stores it) in large transactions. Deterministic: the same sizes give the same data.
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, Database, DatabaseConnection, EntityTrait, Set, TransactionTrait};

use entities::{school, service, ticket, user, Priority, Role, TicketStatus};

pub const AGENTS: usize = 20;
/// Rows per INSERT: 25 columns × 400 rows stays far below SQLite's and PostgreSQL's
/// parameter limits.
const ROWS_PER_INSERT: usize = 400;
const ROWS_PER_TRANSACTION: usize = 50_000;

const TITLES: &[&str] = &[
    "Beamer zeigt kein Bild",
    "Drucker im Lehrerzimmer druckt nicht",
    "WLAN im Neubau bricht ab",
    "Passwort eines Schülers zurücksetzen",
    "Tablet-Koffer lädt nicht",
    "Lernplattform: Kurs fehlt",
    "E-Mail kommt nicht an",
    "Interaktive Tafel reagiert nicht auf Stift",
    "Software-Lizenz abgelaufen",
    "Laptop startet nicht mehr",
    "Kopierer meldet Papierstau",
    "Dienst-iPad gesperrt",
];

pub fn school_slug(n: usize) -> String {
    format!("schule-{n:03}")
}

pub struct Filled {
    pub schools: Vec<(i32, String)>,
    pub services: Vec<String>,
    pub tickets: u64,
    pub took: Duration,
}

/// Schools with one (unusable-password) admin each, and the desk's agents.
pub async fn people(url: &str, schools: usize) -> Result<Vec<(i32, String)>, String> {
    let db = Database::connect(url).await.map_err(|e| format!("connect {url}: {e}"))?;
    let now = Utc::now();
    let rows: Vec<school::ActiveModel> = (1..=schools)
        .map(|n| school::ActiveModel {
            id: NotSet,
            slug: Set(school_slug(n)),
            name: Set(format!("Schule {n:03}")),
            active: Set(true),
            created_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        school::Entity::insert_many(chunk.to_vec()).exec_without_returning(&db).await.map_err(|e| e.to_string())?;
    }
    let found: Vec<(i32, String)> =
        school::Entity::find().all(&db).await.map_err(|e| e.to_string())?.into_iter().map(|s| (s.id, s.slug)).collect();
    let person = |email: String, role: Role, school_id: Option<i32>| user::ActiveModel {
        id: NotSet,
        name: Set(email.split('@').next().unwrap_or("").to_string()),
        email: Set(email),
        role: Set(role),
        school_id: Set(school_id),
        language: Set("de".into()),
        // Not a hash: nobody logs in as these; the benchmark's logins come from the CLI.
        password_hash: Set("!".into()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    };
    let mut users: Vec<user::ActiveModel> = found
        .iter()
        .map(|(id, slug)| person(format!("admin@{slug}.bench.test"), Role::SchoolAdmin, Some(*id)))
        .collect();
    users.extend((1..=AGENTS).map(|n| person(format!("agent{n:02}@desk.bench.test"), Role::Agent, None)));
    for chunk in users.chunks(ROWS_PER_INSERT) {
        user::Entity::insert_many(chunk.to_vec()).exec_without_returning(&db).await.map_err(|e| e.to_string())?;
    }
    db.close().await.map_err(|e| e.to_string())?;
    Ok(found)
}

/// One ticket of a desk's year; `i` of `total` fixes its creation time (ids ascend with time,
/// as they do in a real desk).
fn one_ticket(
    rng: &mut StdRng,
    i: usize,
    total: usize,
    now: DateTime<Utc>,
    schools: &[(i32, i32)],
    services: &[i32],
    agents: &[i32],
) -> ticket::ActiveModel {
    let year = chrono::Duration::days(365);
    let created =
        now - year + year * (i as i32) / (total as i32).max(1) - chrono::Duration::seconds(rng.gen_range(0..60));
    let age_days = (now - created).num_days();
    // The backlog: most tickets of the last days are still being worked on, few old ones are.
    let active_share = match age_days {
        0..=1 => 0.9,
        2..=6 => 0.5,
        7..=29 => 0.2,
        30..=89 => 0.05,
        _ => 0.01,
    };
    let status = if rng.gen_bool(active_share) {
        match rng.gen_range(0..100) {
            0..=19 => TicketStatus::New,
            20..=64 => TicketStatus::Open,
            65..=84 => TicketStatus::WaitingOnSchool,
            _ => TicketStatus::AtProvider,
        }
    } else if age_days < 14 && rng.gen_bool(0.3) {
        TicketStatus::Resolved
    } else {
        TicketStatus::Closed
    };
    let priority = match rng.gen_range(0..100) {
        0..=2 => Priority::P1,
        3..=19 => Priority::P2,
        20..=79 => Priority::P3,
        _ => Priority::P4,
    };
    let (first_hours, resolution_hours) = match priority {
        Priority::P1 => (1, 4),
        Priority::P2 => (4, 24),
        Priority::P3 => (8, 72),
        Priority::P4 => (24, 168),
    };
    // Big schools open more tickets: the square skews the choice towards the first ones.
    let (school_id, admin_id) = schools[((rng.gen::<f64>().powi(2)) * schools.len() as f64) as usize % schools.len()];
    let service_id = if rng.gen_bool(0.1) { None } else { Some(services[rng.gen_range(0..services.len())]) };
    let assignee = (status != TicketStatus::New).then(|| agents[rng.gen_range(0..agents.len())]);
    let hours = |h: i64| chrono::Duration::hours(h);
    let minutes = |m: i64| chrono::Duration::minutes(m);
    let first_response_at =
        (status != TicketStatus::New).then(|| created + minutes(rng.gen_range(5..600))).map(|t| t.min(now));
    let done = created + hours(rng.gen_range(1..240));
    let (resolved_at, closed_at) = match status {
        TicketStatus::Resolved => (Some(done.min(now)), None),
        TicketStatus::Closed => (Some(done.min(now)), Some((done + hours(rng.gen_range(1..96))).min(now))),
        _ => (None, None),
    };
    let last_change = closed_at.or(resolved_at).unwrap_or_else(|| {
        let span = (now - created).num_seconds().max(1);
        created + chrono::Duration::seconds(rng.gen_range(0..span))
    });
    let title = TITLES[rng.gen_range(0..TITLES.len())];
    ticket::ActiveModel {
        id: NotSet,
        school_id: Set(school_id),
        service_id: Set(service_id),
        title: Set(format!("{title} (Raum {})", rng.gen_range(1..400))),
        description: Set(format!(
            "{title}. Seit heute früh betroffen, mehrere Klassen. Neustart hat nicht geholfen. Bitte um Rückruf in \
             der zweiten großen Pause. Vorgang {i}."
        )),
        status: Set(status),
        priority: Set(priority),
        level: Set(if status == TicketStatus::AtProvider { 3 } else { 2 }),
        triage_scope: Set(Some(["local", "school", "networked", "unknown"][rng.gen_range(0..4)].into())),
        triage_fault_type: Set(Some(["hardware", "software", "unknown"][rng.gen_range(0..3)].into())),
        created_by: Set(admin_id),
        assignee_id: Set(assignee),
        provider_id: Set(None),
        solution: Set(resolved_at.map(|_| "Treiber neu installiert, funktioniert wieder.".to_string())),
        first_response_due: Set(Some(created + hours(first_hours))),
        resolution_due: Set(Some(created + hours(resolution_hours))),
        first_response_at: Set(first_response_at),
        resolved_at: Set(resolved_at),
        closed_at: Set(closed_at),
        version: Set(rng.gen_range(1..9)),
        created_at: Set(created),
        updated_at: Set(last_change.max(created)),
        report_id: Set(None),
        // A desk in its steady state has sent the reminders of its past: the reminder job
        // (all four stages dealt with) leaves these tickets alone.
        sla_reminded: Set(15),
        sla_check_at: Set(None),
        anonymised_at: Set(None),
        to_verify: Set(false),
        outside_news_at: Set(None),
    }
}

/// `total` tickets over every school, in transactions of `ROWS_PER_TRANSACTION`.
pub async fn tickets(url: &str, total: usize) -> Result<Filled, String> {
    let started = Instant::now();
    let db: DatabaseConnection = Database::connect(url).await.map_err(|e| format!("connect {url}: {e}"))?;
    let err = |e: sea_orm::DbErr| e.to_string();
    let all_schools = school::Entity::find().all(&db).await.map_err(err)?;
    let admins = user::Entity::find().all(&db).await.map_err(err)?;
    let schools: Vec<(i32, i32)> = all_schools
        .iter()
        .filter_map(|s| {
            let admin = admins.iter().find(|u| u.school_id == Some(s.id) && u.email.starts_with("admin@"))?;
            Some((s.id, admin.id))
        })
        .collect();
    let agents: Vec<i32> = admins.iter().filter(|u| u.role == Role::Agent).map(|u| u.id).collect();
    let all_services = service::Entity::find().all(&db).await.map_err(err)?;
    let services: Vec<i32> = all_services.iter().map(|s| s.id).collect();
    if schools.is_empty() || agents.is_empty() || services.is_empty() {
        return Err("no schools, agents or services to file tickets for".into());
    }
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(20261123);
    let mut done = 0;
    while done < total {
        let txn = db.begin().await.map_err(err)?;
        let end = (done + ROWS_PER_TRANSACTION).min(total);
        while done < end {
            let rows: Vec<ticket::ActiveModel> = (done..(done + ROWS_PER_INSERT).min(end))
                .map(|i| one_ticket(&mut rng, i, total, now, &schools, &services, &agents))
                .collect();
            done += rows.len();
            ticket::Entity::insert_many(rows).exec_without_returning(&txn).await.map_err(err)?;
        }
        txn.commit().await.map_err(err)?;
        eprint!("\rtickets: {done}/{total} ({:.0} s)", started.elapsed().as_secs_f64());
    }
    eprintln!();
    // Written past the kernel: the server's next start counts the report tallies anew.
    db.execute_unprepared("DELETE FROM ticket_tally_state").await.map_err(err)?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // What autovacuum would do soon after such a load: statistics for the planner and
        // the visibility map for index-only scans.
        db.execute_unprepared("VACUUM ANALYZE").await.map_err(err)?;
    }
    db.close().await.map_err(err)?;
    Ok(Filled {
        schools: all_schools.into_iter().map(|s| (s.id, s.slug)).collect(),
        services: all_services.into_iter().filter(|s| s.active).map(|s| s.slug).collect(),
        tickets: total as u64,
        took: started.elapsed(),
    })
}

/// The schools and services of a database filled before (`--reuse`).
pub async fn existing(url: &str) -> Result<Filled, String> {
    let db = Database::connect(url).await.map_err(|e| format!("connect {url}: {e}"))?;
    let err = |e: sea_orm::DbErr| e.to_string();
    let schools = school::Entity::find().all(&db).await.map_err(err)?;
    let services = service::Entity::find().all(&db).await.map_err(err)?;
    db.close().await.map_err(err)?;
    Ok(Filled {
        schools: schools.into_iter().map(|s| (s.id, s.slug)).collect(),
        services: services.into_iter().filter(|s| s.active).map(|s| s.slug).collect(),
        tickets: 0,
        took: Duration::ZERO,
    })
}

/// How many tickets the database holds.
pub async fn count(url: &str) -> Result<u64, String> {
    let db = Database::connect(url).await.map_err(|e| format!("connect {url}: {e}"))?;
    let n = sea_orm::PaginatorTrait::count(ticket::Entity::find(), &db).await.map_err(|e| e.to_string())?;
    db.close().await.map_err(|e| e.to_string())?;
    Ok(n)
}
