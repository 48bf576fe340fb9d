//! `bench tickets`: the desk at scale. A fresh database (SQLite in a temp data dir, and/or a
//! fresh PostgreSQL database that is dropped afterwards) migrated by `staffel migrate`, filled
//! with schools, agents and a year of tickets, then the real server (`staffel serve`, the
//! release binary next to this one) loaded with `wrk`: `/healthz`, the desk's queue page, a
//! filtered queue, the JSON queue, and ticket creation through the API.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::load::{check_wrk, dechunk, server_binary, wrk, WrkResult};
use crate::report::{ms, verdict, Table, TempDir};
use crate::tickets_fill::{self, school_slug, Filled};

const QUEUE_P99_TARGET_MS: f64 = 25.0;
const CREATIONS_TARGET: f64 = 1000.0;
const PASSWORD: &str = "bench-passwort-1";
const DESK_EMAIL: &str = "desk@bench.test";
/// School admins whose tokens open tickets in the creation run.
const CREATORS: usize = 8;

pub struct Options {
    pub tickets: usize,
    pub schools: usize,
    pub backend: String,
    pub seconds: u64,
    pub connections: u32,
    pub pg_url: String,
    /// Where filled databases are kept between runs (`--reuse`).
    pub reuse: Option<PathBuf>,
}

/// The PostgreSQL database `--reuse` keeps.
const REUSED_PG_DATABASE: &str = "staffel_bench_reuse";

struct Run {
    route: String,
    connections: u32,
    result: WrkResult,
}

struct Outcome {
    backend: &'static str,
    filled: Filled,
    runs: Vec<Run>,
    creation: WrkResult,
    created_in_db: u64,
}

