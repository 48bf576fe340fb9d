//! `kill -9` of `staffel serve` while many clients open tickets at once: every ticket
//! acknowledged with 201 is stored, and no ticket is stored twice. (On SQLite new tickets
//! are written in groups; a group killed before its commit must not have answered anyone.)
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{EntityTrait, QuerySelect};

use super::serve::Server;
use super::Setup;
use crate::common::Backend;

/// Clients opening tickets at once.
const CLIENTS: usize = 8;

/// What the clients saw: every title they sent, and those answered 201.
#[derive(Default)]
struct Seen {
    sent: Vec<String>,
    acknowledged: Vec<String>,
}

/// Waits until `count` more tickets are acknowledged than `from`, so that the kill falls
/// into a run, not before it.
async fn until_acknowledged(seen: &Mutex<Seen>, from: usize, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().acknowledged.len() < from + count {
        assert!(Instant::now() < deadline, "the clients got no tickets through");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

both_dbs!(
    #[worker_threads(2)]
    async fn a_killed_server_loses_no_acknowledged_ticket_and_doubles_none(backend: Backend) {
        let setup = Setup::new(&backend).await;
        setup.ok(&["demo"]);
        let token = setup.ok(&["token", "new", "--email", "admin@gym-mitte.demo"]).trim().to_string();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
        let mut server = Server::start(&setup, &[]);
        server.wait_until_healthy(&http).await;
        // Where the clients send to: each restart listens on another port.
        let base = Arc::new(Mutex::new(server.base.clone()));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for client in 0..CLIENTS {
            let (http, token, base, seen, stop) =
                (http.clone(), token.clone(), base.clone(), seen.clone(), stop.clone());
            clients.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    // Unique, so that a ticket stored twice shows as a title found twice.
                    let title = format!("Kill {client}-{n}: Whiteboard ohne Bild");
                    let body = serde_json::json!({ "title": title, "description": "Seit der großen Pause." });
                    let url = format!("{}/api/v1/tickets", base.lock().unwrap());
                    seen.lock().unwrap().sent.push(title.clone());
                    match http.post(url).bearer_auth(&token).json(&body).send().await {
                        Ok(answer) if answer.status() == reqwest::StatusCode::CREATED => {
                            seen.lock().unwrap().acknowledged.push(title)
                        }
                        // The server is gone (or starting): try again in a moment.
                        _ => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
            }));
        }

        for _kill in 0..2 {
            let before = seen.lock().unwrap().acknowledged.len();
            until_acknowledged(&seen, before, 40).await;
            // SIGKILL, mid-run: the clients are still sending.
            drop(server);
            server = Server::start(&setup, &[]);
            server.wait_until_healthy(&http).await;
            *base.lock().unwrap() = server.base.clone();
        }
        let before = seen.lock().unwrap().acknowledged.len();
        until_acknowledged(&seen, before, 20).await;
        stop.store(true, Ordering::Relaxed);
        for client in clients {
            client.await.unwrap();
        }
        drop(server);

        let db = setup.db().await;
        let titles: Vec<String> = entities::ticket::Entity::find()
            .select_only()
            .column(entities::ticket::Column::Title)
            .into_tuple()
            .all(&db)
            .await
            .unwrap();
        let _ = db.close().await;
        let mut stored = std::collections::HashMap::<&str, usize>::new();
        for title in &titles {
            *stored.entry(title.as_str()).or_default() += 1;
        }
        let seen = seen.lock().unwrap();
        let lost: Vec<_> = seen.acknowledged.iter().filter(|t| !stored.contains_key(t.as_str())).collect();
        assert!(lost.is_empty(), "acknowledged with 201 but not stored: {lost:?}");
        let doubled: Vec<_> = stored.iter().filter(|(_, count)| **count > 1).collect();
        assert!(doubled.is_empty(), "stored more than once: {doubled:?}");
        let unknown = titles.iter().filter(|t| t.starts_with("Kill ") && !seen.sent.contains(t)).count();
        assert_eq!(unknown, 0, "only what was sent is stored");
        crate::common::loud_notice(&format!(
            "cli::killed_intake on {}: {} sent, {} acknowledged and stored once each, over 2 kills\n",
            backend.name(),
            seen.sent.len(),
            seen.acknowledged.len()
        ));
    }
);
