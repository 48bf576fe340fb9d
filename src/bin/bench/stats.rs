//! `bench stats`: the reports page at 1,000,000 tickets on SQLite. The real server (the
//! release `staffel` next to this binary) on a database filled like `bench tickets` (a year
//! of tickets over 200 schools; `--reuse DIR` keeps it for the next run), then a year's
//! report requested one at a time, beside `/healthz` in the same run: the desk lead's by
//! school, service and priority, a school admin's, and a CSV download.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::load::server_binary;
use crate::report::{ms, verdict, Latency, Table, TempDir};
use crate::tickets::{exchange, free_port, login_as, staffel, Server};
use crate::tickets_fill::{self, school_slug};

const TARGET_P99_MS: f64 = 200.0;
const PASSWORD: &str = "bench-passwort-1";
const LEAD_EMAIL: &str = "lead@bench.test";
const ADMIN_EMAIL: &str = "stats-admin@bench.test";

pub struct Options {
    pub tickets: usize,
    pub schools: usize,
    pub samples: usize,
    pub reuse: Option<PathBuf>,
}

pub fn run(options: &Options) -> Result<(), String> {
    let binary = server_binary()?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let temp = TempDir::new("stats")?;
    let data = match &options.reuse {
        Some(dir) => dir.join("sqlite-data"),
        None => temp.path().join("data"),
    };
    let marker = options.reuse.as_ref().map(|dir| dir.join("stats.filled"));
    let key = format!("{} {}", options.tickets, options.schools);
    let reusing = marker.as_ref().is_some_and(|m| std::fs::read_to_string(m).is_ok_and(|t| t.trim() == key));
    if !reusing {
        let _ = std::fs::remove_dir_all(&data);
    }
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let url = format!("sqlite://{}?mode=rwc", data.join("staffel.db").display());
    let port = free_port()?;
    let cli = |args: &[&str]| -> Result<String, String> {
        let out = staffel(&binary, &data, port, &url).args(args).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("staffel {args:?}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    // Migrating a kept database adds what landed since it was filled (the report's indexes).
    let started = Instant::now();
    cli(&["migrate"])?;
    eprintln!("stats: migrated in {:.1} s", started.elapsed().as_secs_f64());
    if reusing {
        eprintln!("stats: reusing the database filled before ({url})");
    } else {
        eprintln!("stats: filling {} schools and {} tickets ...", options.schools, options.tickets);
        runtime.block_on(tickets_fill::people(&url, options.schools))?;
        let filled = runtime.block_on(tickets_fill::tickets(&url, options.tickets))?;
        eprintln!("stats: filled in {:.0} s", filled.took.as_secs_f64());
    }
    for (email, role) in [(LEAD_EMAIL, vec!["--role", "desk_lead"]), (ADMIN_EMAIL, vec!["--role", "school_admin"])] {
        let school = school_slug(1);
        let mut args = vec!["user", "add", "--email", email, "--name", "Bench", "--password", PASSWORD];
        args.extend(role);
        if email == ADMIN_EMAIL {
            args.extend(["--school", school.as_str()]);
        }
        // Already there in a kept database: that is fine.
        let _ = cli(&args);
    }
    if let Some(m) = &marker {
        std::fs::write(m, &key).map_err(|e| e.to_string())?;
    }
    let log = temp.path().join("serve.log");
    let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child =
        staffel(&binary, &data, port, &url).arg("serve").stdout(out).stderr(err).spawn().map_err(|e| e.to_string())?;
    let mut server = Server { child, port, log };
    let measured = server.wait_healthy(Duration::from_secs(120)).and_then(|_| measure(port, options));
    server.stop();
    print(&measured?, options);
    Ok(())
}

struct Measured {
    route: String,
    latency: Latency,
    healthz: Latency,
    bytes: usize,
}

fn measure(port: u16, options: &Options) -> Result<Vec<Measured>, String> {
    let lead = login_as(port, LEAD_EMAIL, PASSWORD)?;
    let admin = login_as(port, ADMIN_EMAIL, PASSWORD)?;
    let today = chrono::Utc::now().date_naive();
    let year = format!("from={}&to={today}", today - chrono::Duration::days(364));
    let routes = [
        (format!("/desk/stats?{year}&breakdown=school"), &lead),
        (format!("/desk/stats?{year}&breakdown=service"), &lead),
        (format!("/desk/stats?{year}&breakdown=priority"), &lead),
        (format!("/helpdesk/stats?{year}"), &admin),
        (format!("/desk/stats.csv?table=weekly&{year}"), &lead),
    ];
    let mut out = Vec::new();
    for (route, cookie) in routes {
        let get = |path: &str, cookie: &str| -> Result<(Duration, usize), String> {
            let began = Instant::now();
            let (status, body, _) = exchange(port, "GET", path, &[("Cookie", cookie)], None)?;
            let took = began.elapsed();
            if status != 200 {
                return Err(format!("{path}: HTTP {status}: {}", body.chars().take(300).collect::<String>()));
            }
            Ok((took, body.len()))
        };
        // Warm: the first request reads the index pages from disk into the cache.
        let (_, bytes) = get(&route, cookie)?;
        let (mut report, mut health) = (Vec::new(), Vec::new());
        for _ in 0..options.samples {
            report.push(get(&route, cookie)?.0);
            health.push(get("/healthz", "")?.0);
        }
        let measured = Measured { route, latency: Latency::of(&report), healthz: Latency::of(&health), bytes };
        eprintln!("stats: {} p50 {} p99 {}", measured.route, ms(measured.latency.p50), ms(measured.latency.p99));
        out.push(measured);
    }
    Ok(out)
}

fn print(measured: &[Measured], options: &Options) {
    println!(
        "\nbench stats: a year's report at {} tickets, {} schools, SQLite; {} sequential requests each, \
         /healthz between them (target p99 < {TARGET_P99_MS} ms)\n",
        options.tickets, options.schools, options.samples
    );
    let mut table = Table::new(&[
        "route",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "/healthz p50",
        "/healthz p99",
        "bytes",
        "target",
    ])
    .left_aligned(1);
    for m in measured {
        table.row(vec![
            m.route.clone(),
            ms(m.latency.p50),
            ms(m.latency.p90),
            ms(m.latency.p99),
            ms(m.latency.max),
            ms(m.healthz.p50),
            ms(m.healthz.p99),
            m.bytes.to_string(),
            verdict(m.latency.p99 < TARGET_P99_MS).to_string(),
        ]);
    }
    table.print();
}
