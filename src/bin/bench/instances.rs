//! `bench instances`: two `staffel serve` (release binary next to this one) on one fresh
//! PostgreSQL database. In each chat the requester is on the first instance and the agent
//! has a socket on each: one message, sent by the requester, is timed to its arrival at the
//! agent's socket on the same instance and at the one on the other instance (there through
//! NOTIFY, LISTEN and a read of the row), so both figures come from the same run and the
//! same messages.
use std::process::Stdio;
use std::time::{Duration, Instant};

use rocket::futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::chat::{arrival, call, connect, free_port, staffel, wait_listening, Running};
use crate::load::server_binary;
use crate::report::{ms, verdict, Latency, Table, TempDir};
use crate::tickets::pg_admin;

const P99_TARGET_MS: f64 = 100.0;
const SHARED_SECRET: &str = "4b1e9c2d7a3f6e0b8c5d2a9f1e4b7c0d3a6f9e2b5c8d1a4f7e0b3c6d9a2f5e8b";

pub fn run(pg: &str, chats: usize, rounds: usize) -> Result<(), String> {
    let binary = server_binary()?;
    let temp = TempDir::new("instances")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let name = format!("staffel_bench_instances_{}", std::process::id());
    runtime.block_on(pg_admin(pg, &format!("CREATE DATABASE {name}")))?;
    let url = format!("{}/{name}", pg.trim_end_matches('/'));
    let result = measure(&runtime, &binary, &temp, &url, chats, rounds);
    let _ = runtime.block_on(pg_admin(pg, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
    result
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    binary: &std::path::Path,
    temp: &TempDir,
    url: &str,
    chats: usize,
    rounds: usize,
) -> Result<(), String> {
    let (port_a, port_b) = (free_port()?, free_port()?);
    let (data_a, data_b) = (temp.path().join("a"), temp.path().join("b"));
    let instance = |data: &std::path::Path, port: u16| {
        let mut command = staffel(binary, data, port);
        command.env("STAFFEL_DATABASE_URL", url).env("ROCKET_SECRET_KEY", SHARED_SECRET);
        command
    };
    let cli = |args: &[&str]| -> Result<String, String> {
        let out = instance(&data_a, port_a).args(args).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("staffel {args:?}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    cli(&["demo"])?;
    let admin = cli(&["token", "new", "--email", "admin@gym-mitte.demo"])?;
    let agent = cli(&["token", "new", "--email", "agent1@desk.demo"])?;
    let spawn = |data: &std::path::Path, port: u16| -> Result<Running, String> {
        let child = instance(data, port)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        Ok(Running(child))
    };
    let _a = spawn(&data_a, port_a)?;
    let _b = spawn(&data_b, port_b)?;
    runtime.block_on(async {
        wait_listening(port_a).await?;
        wait_listening(port_b).await?;
        // The relay listens once the server lifted off: give both a moment.
        tokio::time::sleep(Duration::from_secs(2)).await;
        call(port_b, "POST", "/api/v1/chat/presence/heartbeat", &agent, r#"{"session":"bench","input":true}"#).await?;
        let mut sockets = Vec::with_capacity(chats);
        for _ in 0..chats {
            let (status, chat) =
                call(port_a, "POST", "/api/v1/chats", &admin, r#"{"message":"Beamer zeigt kein Bild"}"#).await?;
            let id = chat["id"].as_i64().ok_or_else(|| format!("no chat ({status}): {chat}"))?;
            let (status, _) = call(port_b, "POST", &format!("/api/v1/chats/{id}/accept"), &agent, "{}").await?;
            if status != 200 {
                return Err(format!("accept {id}: {status}"));
            }
            let ws = |port: u16| format!("ws://127.0.0.1:{port}/api/v1/chats/{id}/ws?after=2");
            let requester = connect(&ws(port_a), Some(&admin)).await?;
            let same = connect(&ws(port_a), Some(&agent)).await?;
            let other = connect(&ws(port_b), Some(&agent)).await?;
            sockets.push((requester, same, other));
        }
        let (mut here, mut there) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
        for round in 0..rounds {
            let (requester, same, other) = &mut sockets[round % chats];
            let marker = format!("m{round}x");
            let frame =
                serde_json::json!({ "type": "message", "body": format!("Nachricht {marker}"), "client_id": marker });
            let sent = Instant::now();
            requester.send(Message::Text(frame.to_string())).await.map_err(|e| e.to_string())?;
            let (at_same, at_other) = tokio::join!(arrival(same, &marker), arrival(other, &marker));
            here.push(at_same? - sent);
            there.push(at_other? - sent);
            while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(1), requester.next()).await {}
        }
        let (here, there) = (Latency::of(&here), Latency::of(&there));
        let mut table = Table::new(&["receiver", "messages", "p50", "p90", "p99", "max"]).left_aligned(1);
        for (name, m) in [("agent on the same instance", here), ("agent on the other instance", there)] {
            table.row(vec![name.into(), m.n.to_string(), ms(m.p50), ms(m.p90), ms(m.p99), ms(m.max)]);
        }
        table.print();
        println!(
            "across instances p99 {} (target < {P99_TARGET_MS} ms): {}",
            ms(there.p99),
            verdict(there.p99 < P99_TARGET_MS)
        );
        Ok(())
    })
}
