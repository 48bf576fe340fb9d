//! PostgreSQL cut off under a running `staffel serve`: a TCP proxy between the two is cut
//! (every connection dropped, new ones refused) and restored. While it is cut, signed-in
//! pages and the API answer a clear 503 at once (the server's watcher knows the database is
//! gone, so no request waits the pool's 10 s for a connection) — never 401 (a session that could
//! not be looked up is not a wrong one) or 500 — and `/healthz` says so at once; once it
//! is back, the same requests succeed without a restart, and nothing acknowledged is lost.
//! PostgreSQL only by nature: SQLite is a file, not a server that can go away.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

use super::serve::{sign_in, Server};
use super::Setup;
use crate::common::{self, Backend};

/// A TCP proxy on a port of its own to the PostgreSQL server, which can be cut and restored.
struct Proxy {
    port: u16,
    upstream: String,
    running: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    fn new(upstream: String) -> Proxy {
        Proxy { port: common::free_port(), upstream, running: None, connections: Default::default() }
    }

    /// Listens (again) on its port and forwards every connection to the server.
    fn open(&mut self) {
        let socket = TcpSocket::new_v4().unwrap();
        // The port is taken again right after the cut, beside the cut connections' TIME_WAIT.
        socket.set_reuseaddr(true).unwrap();
        socket.bind(format!("127.0.0.1:{}", self.port).parse().unwrap()).unwrap();
        let listener: TcpListener = socket.listen(128).unwrap();
        let (upstream, connections) = (self.upstream.clone(), self.connections.clone());
        self.running = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let forwarding = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                connections.lock().unwrap().push(forwarding);
            }
        }));
    }

    /// Stops listening (new connections are refused) and drops every open connection.
    async fn cut(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort();
            let _ = running.await;
        }
        let open: Vec<_> = std::mem::take(&mut *self.connections.lock().unwrap());
        for connection in open {
            connection.abort();
            let _ = connection.await;
        }
    }
}

/// `host:port` of a `postgres://user@host:port/db` URL.
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map(|(_, host)| host).unwrap_or(authority);
    if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    }
}

/// The URL with its `host:port` replaced by the proxy's.
fn through(url: &str, proxy_port: u16) -> String {
    url.replacen(&host_port(url), &format!("127.0.0.1:{proxy_port}"), 1)
}

#[test]
fn a_lost_database_answers_503_at_once_and_recovers_by_itself() {
    let admin = common::backends().into_iter().find_map(|backend| match backend {
        Backend::Postgres(url) => Some(url),
        Backend::Sqlite => None,
    });
    let Some(admin) = admin else {
        common::loud_notice("!!! SKIPPED cli::db_outage (PostgreSQL only): STAFFEL_TEST_PG is not set.\n");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(outage(Backend::Postgres(admin)));
    runtime.shutdown_timeout(Duration::from_millis(500));
}

/// A request as the test sees it: its status, `Retry-After`, final path and body.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    path: String,
    body: String,
    took: Duration,
}

async fn ask(request: reqwest::RequestBuilder) -> Answer {
    let started = Instant::now();
    let response = request.send().await.expect("an answer, not a hang");
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let (status, path) = (response.status().as_u16(), response.url().path().to_string());
    let body = response.text().await.unwrap();
    Answer { status, retry_after, path, body, took: started.elapsed() }
}

async fn open_ticket(http: &reqwest::Client, base: &str, token: &str, title: &str) -> Answer {
    let body = serde_json::json!({ "title": title, "description": "Beamer im Raum 101 bleibt dunkel." });
    ask(http.post(format!("{base}/api/v1/tickets")).bearer_auth(token).json(&body)).await
}

