//! `LiveServer`: Staffel launched for real on a free port, for what `rocket::local` cannot
//! do (WebSocket upgrades, event streams that stay open). It runs on the database and data
//! directory of a `TestApp`, which the test keeps using for setting up people and for
//! looking into the database; what happens live goes over HTTP to the server.
use std::time::Duration;

use rocket::figment::Figment;
use tokio_tungstenite::tungstenite::Message;

use super::{free_port, test_figment, Backend, TestApp, PASSWORD};

pub struct LiveServer {
    /// Set-up and database access, on the same database.
    pub app: TestApp,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The launched server's application context (its live hub), for running the jobs'
    /// steps by hand, as the background jobs (off in tests) would.
    pub live: staffel::app::App,
    shutdown: rocket::Shutdown,
}

impl LiveServer {
    pub async fn start_with(backend: &Backend, adjust: impl Fn(Figment) -> Figment) -> LiveServer {
        let app = TestApp::with(backend, &adjust).await;
        let url = app.pg.as_ref().map(|p| p.url.clone()).unwrap_or_default();
        let (base, live, shutdown) = launch(adjust(test_figment(app.dir.path(), &url))).await;
        LiveServer { app, base, live, shutdown }
    }

    /// A server of which only the launched instance gets these settings, not the set-up's
    /// own Rocket: for what must run once per database (the XMPP bridge).
    pub async fn start_launched_with(backend: &Backend, launched: impl Fn(Figment) -> Figment) -> LiveServer {
        let app = TestApp::new(backend).await;
        let url = app.pg.as_ref().map(|p| p.url.clone()).unwrap_or_default();
        let (base, live, shutdown) = launch(launched(test_figment(app.dir.path(), &url))).await;
        LiveServer { app, base, live, shutdown }
    }

    /// Another instance on this server's PostgreSQL database, with a data directory of its
    /// own, as a second `staffel serve` behind the same load balancer.
    pub async fn another_instance(&self) -> Instance {
        self.another_instance_with(|f| f).await
    }

    /// Another instance with settings of its own.
    pub async fn another_instance_with(&self, adjust: impl FnOnce(Figment) -> Figment) -> Instance {
        let url = self.app.pg.as_ref().map(|p| p.url.clone()).expect("several instances need PostgreSQL");
        let dir = tempfile::tempdir().expect("temp dir");
        let (base, live, shutdown) = launch(adjust(test_figment(dir.path(), &url))).await;
        Instance { base, live, shutdown, _dir: dir }
    }

    /// An HTTP client holding a bearer token for this person.
    pub async fn client(&self, email: &str) -> Caller {
        let token = self.app.token(email).await;
        Caller { base: self.base.clone(), http: reqwest::Client::new(), token: Some(token) }
    }

    /// An HTTP client without credentials.
    pub fn anonymous(&self) -> Caller {
        Caller { base: self.base.clone(), http: reqwest::Client::new(), token: None }
    }

