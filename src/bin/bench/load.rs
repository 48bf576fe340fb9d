//! What the HTTP benchmarks share: the release server binary, driving wrk and reading its
//! report, and reading chunked answers of the plain HTTP client.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct WrkResult {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    pub errors: u64,
}

fn parse_duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_alphabetic())?;
    let (value, unit) = text.split_at(split);
    let value: f64 = value.parse().ok()?;
    Some(match unit {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        "m" => value * 60_000.0,
        _ => return None,
    })
}

fn parse_wrk(output: &str) -> Result<WrkResult, String> {
    let mut result = WrkResult { requests_per_sec: 0.0, p50_ms: 0.0, p99_ms: 0.0, requests: 0, errors: 0 };
    for line in output.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", value] => result.requests_per_sec = value.parse().unwrap_or(0.0),
            ["50%", value] => result.p50_ms = parse_duration_ms(value).unwrap_or(0.0),
            ["99%", value] => result.p99_ms = parse_duration_ms(value).unwrap_or(0.0),
            [count, "requests", "in", ..] => result.requests = count.parse().unwrap_or(0),
            ["Non-2xx", "or", "3xx", "responses:", n] => result.errors += n.parse::<u64>().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                result.errors += rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum::<u64>()
            }
            _ => {}
        }
    }
    if result.requests_per_sec == 0.0 {
        return Err(format!("cannot read the wrk output:\n{output}"));
    }
    Ok(result)
}

/// Loads `url` with wrk (two threads when there are several connections); with `script`, a
/// Lua script chooses the requests.
/// How many threads `wrk` runs with at this many connections.
pub fn wrk_threads(connections: u32) -> u32 {
    if connections > 1 {
        2
    } else {
        1
    }
}

pub fn wrk(url: &str, script: Option<&Path>, seconds: u64, connections: u32) -> Result<WrkResult, String> {
    let threads = format!("-t{}", wrk_threads(connections));
    let mut command = Command::new("wrk");
    command.args([
        threads.as_str(),
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
        "--timeout",
        "10s",
    ]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    if !output.status.success() {
        return Err(format!("wrk failed ({}): {text}{}", output.status, String::from_utf8_lossy(&output.stderr)));
    }
    parse_wrk(&text)
}

pub fn server_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let server = exe.with_file_name("staffel");
    if !server.is_file() {
        return Err(format!(
            "{} not found: build the server first with `cargo build --release --bins`",
            server.display()
        ));
    }
    if !exe.components().any(|c| c.as_os_str() == "release") {
        eprintln!("warning: {} is not a release build; figures will be slow", server.display());
    }
    Ok(server)
}

pub fn check_wrk() -> Result<(), String> {
    match Command::new("wrk").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err("wrk is not installed: apt-get install -y wrk (https://github.com/wg/wrk)".into())
        }
        Err(e) => Err(format!("cannot run wrk: {e}")),
        Ok(_) => Ok(()),
    }
}

pub fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wrk_report() {
        let report = "Running 1s test @ http://127.0.0.1:8000/healthz\n  Latency Distribution\n     50%  1.33ms\n     99%    4.90ms\n  21736 requests in 1.00s, 3.1MB read\n  Non-2xx or 3xx responses: 3\nRequests/sec:  21736.12\n";
        let r = parse_wrk(report).unwrap();
        assert_eq!((r.requests, r.errors), (21736, 3));
        assert!((r.p50_ms - 1.33).abs() < 1e-9 && (r.p99_ms - 4.90).abs() < 1e-9 && r.requests_per_sec > 21736.0);
        assert!(parse_wrk("unable to connect").is_err());
    }
}