async fn outage(backend: Backend) {
    let setup = Setup::new(&backend).await;
    setup.ok(&["demo"]);
    let token = setup.ok(&["token", "new", "--email", "admin@gym-mitte.demo"]).trim().to_string();
    let mut proxy = Proxy::new(host_port(&setup.database_url));
    proxy.open();
    let proxied = through(&setup.database_url, proxy.port);
    // The pool's default wait for a connection (10 s): the 503s must come at once anyway,
    // because the server knows the database is gone.
    let mut server = Server::start(&setup, &[("STAFFEL_DATABASE_URL", proxied.as_str())]);
    // Generous for an answer, far below a hang: every request below must come back well
    // within it.
    let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(20)).build().unwrap();
    server.wait_until_healthy(&http).await;
    let base = server.base.clone();
    let start_page = sign_in(&http, &base, "lehrer@gym-mitte.demo").await;

    let mut acknowledged = Vec::new();
    for n in 0..3 {
        let title = format!("Vor dem Ausfall {n}");
        let opened = open_ticket(&http, &base, &token, &title).await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        acknowledged.push(title);
    }

    proxy.cut().await;
    let cut = Instant::now();
    // The server's own watcher notices within about a second, and says so in /metrics.
    loop {
        let metrics = ask(http.get(format!("{base}/metrics"))).await;
        if metrics.body.contains("staffel_database_reachable 0") {
            break;
        }
        assert!(cut.elapsed() < Duration::from_secs(5), "never noticed:\n{}", metrics.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    common::loud_notice(&format!(
        "cli::db_outage: the server knew the database was gone {:?} after the cut\n",
        cut.elapsed()
    ));

    let health = ask(http.get(format!("{base}/healthz"))).await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert!(health.took < Duration::from_millis(2500), "/healthz took {:?}", health.took);

    let page = ask(http.get(format!("{base}{start_page}"))).await;
    assert_eq!(page.status, 503, "a signed-in page, not the login: {} {}", page.path, page.body);
    assert_eq!(page.path, start_page, "no redirect to the login");
    assert!(page.body.contains("Gerade nicht erreichbar"), "the error page's title: {}", page.body);
    assert_eq!(page.retry_after.as_deref(), Some("5"));
    assert!(page.took < Duration::from_secs(2), "the page took {:?}", page.took);

    for answer in [
        ask(http.get(format!("{base}/api/v1/me")).bearer_auth(&token)).await,
        open_ticket(&http, &base, &token, "Während des Ausfalls").await,
    ] {
        assert_eq!(answer.status, 503, "{}", answer.body);
        let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("Datenbank"), "{body}");
        assert_eq!(answer.retry_after.as_deref(), Some("5"));
        assert!(answer.took < Duration::from_secs(2), "the API took {:?}", answer.took);
        common::loud_notice(&format!("cli::db_outage: cut off, an API call answered 503 in {:?}\n", answer.took));
    }

    common::loud_notice(&format!(
        "cli::db_outage: cut off, /healthz answered 503 in {:?}, a signed-in page in {:?}\n",
        health.took, page.took
    ));
    proxy.open();
    let restored = Instant::now();

    // Back by itself: the same session, token and server, no restart.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let health = ask(http.get(format!("{base}/healthz"))).await;
        if health.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never healthy again:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    common::loud_notice(&format!("cli::db_outage: healthy again {:?} after the restore\n", restored.elapsed()));
    let page = ask(http.get(format!("{base}{start_page}"))).await;
    assert_eq!((page.status, page.path.as_str()), (200, start_page.as_str()), "{}", page.body);
    let me = ask(http.get(format!("{base}/api/v1/me")).bearer_auth(&token)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let after = open_ticket(&http, &base, &token, "Nach dem Ausfall").await;
    assert_eq!(after.status, 201, "{}", after.body);
    acknowledged.push("Nach dem Ausfall".to_string());
    assert!(server.child.try_wait().unwrap().is_none(), "the server kept running");
    drop(server);

    let db = setup.db().await;
    for title in &acknowledged {
        let found = entities::ticket::Entity::find()
            .filter(entities::ticket::Column::Title.eq(title.as_str()))
            .all(&db)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{title} is stored once");
    }
    let refused = entities::ticket::Entity::find()
        .filter(entities::ticket::Column::Title.eq("Während des Ausfalls"))
        .all(&db)
        .await
        .unwrap();
    assert!(refused.is_empty(), "the refused ticket was not written");
    let _ = db.close().await;
}