pub fn run(options: &Options) -> Result<(), String> {
    let binary = server_binary()?;
    check_wrk()?;
    let backends: Vec<&'static str> = match options.backend.as_str() {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        "both" => vec!["sqlite", "postgres"],
        other => return Err(format!("--backend {other}: sqlite, postgres or both")),
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let mut failures = Vec::new();
    for backend in backends {
        let temp = TempDir::new("tickets")?;
        let kept = options.reuse.as_ref().map(|dir| Kept::new(dir, backend, options));
        let data = match &options.reuse {
            Some(dir) if backend == "sqlite" => dir.join("sqlite-data"),
            _ => temp.path().join("data"),
        };
        let reusing = kept.as_ref().is_some_and(|k| k.tokens().is_some());
        let (url, pg_database) = match backend {
            "sqlite" => {
                if kept.is_some() && !reusing {
                    let _ = std::fs::remove_dir_all(&data);
                }
                (format!("sqlite://{}?mode=rwc", data.join("staffel.db").display()), None)
            }
            _ => {
                let name = match kept {
                    Some(_) => REUSED_PG_DATABASE.to_string(),
                    None => format!("staffel_bench_{}", std::process::id()),
                };
                if !reusing {
                    runtime
                        .block_on(pg_admin(&options.pg_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))?;
                    runtime.block_on(pg_admin(&options.pg_url, &format!("CREATE DATABASE {name}")))?;
                }
                let url = format!("{}/{name}", options.pg_url.trim_end_matches('/'));
                (url, Some(name).filter(|_| kept.is_none()))
            }
        };
        let bench =
            Bench { runtime: &runtime, binary: &binary, backend, url: &url, data: &data, temp: temp.path(), options };
        let outcome = one_backend(&bench, kept.as_ref());
        if let Some(name) = pg_database {
            let dropped =
                runtime.block_on(pg_admin(&options.pg_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
            if let Err(e) = dropped {
                eprintln!("tickets: could not drop {name}: {e}");
            }
        }
        // Each backend's figures as soon as they are in: a failure of the next loses nothing.
        match outcome {
            Ok(outcome) => print(std::slice::from_ref(&outcome), options),
            Err(e) => failures.push(format!("{backend}: {e}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

pub(crate) async fn pg_admin(server: &str, sql: &str) -> Result<(), String> {
    use sea_orm::ConnectionTrait;
    let url = format!("{}/postgres", server.trim_end_matches('/'));
    let db = sea_orm::Database::connect(&url).await.map_err(|e| format!("connect {url}: {e}"))?;
    db.execute_unprepared(sql).await.map_err(|e| format!("{sql}: {e}"))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// One backend's run: the server binary, its data dir and database, scratch files, options.
struct Bench<'a> {
    runtime: &'a tokio::runtime::Runtime,
    binary: &'a Path,
    backend: &'static str,
    url: &'a str,
    data: &'a Path,
    temp: &'a Path,
    options: &'a Options,
}

/// The API tokens the load uses: the desk's, and the school admins' who open tickets.
struct Tokens {
    desk: String,
    creators: Vec<String>,
}

fn one_backend(bench: &Bench<'_>, kept: Option<&Kept>) -> Result<Outcome, String> {
    let Bench { runtime, binary, backend, url, data, options, .. } = *bench;
    let port = free_port()?;
    let cli = |args: &[&str]| -> Result<String, String> {
        let out = staffel(binary, data, port, url).args(args).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("staffel {args:?}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    cli(&["migrate"])?;
    if let Some((desk_token, creator_tokens)) = kept.and_then(Kept::tokens) {
        eprintln!("tickets [{backend}]: reusing the database filled before ({url})");
        let mut filled = runtime.block_on(tickets_fill::existing(url))?;
        filled.tickets = options.tickets as u64;
        return serve_and_measure(bench, port, filled, &Tokens { desk: desk_token, creators: creator_tokens });
    }
    eprintln!("tickets [{backend}]: migrated; filling {} schools and {} tickets ...", options.schools, options.tickets);
    runtime.block_on(tickets_fill::people(url, options.schools))?;
    cli(&["user", "add", "--email", DESK_EMAIL, "--name", "Desk", "--role", "agent", "--password", PASSWORD])?;
    let desk_token = cli(&["token", "new", "--email", DESK_EMAIL])?;
    let mut creator_tokens = Vec::new();
    for n in 1..=CREATORS.min(options.schools) {
        let email = format!("creator{n}@bench.test");
        let school = school_slug(n);
        let role = ["--role", "school_admin", "--school", &school, "--password", PASSWORD];
        cli(&[&["user", "add", "--email", &email, "--name", "Creator"][..], &role[..]].concat())?;
        creator_tokens.push(cli(&["token", "new", "--email", &email])?);
    }
    let filled = runtime.block_on(tickets_fill::tickets(url, options.tickets))?;
    eprintln!("tickets [{backend}]: filled in {:.0} s; starting staffel serve ...", filled.took.as_secs_f64());
    if let Some(kept) = kept {
        kept.save(&desk_token, &creator_tokens)?;
    }
    serve_and_measure(bench, port, filled, &Tokens { desk: desk_token, creators: creator_tokens })
}

fn serve_and_measure(bench: &Bench<'_>, port: u16, filled: Filled, tokens: &Tokens) -> Result<Outcome, String> {
    let Bench { binary, backend, url, data, temp, .. } = *bench;
    let log = temp.join("serve.log");
    let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child =
        staffel(binary, data, port, url).arg("serve").stdout(out).stderr(err).spawn().map_err(|e| e.to_string())?;
    let mut server = Server { child, port, log };
    let measured = measure(&mut server, bench, &filled, tokens);
    server.stop();
    let (runs, creation, created_in_db) = measured?;
    Ok(Outcome { backend, filled, runs, creation, created_in_db })
}

/// A path list for wrk: the main queue, filters, the JSON queue (one sorted by due time).
fn paths(filled: &Filled) -> (Vec<String>, Vec<String>) {
    let slug = |n: usize| filled.schools[n % filled.schools.len()].1.clone();
    let service = |n: usize| filled.services[n % filled.services.len()].clone();
    let mut filtered = Vec::new();
    for n in 0..24 {
        let (status, priority) =
            (["open", "new", "waiting_on_school", "at_provider"][n % 4], ["P1", "P2", "P3", "P4"][n % 4]);
        filtered.push(match n % 3 {
            0 => format!("?queue=open&status={status}&priority={priority}&school={}", slug(n * 7)),
            1 => format!("?queue=open&status={status}&service={}&priority={priority}", service(n)),
            _ => format!("?queue=all&school={}&service={}", slug(n * 13), service(n)),
        });
    }
    // The open queue by SLA due time too: the order the desk works a backlog in.
    let mut json = vec![
        "?queue=open&limit=50".to_string(),
        "?queue=new&limit=50".to_string(),
        "?queue=open&sort=due&limit=50".to_string(),
    ];
    json.extend(filtered.iter().take(10).map(|f| format!("{f}&limit=50")));
    (filtered, json)
}

fn measure(
    server: &mut Server,
    bench: &Bench<'_>,
    filled: &Filled,
    tokens: &Tokens,
) -> Result<(Vec<Run>, WrkResult, u64), String> {
    let Bench { runtime, url, temp, options, .. } = *bench;
    let (desk_token, creator_tokens) = (tokens.desk.as_str(), tokens.creators.as_slice());
    server.wait_healthy(Duration::from_secs(120))?;
    let cookie = login(server.port)?;
    let (filtered, json) = paths(filled);
    let desk_paths: Vec<String> = filtered.iter().map(|f| format!("/desk{f}")).collect();
    let json_paths: Vec<String> = json.iter().map(|f| format!("/api/v1/tickets{f}")).collect();
    // Every route answers 200 with tickets before it is timed: a redirect to the login page
    // would be fast and wrong.
    let headers = [("Cookie", cookie.as_str())];
    let (status, body) = request(server.port, "GET", "/desk", &headers, None)?;
    if status != 200 || !body.contains("/desk/tickets/T-") {
        return Err(format!("/desk: HTTP {status}, no tickets listed"));
    }
    for path in &desk_paths {
        let (status, _) = request(server.port, "GET", path, &headers, None)?;
        if status != 200 {
            return Err(format!("{path}: HTTP {status}"));
        }
    }
    let bearer = format!("Bearer {desk_token}");
    for path in &json_paths {
        let (status, body) = request(server.port, "GET", path, &[("Authorization", &bearer)], None)?;
        if status != 200 || !body.contains("\"items\"") {
            return Err(format!("{path}: HTTP {status}: {body}"));
        }
    }

    let script = |name: &str, header: &str, value: &str, paths: &[String]| -> Result<PathBuf, String> {
        let path = temp.join(name);
        let list: Vec<String> = paths.iter().map(|p| format!("  \"{p}\",")).collect();
        let text = format!(
            "wrk.headers[\"{header}\"] = \"{value}\"\nlocal paths = {{\n{}\n}}\nlocal i = 0\n\
             request = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
            list.join("\n")
        );
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        Ok(path)
    };
    let main = script("desk.lua", "Cookie", &cookie, &["/desk".to_string()])?;
    let filter = script("filtered.lua", "Cookie", &cookie, &desk_paths)?;
    let api = script("api.lua", "Authorization", &bearer, &json_paths)?;
    let base = format!("http://127.0.0.1:{}", server.port);
    let routes: [(&str, Option<&Path>); 4] = [
        ("/healthz", None),
        ("/desk (open queue, HTML)", Some(&main)),
        ("/desk?… filtered (24 in rotation)", Some(&filter)),
        ("/api/v1/tickets?… (13 in rotation, one by due time)", Some(&api)),
    ];
    let mut runs = Vec::new();
    let mut levels = vec![options.connections, 8, 1];
    levels.dedup();
    levels.retain(|c| *c <= options.connections);
    for connections in levels {
        for (route, script) in routes {
            let target = if route == "/healthz" { format!("{base}/healthz") } else { format!("{base}/desk") };
            eprintln!("tickets: wrk -c{connections} {route} ...");
            wrk(&target, script, 2, connections)?;
            let result = wrk(&target, script, options.seconds, connections)?;
            runs.push(Run { route: route.into(), connections, result });
        }
    }

    // Creation: school admins' tokens in rotation, one body per service.
    let before = runtime.block_on(tickets_fill::count(url))?;
    let bodies: Vec<String> = filled
        .services
        .iter()
        .enumerate()
        .map(|(n, service)| {
            let priority = ["P2", "P3", "P4"][n % 3];
            let body = serde_json::json!({
                "title": format!("Benchmark: Beamer {n} zeigt kein Bild"),
                "description": "Seit der zweiten Stunde bleibt die Leinwand schwarz; Kabel getauscht.",
                "service": service,
                "priority": priority,
                "triage": { "scope": "local", "fault_type": "hardware" },
            });
            format!("  {},", lua_string(&body.to_string()))
        })
        .collect();
    let tokens: Vec<String> = creator_tokens.iter().map(|t| format!("  \"{t}\",")).collect();
    let create = temp.join("create.lua");
    std::fs::write(
        &create,
        format!(
            "local tokens = {{\n{}\n}}\nlocal bodies = {{\n{}\n}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  \
             local headers = {{ [\"Authorization\"] = \"Bearer \" .. tokens[(i % #tokens) + 1], \
             [\"Content-Type\"] = \"application/json\" }}\n  \
             return wrk.format(\"POST\", \"/api/v1/tickets\", headers, bodies[(i % #bodies) + 1])\nend\n",
            tokens.join("\n"),
            bodies.join("\n")
        ),
    )
    .map_err(|e| e.to_string())?;
    eprintln!("tickets: wrk -c{} POST /api/v1/tickets ...", options.connections);
    let creation = wrk(&format!("{base}/api/v1/tickets"), Some(&create), options.seconds, options.connections)?;
    // Let requests still in flight when wrk stopped finish before counting.
    std::thread::sleep(Duration::from_secs(2));
    let after = runtime.block_on(tickets_fill::count(url))?;
    Ok((runs, creation, after.saturating_sub(before)))
}

fn lua_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn print(outcomes: &[Outcome], options: &Options) {
    println!();
    println!(
        "staffel serve; wrk -t2 at -c{} and -c8, -t1 at -c1, {} s per route after 2 s of warm-up; wrk \
         and the server share the machine's cores",
        options.connections, options.seconds
    );
    for o in outcomes {
        println!(
            "{}: {} tickets over {} schools, filled in {:.0} s",
            o.backend,
            o.filled.tickets,
            o.filled.schools.len(),
            o.filled.took.as_secs_f64()
        );
    }
    println!();
    let mut t =
        Table::new(&["backend", "route", "conns", "requests/s", "p50", "p99", "errors", "p99 < 25 ms"]).left_aligned(2);
    for o in outcomes {
        for r in &o.runs {
            let queue = r.route != "/healthz";
            t.row(vec![
                o.backend.into(),
                r.route.clone(),
                r.connections.to_string(),
                format!("{:.0}", r.result.requests_per_sec),
                ms(r.result.p50_ms),
                ms(r.result.p99_ms),
                r.result.errors.to_string(),
                if queue {
                    verdict(r.result.p99_ms < QUEUE_P99_TARGET_MS && r.result.errors == 0).into()
                } else {
                    "".into()
                },
            ]);
        }
    }
    t.print();
    println!();
    let mut t = Table::new(&[
        "backend",
        "POST /api/v1/tickets",
        "requests",
        "non-2xx",
        "created (DB)",
        "created/s",
        "p50",
        "p99",
        "target",
    ])
    .left_aligned(2);
    for o in outcomes {
        let per_second = o.created_in_db as f64 / options.seconds as f64;
        let target = if o.backend == "sqlite" {
            format!(">= {CREATIONS_TARGET:.0}/s: {}", verdict(per_second >= CREATIONS_TARGET && o.creation.errors == 0))
        } else {
            "(none)".into()
        };
        t.row(vec![
            o.backend.into(),
            format!("-c{}", options.connections),
            o.creation.requests.to_string(),
            o.creation.errors.to_string(),
            o.created_in_db.to_string(),
            format!("{per_second:.0}"),
            ms(o.creation.p50_ms),
            ms(o.creation.p99_ms),
            target,
        ]);
    }
    t.print();
}

/// A database kept by `--reuse`: a marker beside it records that the fill completed, with
/// the tokens the benchmark signs in with.
struct Kept {
    marker: PathBuf,
    key: String,
}

impl Kept {
    fn new(dir: &Path, backend: &str, options: &Options) -> Kept {
        let _ = std::fs::create_dir_all(dir);
        Kept { marker: dir.join(format!("{backend}.filled")), key: format!("{} {}", options.tickets, options.schools) }
    }

    /// The desk's and the creators' tokens, if a fill of this size completed.
    fn tokens(&self) -> Option<(String, Vec<String>)> {
        let text = std::fs::read_to_string(&self.marker).ok()?;
        let mut lines = text.lines();
        if lines.next()? != self.key {
            return None;
        }
        let desk = lines.next()?.to_string();
        Some((desk, lines.map(str::to_string).collect()))
    }

    fn save(&self, desk: &str, creators: &[String]) -> Result<(), String> {
        let text = format!("{}\n{desk}\n{}\n", self.key, creators.join("\n"));
        std::fs::write(&self.marker, text).map_err(|e| format!("{}: {e}", self.marker.display()))
    }
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) log: PathBuf,
}

impl Server {
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    pub(crate) fn wait_healthy(&mut self, within: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("staffel serve exited ({status}):\n{}", self.log_tail()));
            }
            if matches!(request(self.port, "GET", "/healthz", &[], None), Ok((200, _))) {
                return Ok(());
            }
            if started.elapsed() > within {
                return Err(format!("staffel serve not healthy after {within:?}:\n{}", self.log_tail()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn stop(mut self) {
        // SIGTERM to the process this benchmark started, then a kill.
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs the desk agent in through the login form; returns the `Cookie` header value.
fn login(port: u16) -> Result<String, String> {
    login_as(port, DESK_EMAIL, PASSWORD)
}

/// Signs `email` in through the login form; returns the `Cookie` header value.
pub(crate) fn login_as(port: u16, email: &str, password: &str) -> Result<String, String> {
    let (status, page, cookies) = exchange(port, "GET", "/login", &[], None)?;
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).ok_or(format!("/login: HTTP {status}, no CSRF field"))? + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap_or(0)];
    let jar = cookies.join("; ");
    let form = format!("_csrf={csrf}&email={}&password={password}&next=", email.replace('@', "%40"));
    let headers = [("Cookie", jar.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let (status, _, set) = exchange(port, "POST", "/login", &headers, Some(&form))?;
    let session: Vec<String> = set.into_iter().filter(|c| c.starts_with("staffel_session=")).collect();
    if session.is_empty() {
        return Err(format!("login as {email} failed: HTTP {status}"));
    }
    Ok(session.join("; "))
}

pub(crate) fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<(u16, String), String> {
    exchange(port, method, path, headers, body).map(|(status, body, _)| (status, body))
}

/// One HTTP/1.1 request on a fresh connection: status, body, and the `name=value` of each
/// cookie set.
pub(crate) fn exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<(u16, String, Vec<String>), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP response")?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let cookies = head
        .lines()
        .filter_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie")))
        .filter_map(|(_, v)| v.trim().split(';').next().map(str::to_string))
        .collect();
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    Ok((status, if chunked { dechunk(body) } else { body.to_string() }, cookies))
}

pub(crate) fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// `staffel` with this benchmark's data dir, database, port and quiet logs, and nothing of
/// the caller's configuration.
pub(crate) fn staffel(binary: &Path, data: &Path, port: u16, url: &str) -> Command {
    let mut command = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("STAFFEL_") || key.starts_with("ROCKET_") {
            command.env_remove(key);
        }
    }
    command
        .current_dir(data.parent().unwrap_or(data))
        .env("STAFFEL_DATA_DIR", data)
        .env("STAFFEL_DATABASE_URL", url)
        .env("STAFFEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("STAFFEL_LOG_FORMAT", "json")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        // The shipped Rocket.toml's body limits (the server runs outside the repository).
        .env("ROCKET_LIMITS", r#"{form="64 KiB",json="1 MiB","data-form"="25 MiB",file="25 MiB",string="1 MiB"}"#)
        .env("ROCKET_LOG_LEVEL", "off")
        .env("RUST_LOG", "warn");
    command
}
