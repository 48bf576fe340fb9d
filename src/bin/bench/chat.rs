//! `bench chat`: thousands of WebSocket clients on one `staffel serve` (release binary
//! next to this one, fresh SQLite data dir): requesters and agents in many chats at once.
//! Measures the time to connect, the server's resident memory per idle socket, and the
//! delivery latency of a message from its send by the requester to its receipt by the
//! agent (stored, numbered, fanned out) — beside a bare rocket_ws echo route in a process of
//! its own, measured in the same run the same way.
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket::futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::load::server_binary;
use crate::report::{ms, rss_kb, verdict, Latency, Table, TempDir};

const PASSWORD: &str = "bench-passwort-123";
const P99_TARGET_MS: f64 = 50.0;
const KB_PER_SOCKET_TARGET: f64 = 40.0;

pub(crate) type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

pub(crate) async fn wait_listening(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on {port}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// One JSON request over a fresh connection; the status and the body.
pub(crate) async fn call(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Result<(u16, serde_json::Value), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        crate::load::dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)))
}

pub(crate) async fn connect(url: &str, token: Option<&str>) -> Result<Socket, String> {
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
        .map_err(|e| e.to_string())?;
    if let Some(token) = token {
        request.headers_mut().insert("Authorization", format!("Bearer {token}").parse().map_err(|_| "header")?);
    }
    let (socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| format!("{url}: {e}"))?;
    Ok(socket)
}

/// Opens `urls` sockets, 64 at a time; the sockets and each one's connect time.
async fn open_all(urls: Vec<(String, Option<String>)>) -> Result<(Vec<Socket>, Vec<Duration>), String> {
    let mut sockets = Vec::with_capacity(urls.len());
    let mut times = Vec::with_capacity(urls.len());
    for batch in urls.chunks(64) {
        let opened = rocket::futures::future::join_all(batch.iter().map(|(url, token)| async move {
            let started = Instant::now();
            connect(url, token.as_deref()).await.map(|s| (s, started.elapsed()))
        }))
        .await;
        for result in opened {
            let (socket, took) = result?;
            sockets.push(socket);
            times.push(took);
        }
    }
    Ok((sockets, times))
}

/// Sends one text frame on `from` and waits until `to` receives a frame containing
/// `marker`; the time between.
async fn deliver(from: &mut Socket, to: &mut Socket, frame: String, marker: &str) -> Result<Duration, String> {
    let started = Instant::now();
    from.send(Message::Text(frame)).await.map_err(|e| e.to_string())?;
    Ok(arrival(to, marker).await? - started)
}

/// Waits (at most 10 s) on a socket for a frame containing `marker`; when it came.
pub(crate) async fn arrival(socket: &mut Socket, marker: &str) -> Result<Instant, String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) if text.contains(marker) => return Ok(Instant::now()),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => return Err(e.to_string()),
            Ok(None) => return Err("socket closed".into()),
            Err(_) => return Err(format!("{marker} never arrived")),
        }
    }
}

/// Reads whatever waits on a socket without blocking (the sender's own copy, "sent").
async fn drain(socket: &mut Socket) {
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(1), socket.next()).await {}
}

struct Measured {
    connect: Latency,
    connect_total: Duration,
    kb_per_socket: f64,
    delivery: Latency,
}

/// Pairs of sockets: a message goes from the first of a pair to the second.
async fn measure(
    pid: u32,
    urls: Vec<(String, Option<String>)>,
    frames: &dyn Fn(usize) -> (String, String),
    rounds: usize,
) -> Result<Measured, String> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kb(Some(pid)).unwrap_or(0);
    let started = Instant::now();
    let n = urls.len();
    let (mut sockets, times) = open_all(urls).await?;
    let connect_total = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kb(Some(pid)).unwrap_or(0);
    let pairs = sockets.len() / 2;
    let mut samples = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let pair = (round * 7919) % pairs;
        let (first, second) = sockets.split_at_mut(2 * pair + 1);
        let (from, to) = (&mut first[2 * pair], &mut second[0]);
        let (frame, marker) = frames(round);
        samples.push(deliver(from, to, frame, &marker).await?);
        drain(from).await;
    }
    Ok(Measured {
        connect: Latency::of(&times),
        connect_total,
        kb_per_socket: after.saturating_sub(before) as f64 / n as f64,
        delivery: Latency::of(&samples),
    })
}