    /// A browser-like client signed in through the login form: session cookie and the
    /// page's CSRF token, as the pages' scripts call the chat API.
    pub async fn signed_in(&self, email: &str) -> Session {
        sign_in(&self.base, email, PASSWORD).await
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("{}{path}", self.base.replacen("http://", "ws://", 1))
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Signs in through the login form of the Staffel at `base` (any server, the real binary
/// too): session cookie and the page's CSRF token.
pub async fn sign_in(base: &str, email: &str, password: &str) -> Session {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let login = http.get(format!("{base}/login")).send().await.expect("login page").text().await.unwrap();
    let csrf = super::find_csrf(&login).expect("the login form's token");
    let signed = http
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", password), ("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("log in");
    assert_eq!(signed.status(), reqwest::StatusCode::SEE_OTHER, "login of {email}");
    let cookies: Vec<String> = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect();
    Session { base: base.to_string(), http, csrf, cookie_header: cookies.join("; ") }
}

/// A second instance beside a `LiveServer`, on its database.
pub struct Instance {
    pub base: String,
    pub live: staffel::app::App,
    shutdown: rocket::Shutdown,
    _dir: tempfile::TempDir,
}

impl Instance {
    /// An HTTP client of this instance for someone who has a token (from `TestApp::token`).
    pub fn client(&self, token: &str) -> Caller {
        Caller { base: self.base.clone(), http: reqwest::Client::new(), token: Some(token.to_string()) }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Launches Staffel on a free port; its address, application context and shutdown handle.
async fn launch(figment: Figment) -> (String, staffel::app::App, rocket::Shutdown) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let figment = figment
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge(("staffel.base_url", base.clone()))
        .merge(("shutdown.grace", 1))
        .merge(("shutdown.mercy", 1));
    let ignited = staffel::build(figment).ignite().await.expect("the live server ignites");
    let live = ignited.state::<staffel::app::App>().expect("App in state").clone();
    let shutdown = ignited.shutdown();
    tokio::spawn(async move {
        let _ = ignited.launch().await;
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the live server never listened on {port}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (base, live, shutdown)
}

/// An API caller with a bearer token (or none).
pub struct Caller {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

/// What came back: the status and the body as JSON (`Null` when it was none).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub json: serde_json::Value,
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Answer { status, json: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null) }
}

impl Caller {
    fn with_token(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.with_token(self.http.get(format!("{}{path}", self.base))).send().await.expect("GET")).await
    }

    /// A page that is no JSON (`/metrics`), as text.
    pub async fn get_text(&self, path: &str) -> String {
        let response = self.with_token(self.http.get(format!("{}{path}", self.base))).send().await.expect("GET");
        response.text().await.unwrap_or_default()
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> Answer {
        let request = self.http.post(format!("{}{path}", self.base)).json(&body);
        answer(self.with_token(request).send().await.expect("POST")).await
    }

    pub async fn put(&self, path: &str, body: serde_json::Value) -> Answer {
        let request = self.http.put(format!("{}{path}", self.base)).json(&body);
        answer(self.with_token(request).send().await.expect("PUT")).await
    }

    /// A raw request, for the headers and bodies the helpers above do not send.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.with_token(self.http.request(method, format!("{}{path}", self.base)))
    }

    /// A WebSocket to this path (`/api/v1/chats/1/ws?after=0`) with the bearer token.
    pub async fn socket(&self, path: &str) -> Socket {
        let url = format!("{}{path}", self.base.replacen("http://", "ws://", 1));
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url.as_str())
            .expect("a socket request");
        if let Some(token) = &self.token {
            request.headers_mut().insert("Authorization", format!("Bearer {token}").parse().expect("a header"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("the socket opens");
        Socket { stream }
    }

    /// An event stream of this path, with `Last-Event-ID` when given.
    pub async fn events(&self, path: &str, last_event_id: Option<i32>) -> Events {
        let mut request = self.request(reqwest::Method::GET, path).header("Accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("the event stream opens");
        assert_eq!(response.status(), reqwest::StatusCode::OK, "event stream {path}");
        Events { response, buffer: String::new() }
    }
}

/// A signed-in browser session: cookies and the CSRF token of its pages.
pub struct Session {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
    /// The session cookies as a `Cookie` header, for a socket opened by hand.
    pub cookie_header: String,
}

/// A page as the browser got it: status, where a redirect leads, the HTML.
#[derive(Debug)]
pub struct Html {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

async fn html(response: reqwest::Response) -> Html {
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
    Html { status, location, body: response.text().await.unwrap_or_default() }
}

impl Session {
    /// A page, read as HTML.
    pub async fn page(&self, path: &str) -> Html {
        html(self.http.get(format!("{}{path}", self.base)).send().await.expect("GET")).await
    }

    /// A form posted as the page posts it, with the page's CSRF token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Html {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", self.csrf.as_str()));
        html(self.http.post(format!("{}{path}", self.base)).form(&all).send().await.expect("POST")).await
    }

    /// A multipart form with files, posted as the page's form posts it (CSRF token first).
    pub async fn upload(&self, path: &str, files: &[super::uploads::Part<'_>]) -> Html {
        let (content_type, body) = super::uploads::multipart(&[("_csrf", self.csrf.as_str())], files);
        let request =
            self.http.post(format!("{}{path}", self.base)).header("Content-Type", content_type.to_string()).body(body);
        html(request.send().await.expect("POST")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.http.get(format!("{}{path}", self.base)).send().await.expect("GET")).await
    }

    /// A POST as the page's script sends it: JSON, with the CSRF token in its header.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> Answer {
        let request = self.http.post(format!("{}{path}", self.base)).header("X-CSRF-Token", &self.csrf).json(&body);
        answer(request.send().await.expect("POST")).await
    }

    /// A POST without the CSRF header: what a foreign site could make the browser send.
    pub async fn post_without_token(&self, path: &str, body: serde_json::Value) -> Answer {
        answer(self.http.post(format!("{}{path}", self.base)).json(&body).send().await.expect("POST")).await
    }

    /// A WebSocket with the session cookie and this `Origin` (none: `None`).
    pub async fn socket(&self, path: &str, origin: Option<&str>) -> Result<Socket, u16> {
        let url = format!("{}{path}", self.base.replacen("http://", "ws://", 1));
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url.as_str())
            .expect("a socket request");
        request.headers_mut().insert("Cookie", self.cookie_header.parse().expect("a cookie header"));
        if let Some(origin) = origin {
            request.headers_mut().insert("Origin", origin.parse().expect("an origin header"));
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _)) => Ok(Socket { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(e) => panic!("socket to {path}: {e}"),
        }
    }

    /// An event stream of a page's feed (`/desk/events`) at this base URL (another
    /// instance takes the same session), with this session's cookies.
    pub async fn events_at(&self, base: &str, path: &str) -> Events {
        let response = reqwest::Client::new()
            .get(format!("{base}{path}"))
            .header("Cookie", &self.cookie_header)
            .header("Accept", "text/event-stream")
            .send()
            .await
            .expect("the event stream opens");
        assert_eq!(response.status(), reqwest::StatusCode::OK, "event stream {path}");
        Events { response, buffer: String::new() }
    }
}

pub struct Socket {
    pub stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Socket {
    pub async fn send(&mut self, frame: serde_json::Value) {
        use futures_util::SinkExt;
        self.stream.send(Message::Text(frame.to_string())).await.expect("send a frame");
    }

    /// The next JSON frame, within five seconds.
    pub async fn next(&mut self) -> serde_json::Value {
        self.next_within(Duration::from_secs(5)).await.expect("a frame within five seconds")
    }

    /// The next JSON frame, or `None` when nothing came within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<serde_json::Value> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.stream.next()).await.ok()??;
            match frame.expect("a readable frame") {
                Message::Text(text) => return Some(serde_json::from_str(&text).expect("a JSON frame")),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Frames until one of this type comes (the others it skipped, in order, and it).
    pub async fn until(&mut self, kind: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
        let mut skipped = Vec::new();
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return (skipped, frame);
            }
            skipped.push(frame);
        }
    }
}

/// An open event stream, read event by event.
pub struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// One server-sent event: its id (if any) and its data as JSON.
#[derive(Debug, Clone)]
pub struct ServerEvent {
    pub id: Option<String>,
    pub data: serde_json::Value,
}

impl Events {
    /// The next event with data, within five seconds.
    pub async fn next(&mut self) -> ServerEvent {
        self.next_within(Duration::from_secs(5)).await.expect("an event within five seconds")
    }

    pub async fn next_within(&mut self, wait: Duration) -> Option<ServerEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = Some(value.trim().to_string());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.strip_prefix(' ').unwrap_or(value));
                    }
                }
                if data.is_empty() {
                    continue; // a heartbeat comment
                }
                return Some(ServerEvent { id, data: serde_json::from_str(&data).expect("JSON event data") });
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Events until one of this type comes.
    pub async fn until(&mut self, kind: &str) -> (Vec<ServerEvent>, ServerEvent) {
        let mut skipped = Vec::new();
        loop {
            let event = self.next().await;
            if event.data["type"] == kind {
                return (skipped, event);
            }
            skipped.push(event);
        }
    }
}
