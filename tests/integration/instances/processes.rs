//! Two real `staffel serve` processes on one fresh PostgreSQL database, as behind a load
//! balancer: a chat whose requester is on one and whose agent is on the other, a ticket
//! opened on one appearing in the other's queue, and after `kill -9` of the first the
//! requester resumes on the second without loss.
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::cli::staffel_command;
use crate::common::{self, Backend, Caller, PgDatabase};

/// The cookie key both instances share (each would generate its own otherwise, and a
/// session cookie of one would mean nothing to the other).
const SHARED_SECRET: &str = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f";

struct Serve {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(cwd: &Path, data_dir: &Path, url: &str) -> Serve {
        let port = common::free_port();
        let log = cwd.join(format!("serve-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = staffel_command(&["serve"], cwd, data_dir, Some(url))
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_SECRET_KEY", SHARED_SECRET)
            .env("STAFFEL_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("STAFFEL_LOGIN_DELAY_MS", "0")
            .env("RUST_LOG", "info")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .expect("start staffel serve");
        Serve { child, base: format!("http://127.0.0.1:{port}"), log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Until `/healthz` answers and the log says the relay listens.
    async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("staffel serve exited ({status}):\n{}", self.log());
            }
            let healthy = reqwest::get(format!("{}/healthz", self.base)).await.is_ok_and(|r| r.status() == 200);
            if healthy && self.log().contains("live events are relayed between instances") {
                return;
            }
            assert!(Instant::now() < deadline, "staffel serve never became ready:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn client(&self, token: &str) -> Caller {
        Caller { base: self.base.clone(), http: reqwest::Client::new(), token: Some(token.to_string()) }
    }
}

fn staffel_ok(cwd: &Path, data_dir: &Path, url: &str, args: &[&str]) -> String {
    let out = staffel_command(args, cwd, data_dir, Some(url)).output().expect("run staffel");
    assert!(out.status.success(), "staffel {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn two_processes_on_one_postgresql_behave_as_one() {
    let Some(Backend::Postgres(admin)) = common::backends().into_iter().find(|b| matches!(b, Backend::Postgres(_)))
    else {
        common::loud_notice(
            "instances::processes: STAFFEL_TEST_PG is not set, two instances on one PostgreSQL were NOT tested\n",
        );
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(walk(admin));
}

async fn walk(admin: String) {
    let pg = PgDatabase::create(&admin).await;
    let dir = tempfile::tempdir().unwrap();
    let (data_a, data_b) = (dir.path().join("a"), dir.path().join("b"));
    staffel_ok(dir.path(), &data_a, &pg.url, &["demo"]);
    let admin_token = staffel_ok(dir.path(), &data_a, &pg.url, &["token", "new", "--email", "admin@gym-mitte.demo"]);
    let agent_token = staffel_ok(dir.path(), &data_a, &pg.url, &["token", "new", "--email", "agent1@desk.demo"]);
    let mut a = Serve::start(dir.path(), &data_a, &pg.url);
    let mut b = Serve::start(dir.path(), &data_b, &pg.url);
    a.ready().await;
    b.ready().await;

    // The agent is online on B and follows the desk there.
    let agent = b.client(&agent_token);
    let beat = agent.post("/api/v1/chat/presence/heartbeat", json!({ "session": "tab-b", "input": true })).await;
    assert_eq!(beat.status, 200, "{:?}", beat.json);
    let mut desk = agent.events("/api/v1/chat/desk/events", None).await;
    assert_eq!(desk.next().await.data["type"], "snapshot");

    // The school admin asks on A; the request reaches the agent on B.
    let school = a.client(&admin_token);
    let asked = school.post("/api/v1/chats", json!({ "message": "Das WLAN im Lehrerzimmer ist weg." })).await;
    assert_eq!(asked.status, 201, "{:?}", asked.json);
    let id = asked.json["id"].as_i64().unwrap();
    let (_, request) = desk.until("request").await;
    assert_eq!(request.data["chat"]["id"], id);
    let mut on_a = school.socket(&format!("/api/v1/chats/{id}/ws?after=0")).await;
    let accepted = agent.post(&format!("/api/v1/chats/{id}/accept"), json!({})).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.json);
    let (_, joined) = on_a.until("joined").await;
    assert_eq!(joined["message"]["author"], "Tom Support");
    let mut on_b = agent.socket(&format!("/api/v1/chats/{id}/ws?after=2")).await;
    on_a.send(json!({ "type": "message", "body": "Seit der zweiten Stunde.", "client_id": "a-1" })).await;
    let (_, arrived) = on_b.until("message").await;
    assert_eq!(arrived["message"]["body"], "Seit der zweiten Stunde.");
    on_b.send(json!({ "type": "message", "body": "Ich starte den Access Point neu.", "client_id": "b-1" })).await;
    let (_, own) = on_a.until("message").await;
    assert_eq!(own["message"]["body"], "Seit der zweiten Stunde.", "the sender's own line first");
    let (_, answer) = on_a.until("message").await;
    assert_eq!(answer["message"]["body"], "Ich starte den Access Point neu.");
    let last = answer["message"]["seq"].as_i64().unwrap();

    // A ticket opened on A: B's queue feed hears of it, and B's queue lists it.
    // Signed in on A, followed on B: the session of A is good on B.
    let session = common::sign_in(&a.base, "agent1@desk.demo", staffel::demo::DEMO_PASSWORD).await;
    let mut feed = session.events_at(&b.base, "/desk/events").await;
    let before = feed.next().await.data["stamp"].as_str().unwrap().to_string();
    let opened = school
        .post("/api/v1/tickets", json!({ "title": "Drucker im Sekretariat", "description": "Papierstau." }))
        .await;
    assert_eq!(opened.status, 201, "{:?}", opened.json);
    let after = feed.next().await.data["stamp"].as_str().unwrap().to_string();
    assert_ne!(after, before);
    let number = opened.json["number"].as_str().unwrap();
    let queue = agent.get("/api/v1/tickets?limit=50").await;
    assert_eq!(queue.status, 200, "{:?}", queue.json);
    assert!(queue.json.to_string().contains(number), "B's queue lists the ticket opened on A");

    // A dies; the school admin's client connects to B with the last line it has.
    drop(on_a);
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    on_b.send(json!({ "type": "message", "body": "Jetzt sollte es wieder gehen.", "client_id": "b-2" })).await;
    let mut resumed = b.client(&admin_token).socket(&format!("/api/v1/chats/{id}/ws?after={last}")).await;
    let missed = resumed.next().await;
    assert_eq!(
        (missed["message"]["seq"].as_i64(), missed["message"]["body"].as_str()),
        (Some(last + 1), Some("Jetzt sollte es wieder gehen."))
    );
    assert!(resumed.next_within(Duration::from_millis(400)).await.is_none(), "nothing twice");
    drop(b);
}