pub(crate) fn staffel(binary: &Path, data: &Path, port: u16) -> Command {
    let mut command = Command::new(binary);
    command
        .env("STAFFEL_DATA_DIR", data)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_LOG_LEVEL", "off")
        .env("RUST_LOG", "error")
        .env("STAFFEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("STAFFEL_CHAT_MAX_ACTIVE", "100000")
        .env("STAFFEL_CHAT_MESSAGES_PER_MINUTE", "1000000")
        .env("STAFFEL_CHAT_AWAY_AFTER_SECS", "86400")
        .env("STAFFEL_CHAT_XA_AFTER_SECS", "86400")
        .env("STAFFEL_CHAT_HEARTBEAT_TIMEOUT_SECS", "86400")
        .env("STAFFEL_CHAT_UNANSWERED_SECS", "86400")
        .stdin(Stdio::null());
    command
}

pub fn run(clients: usize, rounds: usize) -> Result<(), String> {
    let binary = server_binary()?;
    let temp = TempDir::new("chat")?;
    let data = temp.path().join("data");
    let port = free_port()?;
    let cli = |args: &[&str]| -> Result<String, String> {
        let out = staffel(&binary, &data, port).args(args).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("staffel {args:?}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    // Realistic proportions: one agent to about twenty school admins, every chat with its
    // requester and its agent on a socket each.
    let chats = clients / 2;
    let admins = (chats / 25).max(1);
    let agents = (admins / 20).max(1);
    eprintln!("chat: {admins} school admins, {agents} agents, {chats} chats, {} sockets ...", chats * 2);
    cli(&["demo"])?;
    let mut admin_tokens = Vec::new();
    for n in 0..admins {
        let email = format!("admin{n}@bench.test");
        cli(&[
            "user",
            "add",
            "--email",
            &email,
            "--name",
            &format!("Admin {n}"),
            "--role",
            "school_admin",
            "--school",
            "gym-mitte",
            "--password",
            PASSWORD,
        ])?;
        admin_tokens.push(cli(&["token", "new", "--email", &email])?);
    }
    let mut agent_tokens = Vec::new();
    for n in 0..agents {
        let email = format!("agent{n}@bench.test");
        cli(&[
            "user",
            "add",
            "--email",
            &email,
            "--name",
            &format!("Agent {n}"),
            "--role",
            "agent",
            "--password",
            PASSWORD,
        ])?;
        agent_tokens.push(cli(&["token", "new", "--email", &email])?);
    }
    let log = std::fs::File::create(temp.path().join("serve.log")).map_err(|e| e.to_string())?;
    let server = Running(
        staffel(&binary, &data, port)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let echo_port = free_port()?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let echo = Running(
        Command::new(exe)
            .args(["chat-echo", "--port", &echo_port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        wait_listening(port).await?;
        wait_listening(echo_port).await?;
        for token in &agent_tokens {
            call(port, "POST", "/api/v1/chat/presence/heartbeat", token, r#"{"session":"bench","input":true}"#).await?;
        }
        let started = Instant::now();
        let mut urls = Vec::with_capacity(chats * 2);
        for n in 0..chats {
            let admin = &admin_tokens[n % admins];
            let agent = &agent_tokens[n % agents];
            let (status, chat) = call(port, "POST", "/api/v1/chats", admin, r#"{"message":"Beamer zeigt kein Bild"}"#).await?;
            let id = chat["id"].as_i64().ok_or_else(|| format!("no chat ({status}): {chat}"))?;
            let (status, _) = call(port, "POST", &format!("/api/v1/chats/{id}/accept"), agent, "{}").await?;
            if status != 200 {
                return Err(format!("accept {id}: {status}"));
            }
            let ws = |token: &str| (format!("ws://127.0.0.1:{port}/api/v1/chats/{id}/ws?after=2"), Some(token.to_string()));
            urls.push(ws(admin));
            urls.push(ws(agent));
        }
        eprintln!("chat: {chats} chats asked and accepted in {:.1} s; connecting ...", started.elapsed().as_secs_f64());
        let staffel_frames = |round: usize| {
            let marker = format!("m{round}x");
            (serde_json::json!({ "type": "message", "body": format!("Nachricht {marker}"), "client_id": marker }).to_string(), format!("Nachricht {marker}"))
        };
        let staffel = measure(server.0.id(), urls, &staffel_frames, rounds).await?;
        let echo_urls = (0..chats * 2).map(|_| (format!("ws://127.0.0.1:{echo_port}/echo"), None)).collect();
        // The echo answers on the same socket: a "pair" is the socket with itself, so
        // send and receipt go over one connection (`deliver` with from == to).
        let echo_frames = |round: usize| (format!("echo m{round}x"), format!("m{round}x"));
        let bare = measure_echo(echo.0.id(), echo_urls, &echo_frames, rounds).await?;
        let mut table = Table::new(&["", "sockets", "connect p50", "connect p99", "all connected", "KB/idle socket", "delivery p50", "delivery p99"]).left_aligned(1);
        for (name, m) in [("staffel chat (stored, fanned out)", &staffel), ("bare rocket_ws echo", &bare)] {
            table.row(vec![
                name.into(),
                (chats * 2).to_string(),
                ms(m.connect.p50),
                ms(m.connect.p99),
                format!("{:.1} s", m.connect_total.as_secs_f64()),
                format!("{:.1}", m.kb_per_socket),
                ms(m.delivery.p50),
                ms(m.delivery.p99),
            ]);
        }
        table.print();
        println!(
            "fan-out p99 {} (target < {P99_TARGET_MS} ms): {}; memory {:.1} KB per idle socket (target < {KB_PER_SOCKET_TARGET}): {}",
            ms(staffel.delivery.p99),
            verdict(staffel.delivery.p99 < P99_TARGET_MS),
            staffel.kb_per_socket,
            verdict(staffel.kb_per_socket < KB_PER_SOCKET_TARGET)
        );
        Ok(())
    })
}

async fn measure_echo(
    pid: u32,
    urls: Vec<(String, Option<String>)>,
    frames: &dyn Fn(usize) -> (String, String),
    rounds: usize,
) -> Result<Measured, String> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kb(Some(pid)).unwrap_or(0);
    let started = Instant::now();
    let n = urls.len();
    let (mut sockets, times) = open_all(urls).await?;
    let connect_total = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kb(Some(pid)).unwrap_or(0);
    let mut samples = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let socket = &mut sockets[(round * 7919) % n];
        let (frame, marker) = frames(round);
        let started = Instant::now();
        socket.send(Message::Text(frame)).await.map_err(|e| e.to_string())?;
        loop {
            match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
                Ok(Some(Ok(Message::Text(text)))) if text.contains(&marker) => break,
                Ok(Some(Ok(_))) => {}
                _ => return Err("the echo never came".into()),
            }
        }
        samples.push(started.elapsed());
    }
    Ok(Measured {
        connect: Latency::of(&times),
        connect_total,
        kb_per_socket: after.saturating_sub(before) as f64 / n as f64,
        delivery: Latency::of(&samples),
    })
}

#[rocket::get("/echo")]
fn echo(ws: rocket_ws::WebSocket) -> rocket_ws::Channel<'static> {
    ws.channel(move |mut stream| {
        Box::pin(async move {
            while let Some(message) = stream.next().await {
                let message = message?;
                if message.is_text() {
                    stream.send(message).await?;
                }
            }
            Ok(())
        })
    })
}

/// The bare baseline: a rocket_ws route that sends every text frame back.
pub fn echo_server(port: u16) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let figment =
            rocket::Config::figment().merge(("port", port)).merge(("address", "127.0.0.1")).merge(("log_level", "off"));
        // A release build refuses to launch without a secret key; the echo keeps no secrets.
        let figment = staffel::config::with_secret_key(figment).map_err(|e| e.to_string())?;
        rocket::custom(figment).mount("/", rocket::routes![echo]).launch().await.map(|_| ()).map_err(|e| e.to_string())
    })
}
